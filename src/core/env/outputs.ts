import { createHash } from 'node:crypto';
import { nixBase32Encode } from '../pin/hashes';
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
    const local = `${root}/outputs/${name}`;
    if (storePath?.startsWith('/nix/store/')) rewrites.set(storePath, local);
    // nix-shell leaves `placeholder "out"` unsubstituted in values (and, with structured
    // attributes, in the outputs themselves); nix develop gives the output there too.
    rewrites.set(outputPlaceholder(name), local);
  }
  // Longest first, so that a path never replaces the beginning of a longer one.
  const ordered = [...rewrites].sort(([a], [b]) => b.length - a.length);
  return (value) => ordered.reduce((text, [from, to]) => text.split(from).join(to), value);
}

/** What `builtins.placeholder NAME` evaluates to: `/` and the nix-base32 SHA-256 of `nix-output:NAME`. */
export function outputPlaceholder(name: string): string {
  return `/${nixBase32Encode(createHash('sha256').update(`nix-output:${name}`).digest())}`;
}
