import { mkdtempSync } from 'node:fs';
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * Directories made by this test process, removed once at the end of the run. Kept on the
 * global object: mocha's `require` and the test files may load this module as two instances.
 */
const registry = Symbol.for('nixshell.test.tempDirs');
const made: string[] = ((globalThis as Record<symbol, string[] | undefined>)[registry] ??= []);

/** A fresh directory under the run's TMPDIR; tests never share state on disk. */
export async function tempDir(prefix = 'nixshell-test-'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** As tempDir, for what a module makes as it loads. */
export function tempDirSync(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Removes every directory tempDir made (test/support/runTmpdir.ts calls it once per run). */
export async function removeTempDirs(): Promise<void> {
  await Promise.all(made.splice(0).map(removeTree));
}

/**
 * Removes a tree, also one holding read-only directories (what nix copies out of the store):
 * as an unprivileged user, rm cannot unlink inside those until they are writable again.
 */
export async function removeTree(dir: string): Promise<void> {
  try {
    await rm(dir, { recursive: true, force: true });
  } catch {
    await makeWritable(dir);
    await rm(dir, { recursive: true, force: true });
  }
}

async function makeWritable(dir: string): Promise<void> {
  await chmod(dir, 0o700).catch(() => undefined);
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (entry.isDirectory()) await makeWritable(path.join(dir, entry.name));
  }
}
