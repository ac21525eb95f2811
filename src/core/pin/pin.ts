import { stat } from 'node:fs/promises';
import { NixShellError } from '../errors';
import type { PinContext } from './context';
import { fetchGitTree } from './git';
import { pathExists } from '../fs';
import { fixedSourcePath, storeDirOf } from './hashes';
import {
  checkedLockText,
  lockFileName,
  lockFilePath,
  readLock,
  serializeLock,
  writeLock,
  type NixpkgsLock,
  type PinLocked,
  type PinOriginal,
} from './lockFile';
import { isValidStorePath, prefetchTarball, type FetchedTree } from './prefetch';
import { pinHead, resolvePin } from './resolve';
import { ensureShim } from './shim';

/** Resolves, then writes the lock and (if absent or ours) the nixpkgs.nix shim. */
export async function pinNixpkgs(
  dir: string,
  original: PinOriginal,
  context: PinContext,
): Promise<NixpkgsLock> {
  const lock = await resolvePin(original, context);
  await savePin(dir, lock, context);
  return lock;
}

/**
 * The lock is checked first (a refused one leaves no file behind), then the shim is written: if
 * it cannot be, the lock is untouched and the failure is true.
 */
export async function savePin(dir: string, lock: NixpkgsLock, context: PinContext): Promise<void> {
  checkedLockText(lock);
  const lockFile = lockFilePath(dir);
  if ((await stat(lockFile).catch(() => undefined))?.isDirectory()) {
    throw new NixShellError('file-unusable', `${lockFile}: is a directory, not a file`);
  }
  await ensureShim(dir, context.logger);
  await writeLock(dir, lock);
}

/**
 * Writes an update computed earlier (a dry run the user looked at), unless the lock changed in
 * the meantime (a pull, another window): then nothing is written, and it says so.
 */
export async function commitUpdate(
  dir: string,
  update: PinUpdate,
  context: PinContext,
): Promise<void> {
  const current = await readLock(dir);
  if (!current || serializeLock(current) !== serializeLock(update.before)) {
    throw new NixShellError(
      'lock-invalid',
      `${lockFileName} changed while the update was being looked at; update again`,
    );
  }
  await savePin(dir, update.after, context);
}

export async function requireLock(dir: string): Promise<NixpkgsLock> {
  const lock = await readLock(dir);
  if (!lock) {
    throw new NixShellError(
      'lock-invalid',
      `there is no ${lockFileName} in ${dir}; pin nixpkgs first`,
    );
  }
  return lock;
}

export interface PinUpdate {
  before: NixpkgsLock;
  after: NixpkgsLock;
  changed: boolean;
}

/**
 * Re-resolves the lock's `original`. Nothing is written until the new tree is downloaded and
 * hashed, and then atomically: any failure leaves the old lock byte for byte. A branch or
 * channel still at the locked commit downloads nothing; an exact `rev` never moves.
 */
export async function updatePin(
  dir: string,
  context: PinContext,
  options: { dryRun?: boolean } = {},
): Promise<PinUpdate> {
  const before = await requireLock(dir);
  const head = await pinHead(before.original, context);
  if (
    head?.rev === before.locked.rev &&
    (!head.channel || head.channel.url === before.locked.url)
  ) {
    return { before, after: before, changed: false };
  }
  const after = await resolvePin(before.original, context, head);
  if (
    after.locked.rev === before.locked.rev &&
    after.locked.url === before.locked.url &&
    after.locked.narHash !== before.locked.narHash
  ) {
    throw mismatch(before.locked, after.locked.narHash);
  }
  const changed = serializeLock(after) !== serializeLock(before);
  if (changed && !options.dryRun) await savePin(dir, after, context);
  return { before, after, changed };
}

/** A tree to fetch: the locked fields that identify it (a channel import may not know its rev). */
export type TreeRef = Pick<PinLocked, 'type' | 'url' | 'narHash'> & { rev?: string };

function mismatch(tree: TreeRef, actual: string): NixShellError {
  const at = tree.rev ? ` (${tree.rev.slice(0, 7)})` : '';
  return new NixShellError(
    'hash-mismatch',
    `${tree.url}${at} hashes to ${actual}, but the lock says ${tree.narHash}`,
  );
}

/** Downloads the tree again, from scratch, and adds it to the store. */
async function fetchTree(tree: TreeRef, context: PinContext): Promise<FetchedTree> {
  if (tree.type === 'tarball') return prefetchTarball(tree.url, context);
  if (!tree.rev) throw new NixShellError('unsupported', `a git pin of ${tree.url} needs a rev`);
  return fetchGitTree(tree.url, tree.rev, context);
}

async function fetchAndCheck(tree: TreeRef, context: PinContext): Promise<FetchedTree> {
  const fetched = await fetchTree(tree, context);
  if (fetched.narHash !== tree.narHash) throw mismatch(tree, fetched.narHash);
  return fetched;
}

/** The tree in the store: present already (its path follows from the hash), or fetched and checked. */
export async function realiseTree(tree: TreeRef, context: PinContext): Promise<string> {
  const storePath = fixedSourcePath(tree.narHash, storeDirOf(context.env));
  if (await isValidStorePath(storePath, context)) return storePath;
  context.logger.info(`fetching ${tree.url}${tree.rev ? ` (${tree.rev})` : ''}`);
  return (await fetchAndCheck(tree, context)).storePath;
}

/**
 * Re-fetches the pinned tree (nix-prefetch-url or git, neither of which consults a cache) and
 * checks it against the lock: `hash-mismatch` if the server now gives different content.
 */
export async function verifyPin(dir: string, context: PinContext): Promise<{ storePath: string }> {
  const lock = await requireLock(dir);
  const fetched = await fetchAndCheck(lock.locked, context);
  return { storePath: fetched.storePath };
}

/** The store path the pinned tree has (or will have), computed from its hash alone. */
export function pinnedStorePath(lock: NixpkgsLock, storeDir?: string): string {
  return fixedSourcePath(lock.locked.narHash, storeDir);
}

/** The pinned tree's store path if it is on disk; no process is started. */
export async function pinnedStorePathIfPresent(
  lock: NixpkgsLock,
  storeDir?: string,
): Promise<string | undefined> {
  const storePath = pinnedStorePath(lock, storeDir);
  return (await pathExists(storePath)) ? storePath : undefined;
}

/**
 * The pinned tree in the store, for `-I nixpkgs=<path>`. The path is derived from the hash, so
 * a valid path is the verified tree and nothing is downloaded (this works offline); otherwise
 * it is fetched and its hash checked before the path is returned.
 */
export async function realisePin(lock: NixpkgsLock, context: PinContext): Promise<string> {
  return realiseTree(lock.locked, context);
}
