import { outputNames } from './variables';

/**
 * Inside a shell, a derivation's outputs (`out`, `dev`, …) name store paths that are unbuilt or
 * read-only. Like `nix develop`, the environment points them at `<root>/outputs/<name>`, in
 * every value that mentions them (`makeFlags=PREFIX=$out`), not only in the output variables.
 */
export function outputRewriter(
  env: Readonly<Record<string, string>>,
  root: string,
  extraNames: readonly string[] = [],
): (value: string) => string {
  const rewrites = new Map<string, string>();
  for (const name of new Set([...outputNames(env), ...extraNames])) {
    const storePath = env[name];
    if (storePath?.startsWith('/nix/store/')) rewrites.set(storePath, `${root}/outputs/${name}`);
  }
  // Longest first, so that a path never replaces the beginning of a longer one.
  const ordered = [...rewrites].sort(([a], [b]) => b.length - a.length);
  return (value) => ordered.reduce((text, [from, to]) => text.split(from).join(to), value);
}
