/**
 * The subset of the TextMate grammar format that our grammars use. Typed here rather than taken
 * from vscode-textmate because its raw types are readonly and carry loader-only fields.
 */
export interface Rule {
  name?: string;
  contentName?: string;
  include?: string;
  match?: string;
  begin?: string;
  end?: string;
  while?: string;
  captures?: Captures;
  beginCaptures?: Captures;
  endCaptures?: Captures;
  whileCaptures?: Captures;
  patterns?: Rule[];
  applyEndPatternLast?: boolean;
}

/** Capture group number (as a string key) to the rule applied to that group. */
export type Captures = Record<string, Rule>;

export interface Grammar {
  information_for_contributors?: string[];
  name?: string;
  scopeName: string;
  fileTypes?: string[];
  injectionSelector?: string;
  patterns: Rule[];
  repository: Record<string, Rule>;
}

/** Shorthand for `{ include: '#name' }`. */
export const ref = (name: string): Rule => ({ include: `#${name}` });

/** Shorthand for a captures map whose groups only need a scope name. */
export function scopes(...names: (string | undefined)[]): Captures {
  const out: Captures = {};
  names.forEach((name, index) => {
    if (name !== undefined) out[String(index)] = { name };
  });
  return out;
}
