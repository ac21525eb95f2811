/**
 * What happens to each variable a Nix environment defines (anchors-envcapture §5).
 *
 * - `ignore`: nix's value is never applied; the user's own value, if any, stays. Covers builder
 *   values (HOME=/homeless-shelter, a deleted TMPDIR), bash session state and build-only knobs.
 * - `search-path`: a colon-separated search path; nix's entries go where nix-shell puts them,
 *   before or after the user's, so the user's tools stay reachable and nothing is replaced.
 * - anything else is taken as nix (and the shellHook) left it, byte for byte.
 */
export type VariableRule = 'ignore' | 'search-path';

interface RuleEntry {
  readonly rule: VariableRule;
  readonly why: string;
}

const ignore = (why: string): RuleEntry => ({ rule: 'ignore', why });
const searchPath = (why: string): RuleEntry => ({ rule: 'search-path', why });

export const variableRules: Readonly<Record<string, RuleEntry>> = {
  HOME: ignore('the builder sets /homeless-shelter'),
  USER: ignore('the user, not the builder'),
  LOGNAME: ignore('the user, not the builder'),
  TMP: ignore('points at the deleted build directory'),
  TMPDIR: ignore('points at the deleted build directory'),
  TEMP: ignore('points at the deleted build directory'),
  TEMPDIR: ignore('points at the deleted build directory'),
  NIX_BUILD_TOP: ignore('points at the deleted build directory'),
  TERM: ignore("the builder's terminal, not the user's"),
  TZ: ignore("the builder's time zone, not the user's"),
  SHELL: ignore('builders set it to bash or nologin; the user keeps their shell'),
  PWD: ignore('session state'),
  OLDPWD: ignore('session state'),
  SHLVL: ignore('session state'),
  _: ignore('session state'),
  PS1: ignore('session state'),
  COMP_WORDBREAKS: ignore('bash internal'),
  SHELLOPTS: ignore('bash internal, read-only'),
  BASHOPTS: ignore('bash internal, read-only'),
  PPID: ignore('bash internal, read-only'),
  UID: ignore('bash internal, read-only'),
  EUID: ignore('bash internal, read-only'),
  NIX_LOG_FD: ignore('build-only'),
  NIX_REMOTE: ignore('build-only'),
  NIX_ENFORCE_PURITY: ignore('build-only; purity breaks host headers'),
  NIX_BUILD_SHELL: ignore('set by the nix-shell fallback itself'),
  NIX_GCROOT: ignore('build-only'),
  PATH: searchPath('search path'),
  NIX_PATH: searchPath('search path for <nixpkgs>: a pinned nixpkgs goes first'),
  XDG_DATA_DIRS: searchPath('search path'),
  XDG_CONFIG_DIRS: searchPath('search path'),
  MANPATH: searchPath('search path'),
  INFOPATH: searchPath('search path'),
  TERMINFO_DIRS: searchPath('search path'),
  PKG_CONFIG_PATH: searchPath('search path'),
  ACLOCAL_PATH: searchPath('search path'),
  CMAKE_PREFIX_PATH: searchPath('search path'),
  PYTHONPATH: searchPath('search path'),
  PERL5LIB: searchPath('search path'),
  GI_TYPELIB_PATH: searchPath('search path'),
  GSETTINGS_SCHEMAS_PATH: searchPath('search path'),
};

/** Placeholders nix's pure environments put where a certificate bundle would be. */
const placeholderValues: Readonly<Record<string, string>> = {
  SSL_CERT_FILE: '/no-cert-file.crt',
  NIX_SSL_CERT_FILE: '/no-cert-file.crt',
};

/** What the XDG spec means by an unset variable; kept when nix's entries are put in front. */
export const searchPathDefaults: Readonly<Record<string, string>> = {
  XDG_DATA_DIRS: '/usr/local/share:/usr/share',
  XDG_CONFIG_DIRS: '/etc/xdg',
};

/** Entries that are never useful on a search path: empty, relative `.`, nix's placeholder. */
const junkEntries = new Set(['', '.', '/path-not-set']);

const validName = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ignoredPrefixes = ['BASH_FUNC_', 'BASH_', 'DIRENV_', 'NIX_ATTRS_', '__NIXSHELL_'];

/** Variables of the editor's own process that must not leak into a capture or a diff. */
const hostPrefixes = ['VSCODE_', 'ELECTRON_'];

export function isValidName(name: string): boolean {
  return validName.test(name);
}

export function ruleFor(name: string, value?: string): VariableRule | 'take' {
  const entry = variableRules[name];
  if (entry) return entry.rule;
  if (!isValidName(name)) return 'ignore';
  if (ignoredPrefixes.some((p) => name.startsWith(p))) return 'ignore';
  if (value !== undefined && placeholderValues[name] === value) return 'ignore';
  return 'take';
}

export function isHostVariable(name: string): boolean {
  return hostPrefixes.some((p) => name.startsWith(p));
}

/**
 * The entries of a search path. NIX_PATH entries may be URLs (`nixpkgs=https://…`), whose
 * `://` does not separate entries.
 */
export function splitSearchPath(value: string | undefined, name?: string): string[] {
  return searchPathEntries(value, name).filter((entry) => !junkEntries.has(entry));
}

/** All entries, as the user wrote them (a `.` of theirs is theirs to keep). */
export function searchPathEntries(value: string | undefined, name?: string): string[] {
  if (value === undefined) return [];
  return value.split(name === 'NIX_PATH' ? /:(?!\/\/)/ : ':');
}

/**
 * The names nix treats as outputs (`out`, `dev`, …). Inside a shell they point at unbuilt or
 * read-only store paths; like `nix develop`, they are pointed at `<root>/outputs/<name>`.
 */
export function outputNames(env: Readonly<Record<string, string>>): string[] {
  const declared = env['outputs'];
  // A derivation without `outputs` has the one output `out`.
  if (declared === undefined) return env['out'] === undefined ? [] : ['out'];
  return declared.split(/\s+/).filter(isValidName);
}

/** `passAsFile` turns `foo` into `fooPath`, a file in the deleted build directory. */
export function passAsFileNames(env: Readonly<Record<string, string>>): string[] {
  return (env['passAsFile'] ?? '')
    .split(/\s+/)
    .filter(isValidName)
    .map((name) => `${name}Path`);
}
