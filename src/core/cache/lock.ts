import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { NixShellError } from '../errors';

const pollMs = 200;
/** Older than this, a lock is abandoned whoever holds it (a crashed host, a reused PID). */
const abandonedAfterMs = 24 * 60 * 60 * 1000;

interface Holder {
  readonly pid: number;
  readonly host: string;
  readonly since: number;
}

/**
 * Runs `work` while holding an exclusive lock file, so two windows on one project run a single
 * capture: the second waits, then finds the first one's result in the cache. `work` learns
 * whether it had to wait; `onWait` is told once when waiting starts. A lock whose holder is
 * gone (dead process on this host, or older than a day) is taken over.
 */
export async function withFileLock<T>(
  lockFile: string,
  work: (waited: boolean) => Promise<T>,
  options: { signal?: AbortSignal | undefined; onWait?: (() => void) | undefined } = {},
): Promise<T> {
  await mkdir(path.dirname(lockFile), { recursive: true });
  let waited = false;
  for (;;) {
    if (options.signal?.aborted) {
      throw new NixShellError('cancelled', 'cancelled while waiting for a lock');
    }
    if (await tryCreate(lockFile)) break;
    const holder = await readHolder(lockFile);
    if (holder !== 'unreadable' && !isAlive(holder)) {
      // Another waiter may have taken it over meanwhile: only remove what is still abandoned.
      if (JSON.stringify(await readHolder(lockFile)) === JSON.stringify(holder)) {
        await rm(lockFile, { force: true });
      }
      continue;
    }
    if (!waited) options.onWait?.();
    waited = true;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  try {
    return await work(waited);
  } finally {
    await rm(lockFile, { force: true });
  }
}

async function tryCreate(lockFile: string): Promise<boolean> {
  try {
    const handle = await open(lockFile, 'wx');
    const holder: Holder = { pid: process.pid, host: os.hostname(), since: Date.now() };
    await handle.writeFile(JSON.stringify(holder));
    await handle.close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  }
}

/**
 * The holder; `unreadable` while its creator has not written it yet (or it just vanished);
 * undefined when it never will be (empty for seconds: its creator crashed) or is garbage.
 */
async function readHolder(lockFile: string): Promise<Holder | undefined | 'unreadable'> {
  const text = await readFile(lockFile, 'utf8').catch(() => undefined);
  if (!text) {
    const info = await stat(lockFile).catch(() => undefined);
    return info && Date.now() - info.mtimeMs > 5000 ? undefined : 'unreadable';
  }
  try {
    const value = JSON.parse(text) as Partial<Holder>;
    return typeof value.pid === 'number' && typeof value.since === 'number'
      ? { pid: value.pid, host: value.host ?? '', since: value.since }
      : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(holder: Holder | undefined): boolean {
  if (!holder || Date.now() - holder.since > abandonedAfterMs) return false;
  // A process on another machine (a shared home) cannot be checked; trust the age.
  if (holder.host !== os.hostname()) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
