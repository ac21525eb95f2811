import assert from 'node:assert/strict';
import { parseProblems } from '../../src/vscode/language/parseErrors';

// stderr of `nix-instantiate --parse --log-format internal-json FILE`, as Nix 2.8 writes it.
const warning = `@nix {"action":"msg","level":0,"msg":"warning: the group 'nixbld' specified in 'build-users-group' does not exist"}`;
const unexpectedSemicolon = String.raw`@nix {"action":"msg","column":7,"file":"/p/broken.nix","level":0,"line":3,"msg":"\u001b[31;1merror:\u001b[0m syntax error, unexpected ';'\n\n       \u001b[34;1mat \u001b[35;1m/p/broken.nix:3:7\u001b[0m:\n\n            2|   a = 1;\n            3|   b = ;\n             |       \u001b[31;1m^\u001b[0m\n            4| in a","raw_msg":"syntax error, unexpected ';'"}`;
const undefinedVariable = String.raw`@nix {"action":"msg","column":4,"file":"/p/undef.nix","level":0,"line":3,"msg":"\u001b[31;1merror:\u001b[0m undefined variable '\u001b[35;1mb\u001b[0m'\n\n       \u001b[34;1mat \u001b[35;1m/p/undef.nix:3:4\u001b[0m:","raw_msg":"undefined variable '\u001b[35;1mb\u001b[0m'"}`;

describe("nix-instantiate --parse's errors", () => {
  it('reads the position and message of an internal-json error', () => {
    assert.deepEqual(parseProblems([unexpectedSemicolon]), [
      { message: "syntax error, unexpected ';'", line: 3, column: 7 },
    ]);
  });

  it('strips colours from the message and ignores warnings (level 0, but not errors)', () => {
    const positioned = `@nix ${JSON.stringify({
      action: 'msg',
      level: 0,
      line: 1,
      column: 1,
      msg: 'warning: something at /p/undef.nix:1:1',
    })}`;
    assert.deepEqual(parseProblems([warning, positioned, undefinedVariable]), [
      { message: "undefined variable 'b'", line: 3, column: 4 },
    ]);
  });

  it('takes the position from the text when the JSON has none', () => {
    const json = {
      action: 'msg',
      level: 0,
      msg: 'error: syntax error, unexpected end of file\n\n       at /p/eof.nix:2:8:',
    };
    assert.deepEqual(parseProblems([`@nix ${JSON.stringify(json)}`]), [
      { message: 'syntax error, unexpected end of file', line: 2, column: 8 },
    ]);
  });

  it('reads plain stderr (Nix 2.8 without internal-json): the `at` line is the position', () => {
    const stderr = [
      "warning: the group 'nixbld' specified in 'build-users-group' does not exist",
      "error: attribute 'a' already defined at /p/dup.nix:1:3",
      '',
      '       at /p/dup.nix:1:10:',
    ];
    assert.deepEqual(parseProblems(stderr), [
      { message: "attribute 'a' already defined at /p/dup.nix:1:3", line: 1, column: 10 },
    ]);
  });

  it('reads older plain stderr, where the position ends the message', () => {
    assert.deepEqual(parseProblems(["error: syntax error, unexpected ';', at /p/broken.nix:3:7"]), [
      { message: "syntax error, unexpected ';'", line: 3, column: 7 },
    ]);
  });

  it('reports nothing for an error without a position, or for no error', () => {
    const missing = `@nix ${JSON.stringify({
      action: 'msg',
      level: 0,
      msg: "error: getting status of '/p/gone.nix': No such file or directory",
    })}`;
    assert.deepEqual(parseProblems([missing]), []);
    assert.deepEqual(parseProblems([warning]), []);
    assert.deepEqual(parseProblems([]), []);
  });
});
