import type { CacheEntry } from '../../core/cache/store';
import { splitSearchPath } from '../../core/env/variables';

/**
 * nixd's `nixpkgs.expr` for a folder whose environment was evaluated against a pinned
 * nixpkgs: that very tree, by its store path (first on the environment's NIX_PATH). Taken
 * from the applied environment rather than from the lock file, so the server and the
 * environment always agree, and a new pin restarts the server once, when the environment
 * follows it. Nothing is fetched: the tree is in the store already.
 */
export function pinnedNixpkgsExpr(
  entry: Pick<CacheEntry, 'nixpkgs' | 'mutations'> | undefined,
): string | undefined {
  if (entry?.nixpkgs !== 'pinned') return undefined;
  const nixPath = entry.mutations.find((m) => m.name === 'NIX_PATH' && m.kind === 'prepend');
  if (nixPath?.kind !== 'prepend') return undefined;
  const pinned = splitSearchPath(nixPath.value, 'NIX_PATH').find((e) => e.startsWith('nixpkgs='));
  const storePath = pinned?.slice('nixpkgs='.length);
  return storePath && /^\/nix\/store\/[0-9a-z]{32}-[^/\s]+$/.test(storePath)
    ? `import ${storePath} { }`
    : undefined;
}
