/** language-configuration.json: its shape, and that its regexes do what they are there for. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './tokenize';

interface AutoClosingPair {
  open: string;
  close: string;
  notIn?: string[];
}

interface LanguageConfiguration {
  comments: { lineComment: string; blockComment: [string, string] };
  brackets: [string, string][];
  autoClosingPairs: AutoClosingPair[];
  surroundingPairs: [string, string][];
  folding: { markers: { start: string; end: string } };
  indentationRules: { increaseIndentPattern: string; decreaseIndentPattern: string };
  wordPattern: string;
}

const config = JSON.parse(
  readFileSync(path.join(ROOT, 'language-configuration.json'), 'utf8'),
) as LanguageConfiguration;

/** The lines of `samples` that `pattern` matches, to compare with the expected ones at once. */
const matching = (pattern: string, samples: string[]) =>
  samples.filter((line) => new RegExp(pattern).test(line));

describe('language-configuration.json', () => {
  it('declares Nix comments and brackets', () => {
    assert.deepEqual(config.comments, { lineComment: '#', blockComment: ['/*', '*/'] });
    assert.deepEqual(config.brackets, [
      ['{', '}'],
      ['[', ']'],
      ['(', ')'],
    ]);
  });

  it('auto-closes quotes outside strings and comments, and interpolations anywhere', () => {
    const pair = (open: string) => config.autoClosingPairs.find((p) => p.open === open);
    assert.deepEqual(pair('"'), { open: '"', close: '"', notIn: ['string', 'comment'] });
    assert.deepEqual(pair("''"), { open: "''", close: "''", notIn: ['string', 'comment'] });
    assert.deepEqual(pair('${'), { open: '${', close: '}' });
    assert.ok(config.surroundingPairs.some(([open]) => open === '"'));
  });

  it('folds # region / # endregion', () => {
    const { start, end } = config.folding.markers;
    const lines = ['# region deps', '  #region', '# endregion', 'x # region', '# regional'];
    assert.deepEqual(matching(start, lines), ['# region deps', '  #region']);
    assert.deepEqual(matching(end, lines), ['# endregion']);
  });

  it('indents after an unclosed {, [, (, let or opening two single quotes', () => {
    const indents = [
      '{',
      '  foo = {',
      'let',
      '  xs = [',
      '  f (',
      "  s = ''",
      '{ # c',
      'a = "}" {',
    ];
    const keeps = ['{ }', 'foo = { a = 1; }', 'x = "{";', 'letter', "  ''", "  '';", 'a # {'];
    const pattern = config.indentationRules.increaseIndentPattern;
    assert.deepEqual(matching(pattern, indents), indents);
    assert.deepEqual(matching(pattern, keeps), []);
  });

  it('dedents closing brackets, in and the closing two single quotes', () => {
    const dedents = ['}', '  ];', ')', 'in', '  in x', "  '';"];
    const keeps = ['inner = 1;', 'index', 'a }', '  x'];
    const pattern = config.indentationRules.decreaseIndentPattern;
    assert.deepEqual(matching(pattern, dedents), dedents);
    assert.deepEqual(matching(pattern, keeps), []);
  });

  it("treats - and ' as identifier characters", () => {
    const words = (text: string) => text.match(new RegExp(config.wordPattern, 'g'));
    assert.deepEqual(words("foo-bar x' x'' = 1.5 + 2;"), ['foo-bar', "x'", "x''", '1.5', '2']);
    assert.deepEqual(words("s = ''a''"), ['s', "a''"]);
  });
});
