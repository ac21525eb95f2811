/**
 * Checks of the grammar files as data: they are what the sources generate, every regex compiles
 * in Oniguruma (vscode-textmate compiles rules lazily, so tokenizing alone would miss unused
 * ones), every `#include` resolves, no rule is dead, and scope names carry the language suffix.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { OUTPUTS, SYNTAXES_DIR, render } from '../../syntaxes/src/build';
import type { Grammar, Rule } from '../../syntaxes/src/textmate';
import { loadOniguruma } from './tokenize';

const CAPTURE_KEYS = ['captures', 'beginCaptures', 'endCaptures', 'whileCaptures'] as const;

/** Every rule in a grammar, including those nested in patterns and captures. */
function allRules(grammar: Grammar): Rule[] {
  const out: Rule[] = [];
  const visit = (rule: Rule): void => {
    out.push(rule);
    rule.patterns?.forEach(visit);
    for (const key of CAPTURE_KEYS) Object.values(rule[key] ?? {}).forEach(visit);
  };
  grammar.patterns.forEach(visit);
  Object.values(grammar.repository).forEach(visit);
  return out;
}

for (const { file } of OUTPUTS) {
  describe(`syntaxes/${file}`, () => {
    const text = readFileSync(path.join(SYNTAXES_DIR, file), 'utf8');
    const grammar = JSON.parse(text) as Grammar;
    const rules = allRules(grammar);

    it('is what syntaxes/src/generate.ts writes from the sources', () => {
      const output = OUTPUTS.find((o) => o.file === file);
      assert.ok(output);
      assert.equal(text, render(output.grammar), 'stale: run npx tsx syntaxes/src/generate.ts');
    });

    it('has only regexes that Oniguruma compiles', async () => {
      const onig = await loadOniguruma();
      const sources = rules.flatMap((rule) => {
        // End and while patterns may refer back to begin captures; vscode-textmate substitutes
        // the captured text before compiling, as done here with an empty capture.
        const resolved = [rule.end, rule.while].map((re) => re?.replace(/\\(\d+)/g, ''));
        return [rule.match, rule.begin, ...resolved].filter((re) => re !== undefined);
      });
      assert.ok(sources.length > 0, 'expected the grammar to have regexes');
      for (const source of sources) {
        assert.doesNotThrow(() => onig.createOnigScanner([source]), `does not compile: ${source}`);
      }
    });

    it('resolves every local include and uses every repository rule', () => {
      const used = new Set(
        rules.flatMap((rule) => (rule.include?.startsWith('#') ? [rule.include.slice(1)] : [])),
      );
      const defined = new Set(Object.keys(grammar.repository));
      const unknown = [...used].filter((name) => !defined.has(name));
      const unused = [...defined].filter((name) => !used.has(name));
      assert.deepEqual(unknown, [], 'unknown includes');
      assert.deepEqual(unused, [], 'unused rules');
    });

    it('gives every scope a language suffix', () => {
      // The injection's own scopes are Markdown's; only the embedded block is Nix.
      const suffixes = grammar.scopeName === 'source.nix' ? ['.nix'] : ['.markdown', '.nix'];
      const names = rules.flatMap((rule) => [rule.name, rule.contentName]);
      const scopes = names.flatMap((name) => name?.split(' ') ?? []);
      assert.ok(scopes.length > 0);
      const unsuffixed = scopes.filter((scope) => !suffixes.some((s) => scope.endsWith(s)));
      assert.deepEqual(unsuffixed, []);
    });
  });
}
