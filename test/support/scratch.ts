import { tempDir, tempDirSync } from './temp';

/** A fresh directory for one test; nothing on disk is shared between tests. */
export function scratchDir(prefix = 'nixshell-nix-'): Promise<string> {
  return tempDir(prefix);
}

/**
 * One HOME for every nix process of the run: nix keeps its fetcher and eval caches under
 * ~/.cache/nix, and a HOME shared by the run keeps flake tests from re-fetching everything.
 */
export const sharedHome = tempDirSync('nixshell-nix-home-');
