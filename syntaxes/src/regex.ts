/**
 * Named regex fragments (Oniguruma syntax) mirroring the token definitions of Nix's own lexer,
 * so that the grammar splits source text where Nix does.
 */

/** Alternation of fragments, wrapped in a non-capturing group. */
export const oneOf = (...parts: string[]): string => `(?:${parts.join('|')})`;

/** Nix identifiers may contain `'` and `-`, so `\b` is not a word boundary for them. */
const IDENT_CHAR = String.raw`[a-zA-Z0-9_'\-]`;
export const IDENT = String.raw`[a-zA-Z_]${IDENT_CHAR}*`;

/** A keyword (or list of words) that is not part of a longer identifier such as `in-tree`. */
export const word = (...words: string[]): string =>
  String.raw`(?<!${IDENT_CHAR})${oneOf(...words)}(?!${IDENT_CHAR})`;

/** Builtins that Nix also binds in the global scope (`builtins.*` is matched separately). */
export const GLOBAL_BUILTINS = [
  'abort',
  'baseNameOf',
  'break',
  'derivation',
  'derivationStrict',
  'dirOf',
  'fetchGit',
  'fetchMercurial',
  'fetchTarball',
  'fetchTree',
  'fromTOML',
  'import',
  'isNull',
  'map',
  'placeholder',
  'removeAttrs',
  'scopedImport',
  'throw',
  'toString',
];

// Paths: `PATH_CHAR*(/PATH_CHAR+)+/?`, so `a/b` is a path but `a / b` and `a // b` are not.
const PATH_CHAR = String.raw`[a-zA-Z0-9._+\-]`;
const PLAIN_PATH = String.raw`${PATH_CHAR}*(?:/${PATH_CHAR}+)+/?`;
const HOME_PATH = String.raw`~(?:/${PATH_CHAR}+)+/?`;
/** A path whose first interpolation comes before any literal segment, e.g. `./${x}` or `~/${x}`. */
const PATH_BEFORE_INTERPOLATION = String.raw`(?:${PATH_CHAR}*/|~/)(?=\$\{)`;
export const PATH_START = oneOf(PLAIN_PATH, HOME_PATH, PATH_BEFORE_INTERPOLATION);
/** Where a path ends: nothing that could continue it (a path character, `/` or `${`) follows. */
export const PATH_END = String.raw`(?!${PATH_CHAR}|/|\$\{)`;
/** `<nixpkgs>` and `<nixpkgs/lib>`; `a < b` has spaces and is a comparison. */
export const SEARCH_PATH = String.raw`(<)(${PATH_CHAR}+(?:/${PATH_CHAR}+)*)(>)`;

/** Unquoted URIs. Nix does not allow `#` in them, so `https://x/y#z` ends before the comment. */
export const URI = String.raw`[a-zA-Z][a-zA-Z0-9+\-.]*:[a-zA-Z0-9%/?:@&=+$,\-_.!~*']+`;

export const FLOAT = String.raw`(?:[1-9][0-9]*\.[0-9]*|0?\.[0-9]+)(?:[eE][+-]?[0-9]+)?`;
export const INT = '[0-9]+';

// An attribute path as written before `=`: `a.b`, `"a b".c`, `${x}.y`. Only used in lookaheads,
// so it need not be exact: one level of braces inside `${}` is enough in practice.
const QUOTED = String.raw`"(?:[^"\\]|\\.)*"`;
const INTERPOLATED = String.raw`\$\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}`;
const ATTR = oneOf(IDENT, QUOTED, INTERPOLATED);
export const ATTR_PATH = String.raw`${ATTR}(?:\s*\.\s*${ATTR})*`;
/** `=` that binds (not the first half of `==`). */
export const BIND = '=(?!=)';

/**
 * Where a binding-like construct (`a = v;`, `with e;`) ends when its `;` is missing: at a closing
 * bracket or `in` that belongs to the enclosing construct. Valid code always reaches the `;` first,
 * because nested brackets and `let … in` are consumed by their own rules.
 */
export const MISSING_SEMICOLON = String.raw`(?=[)\]}]|${word('in')})`;

/**
 * For bindings, also a line that starts a new binding. `(?!\G)` keeps it from firing on the line
 * and column where the binding itself began (a zero-width begin and end there would stall).
 */
export const NEXT_BINDING = String.raw`(?!\G)^(?=\s*(?:${word('inherit')}|${ATTR_PATH}\s*${BIND}))`;
