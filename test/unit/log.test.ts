import assert from 'node:assert/strict';
import fc from 'fast-check';
import { locationsInText } from '../../src/core/nix/log';
import { jsonLine, parseLog } from '../support/nixLog';

const parse = parseLog;
const json = jsonLine;

describe("nix's internal-json log", () => {
  it('yields the files evaluation read, from evaluating and copying messages', () => {
    const events = parse([
      json({ action: 'msg', level: 4, msg: "evaluating file '/p/shell.nix'" }),
      json({ action: 'msg', level: 5, msg: "copied source '/p/src' -> '/nix/store/abc-src'" }),
    ]);
    assert.deepEqual(events, [
      { type: 'read-file', path: '/p/shell.nix' },
      { type: 'read-file', path: '/p/src' },
    ]);
  });

  it("tells whether a derivation's path was evaluated or came from the evaluation cache", () => {
    // As Nix 2.8 and 2.26 log them at -vvv; other attributes' lines say nothing of drvPath.
    const events = parse([
      json({
        action: 'msg',
        level: 6,
        msg: 'evaluating uncached attribute devShells.x86_64-linux.default',
      }),
      json({
        action: 'msg',
        level: 6,
        msg: 'evaluating uncached attribute devShells.x86_64-linux.default.drvPath',
      }),
      json({
        action: 'msg',
        level: 6,
        msg: "evaluating uncached attribute 'devShells.x86_64-linux.default.drvPath'",
      }),
      json({
        action: 'msg',
        level: 6,
        msg: "using cached string attribute 'devShells.x86_64-linux.default.drvPath'",
      }),
      json({
        action: 'msg',
        level: 6,
        msg: "using cached string attribute 'devShells.x86_64-linux.default.type'",
      }),
      json({
        action: 'msg',
        level: 6,
        msg: "using cached string attribute 'packages.x86_64-linux.notdrvPath'",
      }),
      // A quote nix would not leave open.
      json({
        action: 'msg',
        level: 6,
        msg: "evaluating uncached attribute 'devShells.x86_64-linux.default.drvPath",
      }),
    ]);
    assert.deepEqual(
      events.filter((event) => event.type === 'derivation-path'),
      [
        { type: 'derivation-path', from: 'evaluation' },
        { type: 'derivation-path', from: 'evaluation' },
        { type: 'derivation-path', from: 'eval-cache' },
      ],
    );
    assert.equal(events.length, 7, 'the other lines are messages, as before');
  });

  it('gives errors their position and strips colours', () => {
    const [event] = parse([
      json({
        action: 'msg',
        level: 0,
        msg: "\u001b[31;1merror:\u001b[0m syntax error, unexpected ';'",
        file: '/p/bad.nix',
        line: 3,
        column: 12,
      }),
    ]);
    assert.deepEqual(event, {
      type: 'message',
      level: 0,
      text: "error: syntax error, unexpected ';'",
      location: { file: '/p/bad.nix', line: 3, column: 12 },
    });
  });

  it('describes builds and downloads as they progress', () => {
    const progress = parse([
      json({ action: 'start', id: 1, level: 0, type: 104, text: '' }),
      json({ action: 'result', id: 1, type: 105, fields: [0, 3, 0, 0] }),
      json({
        action: 'start',
        id: 2,
        level: 3,
        type: 105,
        text: "building '/nix/store/0123456789abcdfghijklmnpqrsvwxyz-hello-2.12.drv'",
      }),
      json({ action: 'result', id: 1, type: 105, fields: [1, 3, 1, 0] }),
      json({ action: 'start', id: 3, level: 0, type: 103, text: '' }),
      // Nix expects to try a substituter first: no download until one runs or is done.
      json({ action: 'result', id: 3, type: 105, fields: [0, 1, 0, 0] }),
      json({ action: 'result', id: 3, type: 105, fields: [2, 5, 0, 0] }),
      json({ action: 'stop', id: 2 }),
    ]).flatMap((e) => (e.type === 'progress' ? [e.text] : []));
    assert.deepEqual(progress, [
      'evaluating',
      'building 0/3 derivations',
      'building 0/3 derivations, building hello-2.12',
      'building 1/3 derivations, building hello-2.12',
      'building 1/3 derivations, downloading 2/5 paths, building hello-2.12',
      'building 1/3 derivations, downloading 2/5 paths',
    ]);
  });

  it('passes builder output and plain lines through as messages', () => {
    const events = parse([
      json({ action: 'result', id: 9, type: 101, fields: ['make: ok'] }),
      'hello from a hook',
      '@nix {not json',
      '',
    ]);
    assert.deepEqual(
      events.map((e) => (e.type === 'message' ? e.text : e.type)),
      ['make: ok', 'hello from a hook', '@nix {not json'],
    );
  });

  it('finds every position in an error trace', () => {
    const text =
      'error: boom\n\n       at /p/a.nix:12:5:\n\n       … while calling\n       at /p/b.nix:3:1:';
    assert.deepEqual(locationsInText(text), [
      { file: '/p/a.nix', line: 12, column: 5 },
      { file: '/p/b.nix', line: 3, column: 1 },
    ]);
  });
});

describe("nix's internal-json log, fuzzed", () => {
  it('never throws, whatever a line holds', () => {
    const anyJson = fc.jsonValue().map((value) => `@nix ${JSON.stringify(value)}`);
    const record = fc
      .record({
        action: fc.oneof(fc.constantFrom('msg', 'start', 'stop', 'result'), fc.jsonValue()),
        id: fc.jsonValue(),
        level: fc.jsonValue(),
        type: fc.jsonValue(),
        msg: fc.jsonValue(),
        text: fc.jsonValue(),
        fields: fc.jsonValue(),
        file: fc.jsonValue(),
        line: fc.jsonValue(),
      })
      .map((value) => `@nix ${JSON.stringify(value)}`);
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), anyJson, record), { maxLength: 20 }), (lines) => {
        parseLog(lines);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps a record of an unknown shape for the log, as it came', () => {
    assert.deepEqual(parseLog(['@nix null']), [{ type: 'message', level: 3, text: '@nix null' }]);
  });
});
