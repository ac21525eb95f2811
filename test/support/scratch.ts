import { mkdtempSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** Directories made by this test process, removed once at the end of the run. */
const made: string[] = [];

/** A fresh directory for one test; nothing on disk is shared between tests. */
export async function scratchDir(prefix = 'nixshell-nix-'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/**
 * One HOME for every nix process of the run: nix keeps its fetcher and eval caches under
 * ~/.cache/nix, and a HOME shared by the run keeps flake tests from re-fetching everything.
 */
export const sharedHome = (() => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nixshell-nix-home-'));
  made.push(dir);
  return dir;
})();

export async function removeScratchDirs(): Promise<void> {
  const dirs = made.splice(0);
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
}
