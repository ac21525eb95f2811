/**
 * The Markdown injection, loaded the way VS Code loads it (`injectTo: text.html.markdown`) into a
 * stand-in Markdown grammar. The stand-in has its own plain fenced-block rule, like the real one,
 * so these tests also show that the injection takes precedence over it.
 */
import assert from 'node:assert/strict';
import { assertScopes, type Check } from './assert-scopes';
import { loadGrammar, tokenize } from './tokenize';

const MARKDOWN_HOST = JSON.stringify({
  scopeName: 'text.html.markdown',
  patterns: [
    { name: 'markup.heading.markdown', match: '^#{1,6} .*$' },
    { name: 'markup.fenced_code.block.markdown', begin: '^(`{3,}|~{3,}).*$', end: '^\\1\\s*$' },
  ],
});

const DOCUMENT = [
  '# Title', // 1
  '```nix', // 2
  'let x = "a"; in x # comment', // 3
  "s = ''unterminated", // 4
  '```', // 5
  '# After', // 6
  '~~~NIX title="flake.nix"', // 7
  '{ a }: a', // 8
  '~~~', // 9
  '```nixos', // 10
  'let', // 11
  '```', // 12
  '```python', // 13
  'let = 1', // 14
  '```', // 15
].join('\n');

const NIX_BLOCK = 'meta.embedded.block.nix';

const CHECKS: readonly Check[] = [
  [1, '# Title', 'markup.heading.markdown'],
  [2, '```', 'punctuation.definition.markdown'],
  [2, 'nix', 'fenced_code.block.language.markdown'],
  [3, 'let', NIX_BLOCK],
  [3, 'let', 'keyword.other.let.nix'],
  [3, '"a"', 'string.quoted.double.nix'],
  [3, 'in', 'keyword.other.in.nix'],
  [3, '# comment', 'comment.line.number-sign.nix'],
  [4, "''unterminated", 'string.quoted.other.nix'],
  // The closing fence ends the block even though the Nix string above never closed.
  [5, '```', 'punctuation.definition.markdown'],
  [5, '```', '!string'],
  [6, '# After', 'markup.heading.markdown'],
  [6, '# After', '!comment'],
  [7, 'NIX', 'fenced_code.block.language.markdown'],
  [7, 'title="flake.nix"', 'fenced_code.block.language.attributes.markdown'],
  [8, 'a', 'variable.parameter.function.nix'],
  [10, 'nixos', '!fenced_code.block.language'],
  [11, 'let', '!keyword'],
  [11, 'let', 'markup.fenced_code.block.markdown'],
  [14, 'let', '!keyword'],
  [14, 'let', 'markup.fenced_code.block.markdown'],
];

describe('Markdown injection (markdown.nix.codeblock)', () => {
  it('highlights ```nix fenced blocks with source.nix and nothing else', async () => {
    const markdown = await loadGrammar('text.html.markdown', {
      extraGrammars: { 'text.html.markdown': MARKDOWN_HOST },
      injections: { 'text.html.markdown': ['markdown.nix.codeblock'] },
    });
    assertScopes('document.md', tokenize(markdown, DOCUMENT), CHECKS);
  });

  it('is what does the highlighting (control: without it, no Nix scopes)', async () => {
    const markdown = await loadGrammar('text.html.markdown', {
      extraGrammars: { 'text.html.markdown': MARKDOWN_HOST },
    });
    const scopes = tokenize(markdown, DOCUMENT).flatMap((line) =>
      line.tokens.flatMap((token) => token.scopes),
    );
    assert.ok(scopes.includes('markup.fenced_code.block.markdown'));
    assert.deepEqual(
      scopes.filter((scope) => scope.endsWith('.nix')),
      [],
    );
  });
});
