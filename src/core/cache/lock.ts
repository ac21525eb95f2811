import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { NixShellError } from '../errors';

const pollMs = 200;

/**
 * Runs `work` while holding an exclusive lock file, so two windows on one project run a single
 * capture: the second waits, then finds the first one's result in the cache. `work` learns
 * whether it had to wait. A lock left by a process that no longer exists is taken over.
 */
export async function withFileLock<T>(
  lockFile: string,
  work: (waited: boolean) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  await mkdir(path.dirname(lockFile), { recursive: true });
  let waited = false;
  for (;;) {
    if (signal?.aborted) throw new NixShellError('cancelled', 'cancelled while waiting for a lock');
    try {
      const handle = await open(lockFile, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (!(await holderAlive(lockFile))) {
        await rm(lockFile, { force: true });
        continue;
      }
      waited = true;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }
  try {
    return await work(waited);
  } finally {
    await rm(lockFile, { force: true });
  }
}

async function holderAlive(lockFile: string): Promise<boolean> {
  const pid = Number.parseInt(await readFile(lockFile, 'utf8').catch(() => ''), 10);
  if (!Number.isInteger(pid) || pid <= 0) {
    // Written but not yet filled in by its creator, or garbage: give it a moment.
    const info = await stat(lockFile).catch(() => undefined);
    return info !== undefined && Date.now() - info.mtimeMs < 5000;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
