import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** A fresh directory under the system temp dir; tests never share state on disk. */
export function tempDir(prefix = 'nixshell-test-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}
