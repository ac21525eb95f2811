import { mkdir, open, readFile, rm, stat, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { NixShellError } from '../errors';
import { processIdentity, type ProcessIdentity } from './processIdentity';

const pollMs = 200;
/** The holder touches the lock file this often, so that any host can see it is still alive. */
export const heartbeatMs = 5_000;
/**
 * A lock not touched for this long is abandoned whoever holds it: a crashed holder on another
 * host (a shared home), or one whose liveness cannot be checked here. Six missed heartbeats.
 */
export const staleAfterMs = 30_000;

/** Who holds a lock, as written into it. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** Epoch milliseconds. */
  readonly since: number;
  /** `/proc/<pid>/stat`'s start time and the boot id: a reused PID has another start time. */
  readonly identity?: ProcessIdentity | undefined;
  /** What holds it, for a waiter to name: `nixshell env`, `VS Code`. */
  readonly client?: string | undefined;
}

export interface LockOptions {
  readonly signal?: AbortSignal | undefined;
  /** Told when waiting starts, and again when another holder takes over meanwhile. */
  readonly onWait?: ((holder: LockHolder) => void) | undefined;
  /** Written into the lock, so that another process waiting for it can say for whom. */
  readonly client?: string | undefined;
}

/**
 * Runs `work` while holding an exclusive lock file, so two windows on one project run a single
 * capture: the second waits, then finds the first one's result in the cache. `work` learns
 * whether it had to wait. A lock whose holder is gone is taken over within a poll: a dead PID
 * on this host, a live PID that is another process now (its start time differs), or a lock
 * whose heartbeat (the file's mtime) stopped, which also covers holders on another host.
 */
export async function withFileLock<T>(
  lockFile: string,
  work: (waited: boolean) => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  // Read while the directory is made: each is a trip to the thread pool before nix can start.
  const [identity] = await Promise.all([
    ownIdentity(),
    mkdir(path.dirname(lockFile), { recursive: true }),
  ]);
  let waited = false;
  let announced: string | undefined;
  for (;;) {
    if (options.signal?.aborted) {
      throw new NixShellError('cancelled', 'cancelled while waiting for a lock');
    }
    if (await tryCreate(lockFile, options.client, identity)) break;
    const holder = await readHolder(lockFile);
    if (holder !== 'unreadable' && !(holder && (await holderAlive(lockFile, holder)))) {
      // Another waiter may have taken it over meanwhile: only remove what is still abandoned.
      if (JSON.stringify(await readHolder(lockFile)) === JSON.stringify(holder)) {
        await rm(lockFile, { force: true });
      }
      continue;
    }
    if (holder !== 'unreadable' && announced !== JSON.stringify(holder)) {
      announced = JSON.stringify(holder);
      options.onWait?.(holder);
    }
    waited = true;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  const heartbeat = setInterval(() => {
    const now = new Date();
    utimes(lockFile, now, now).catch(() => undefined);
  }, heartbeatMs);
  heartbeat.unref();
  try {
    return await work(waited);
  } finally {
    clearInterval(heartbeat);
    await rm(lockFile, { force: true });
  }
}

/** What a waiter says: `the capture of PID 1234 (nixshell env, started 12 s ago)`. */
export function describeHolder(holder: LockHolder, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - holder.since) / 1000));
  const age = seconds < 120 ? `${seconds} s` : `${Math.round(seconds / 60)} min`;
  const where = holder.host && holder.host !== os.hostname() ? ` on ${holder.host}` : '';
  const client = holder.client ? `${holder.client}, ` : '';
  return `the capture of PID ${holder.pid}${where} (${client}started ${age} ago)`;
}

let own: Promise<ProcessIdentity | undefined> | undefined;

/** This process's identity, which cannot change while it runs: read once. */
function ownIdentity(): Promise<ProcessIdentity | undefined> {
  own ??= processIdentity(process.pid);
  return own;
}

async function tryCreate(
  lockFile: string,
  client: string | undefined,
  identity: ProcessIdentity | undefined,
): Promise<boolean> {
  try {
    const handle = await open(lockFile, 'wx');
    const holder: LockHolder = {
      pid: process.pid,
      host: os.hostname(),
      since: Date.now(),
      identity,
      client,
    };
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
async function readHolder(lockFile: string): Promise<LockHolder | undefined | 'unreadable'> {
  const text = await readFile(lockFile, 'utf8').catch(() => undefined);
  if (!text) {
    const info = await stat(lockFile).catch(() => undefined);
    return info && Date.now() - info.mtimeMs > 5000 ? undefined : 'unreadable';
  }
  return parseHolder(text);
}

/** A lock file's content, or undefined for anything that is not one (never throws). */
export function parseHolder(text: string): LockHolder | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { pid, host, since, identity, client } = value as Record<string, unknown>;
  if (!Number.isSafeInteger(pid) || typeof since !== 'number') return undefined;
  const validIdentity =
    typeof identity === 'object' &&
    identity !== null &&
    typeof (identity as Record<string, unknown>)['startTime'] === 'string' &&
    typeof (identity as Record<string, unknown>)['bootId'] === 'string';
  return {
    pid: pid as number,
    host: typeof host === 'string' ? host : '',
    since,
    ...(validIdentity ? { identity: identity as ProcessIdentity } : {}),
    ...(typeof client === 'string' ? { client } : {}),
  };
}

async function holderAlive(lockFile: string, holder: LockHolder): Promise<boolean> {
  const info = await stat(lockFile).catch(() => undefined);
  if (!info) return false;
  // The heartbeat: every holder touches its lock, on any host.
  if (Date.now() - info.mtimeMs > staleAfterMs) return false;
  // A process on another machine (a shared home) cannot be checked: the heartbeat decides.
  if (holder.host !== os.hostname()) return true;
  if (!pidExists(holder.pid)) return false;
  if (!holder.identity) return true;
  const current = await processIdentity(holder.pid);
  // Without /proc (macOS) nothing more can be learnt here; the heartbeat covers a reused PID.
  if (!current) return true;
  // Another boot id: the machine restarted since, so the holder is gone whatever runs now.
  return (
    current.bootId === holder.identity.bootId && current.startTime === holder.identity.startTime
  );
}

function pidExists(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
