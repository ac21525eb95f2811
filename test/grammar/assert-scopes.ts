/** The compact assertion style of the grammar tests: `[line, fragment, scope]` rows. */
import assert from 'node:assert/strict';
import type { Token, TokenizedLine } from './tokenize';

/**
 * `[line (1-based), fragment, scope, occurrence?]`. The fragment is found as a whole word (like an
 * editor's "match whole word") at its nth occurrence on the line (default 1st). Every token that
 * overlaps it must carry the scope, or a more specific one (`string` matches `string.quoted.x`).
 * A scope written `!scope` must be carried by none of those tokens.
 */
export type Check = readonly [line: number, fragment: string, scope: string, occurrence?: number];

const isWordChar = (char: string | undefined): boolean => char !== undefined && /\w/.test(char);

function findFragment(text: string, fragment: string, occurrence: number): number {
  let seen = 0;
  for (let at = text.indexOf(fragment); at !== -1; at = text.indexOf(fragment, at + 1)) {
    const end = at + fragment.length;
    const cutsWordBefore = isWordChar(fragment[0]) && isWordChar(text[at - 1]);
    const cutsWordAfter = isWordChar(fragment.at(-1)) && isWordChar(text[end]);
    if (!cutsWordBefore && !cutsWordAfter && ++seen === occurrence) return at;
  }
  return -1;
}

const carries = (token: Token, scope: string): boolean =>
  token.scopes.some((s) => s === scope || s.startsWith(`${scope}.`));

export function assertScopes(file: string, lines: TokenizedLine[], checks: readonly Check[]) {
  for (const [lineNumber, fragment, expected, occurrence = 1] of checks) {
    const where = `${file}:${lineNumber} ${JSON.stringify(fragment)}${occurrence > 1 ? ` #${occurrence}` : ''}`;
    const line = lines[lineNumber - 1];
    assert.ok(line, `${where}: no such line`);
    const start = findFragment(line.text, fragment, occurrence);
    assert.ok(start !== -1, `${where}: not found in ${JSON.stringify(line.text)}`);
    const end = start + fragment.length;
    const tokens = line.tokens.filter((token) => token.start < end && token.end > start);
    const negated = expected.startsWith('!');
    const scope = negated ? expected.slice(1) : expected;
    const ok = negated
      ? !tokens.some((token) => carries(token, scope))
      : tokens.length > 0 && tokens.every((token) => carries(token, scope));
    const actual = tokens.map((t) => `${JSON.stringify(t.text)}: ${t.scopes.join(' ')}`);
    assert.ok(ok, `${where}: expected ${expected}, got\n  ${actual.join('\n  ')}`);
  }
}
