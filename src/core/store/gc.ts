import path from 'node:path';
import { existingPaths, type EnvironmentCache } from '../cache/store';
import { NixShellError } from '../errors';
import { removeRoots } from '../gcroots';
import { runInProcessGroup } from '../process';
import { pathInfos, type StoreAccess } from './pathInfo';
import { keptEnvironments, type KeptEnvironment } from './roots';

export interface GcOptions {
  /** Environments not entered for this many days go (their folder may still be there). */
  readonly olderThanDays: number;
  /** Say what would go; change nothing. */
  readonly dryRun: boolean;
  /** Also delete old generations of every profile, as `nix-collect-garbage -d`. */
  readonly deleteOld: boolean;
  /**
   * Delete only what the dropped environments held and nothing else needs (`nix-store
   * --delete`), rather than everything unreachable in the store (`nix-store --gc`).
   */
  readonly onlyDropped: boolean;
  readonly now?: Date | undefined;
}

export interface DroppedEnvironment extends KeptEnvironment {
  readonly reason: string;
}

export interface GcResult {
  readonly dropped: DroppedEnvironment[];
  readonly kept: KeptEnvironment[];
  /** Null for a dry run, which deletes nothing. */
  readonly deletedPaths: number | null;
  readonly freedBytes: number | null;
}

const dayMs = 24 * 60 * 60 * 1000;

/** Why an environment may go, or undefined for a live project's, which stays. */
export function reasonToDrop(
  environment: KeptEnvironment,
  olderThanDays: number,
  now: Date,
): string | undefined {
  if (!environment.projectExists) return 'its folder is gone';
  const idle = now.getTime() - Date.parse(environment.lastUsed);
  if (idle >= olderThanDays * dayMs) {
    return `not used for ${Math.floor(idle / dayMs)} days`;
  }
  return undefined;
}

export interface GarbagePlan {
  readonly dropped: DroppedEnvironment[];
  readonly kept: KeptEnvironment[];
}

/** Which environments would go (project folder gone, or idle for `olderThanDays`), and which stay. */
export async function planGarbage(
  cache: EnvironmentCache,
  store: StoreAccess,
  olderThanDays: number,
  now = new Date(),
): Promise<GarbagePlan> {
  const dropped: DroppedEnvironment[] = [];
  const kept: KeptEnvironment[] = [];
  for (const environment of await keptEnvironments(cache, store)) {
    const reason = reasonToDrop(environment, olderThanDays, now);
    if (reason) dropped.push({ ...environment, reason });
    else kept.push(environment);
  }
  return { dropped, kept };
}

/**
 * Removes the cache entries and GC roots of `dropped`, then runs nix's garbage collector.
 * Environments not listed keep their entries and roots: their next entry is a cache hit.
 */
export async function dropAndCollect(
  cache: EnvironmentCache,
  store: StoreAccess,
  dropped: readonly KeptEnvironment[],
  options: Pick<GcOptions, 'deleteOld' | 'onlyDropped'>,
): Promise<Collected> {
  if (options.deleteOld && options.onlyDropped) {
    throw new NixShellError('unsupported', 'old generations are deleted by a full collection');
  }
  for (const environment of dropped) {
    const entry = await cache.read(environment.key);
    if (entry) await cache.forget(entry);
    await removeRoots(cache.directory, environment.key);
  }
  return options.onlyDropped
    ? deleteDead(
        store,
        dropped.flatMap((environment) => environment.closure),
      )
    : runCollector(store, options.deleteOld);
}

/**
 * Drops the environments of projects whose folder is gone or that were not used for
 * `olderThanDays`, then runs nix's garbage collector; a dry run only says what would go.
 */
export async function collectGarbage(
  cache: EnvironmentCache,
  store: StoreAccess,
  options: GcOptions,
): Promise<GcResult> {
  const { dropped, kept } = await planGarbage(cache, store, options.olderThanDays, options.now);
  if (options.dryRun) return { dropped, kept, deletedPaths: null, freedBytes: null };
  return { dropped, kept, ...(await dropAndCollect(cache, store, dropped, options)) };
}

export interface Collected {
  readonly deletedPaths: number;
  readonly freedBytes: number;
}

/** `nix-store --gc`, or `nix-collect-garbage -d` (old generations too) when asked. */
async function runCollector(store: StoreAccess, deleteOld: boolean): Promise<Collected> {
  const binDir = path.dirname(store.nix.nixStore);
  return deleting(
    store,
    deleteOld ? path.join(binDir, 'nix-collect-garbage') : store.nix.nixStore,
    deleteOld ? ['--delete-old'] : ['--gc'],
  );
}

/**
 * Deletes those of `paths` that nothing (no root, no live path) still needs, with the garbage
 * that refers to them: nix (since 2.5) refuses to delete a path that another path still refers
 * to, even a dead one, such as an old build made with the same toolchain.
 */
async function deleteDead(store: StoreAccess, paths: readonly string[]): Promise<Collected> {
  if (paths.length === 0) return { deletedPaths: 0, freedBytes: 0 };
  const dead = await run(store, store.nix.nixStore, ['--gc', '--print-dead']);
  if (dead.exitCode !== 0) throw collectorError(dead.stderrTail);
  const deadPaths = new Set(storePathLines(dead.stdout));
  const held = [...new Set(paths)].filter((p) => deadPaths.has(p));
  if (held.length === 0) return { deletedPaths: 0, freedBytes: 0 };
  // Whatever refers to a dead path is dead too; filtered all the same, since the store may
  // have changed between the two calls.
  const referrers = await run(store, store.nix.nixStore, [
    '--query',
    '--referrers-closure',
    ...held,
  ]);
  if (referrers.exitCode !== 0) throw collectorError(referrers.stderrTail);
  const unneeded = [...new Set([...held, ...storePathLines(referrers.stdout)])].filter((p) =>
    deadPaths.has(p),
  );
  // Nix rounds what it freed to hundredths of a MiB: count the deleted paths' sizes instead.
  const sizes = await pathInfos(store, unneeded);
  const result = await run(store, store.nix.nixStore, ['--delete', ...unneeded]);
  if (result.exitCode !== 0) throw collectorError(result.stderrTail);
  const present = new Set(await existingPaths(unneeded));
  const deleted = unneeded.filter((p) => !present.has(p));
  return {
    deletedPaths: deleted.length,
    freedBytes: deleted.reduce((sum, p) => sum + (sizes.get(p)?.narSize ?? 0), 0),
  };
}

async function deleting(
  store: StoreAccess,
  program: string,
  args: readonly string[],
): Promise<Collected> {
  const result = await run(store, program, args);
  if (result.exitCode !== 0) throw collectorError(result.stderrTail);
  return freedBy(result.stdout);
}

function run(store: StoreAccess, program: string, args: readonly string[]) {
  return runInProcessGroup(program, [...args, ...(store.spec.options ?? [])], {
    cwd: '/',
    env: store.env,
    collectStdout: true,
    signal: store.context.signal,
  });
}

const storePathLines = (output: string) =>
  output.split('\n').filter((line) => line.startsWith('/'));

const units: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

/** Nix's summary line, "N store paths deleted, 1.50 MiB freed". */
export function freedBy(output: string): Collected {
  const summary = /(\d+) store paths deleted, ([\d.]+) (B|KiB|MiB|GiB|TiB) freed/.exec(output);
  if (!summary) return { deletedPaths: 0, freedBytes: 0 };
  const unit = units[summary[3] ?? 'B'] ?? 1024 ** 4;
  return {
    deletedPaths: Number(summary[1]),
    freedBytes: Math.round(Number(summary[2]) * unit),
  };
}

function collectorError(tail: string): NixShellError {
  const line = tail.split('\n').find((l) => l.startsWith('error')) ?? 'see the log';
  return new NixShellError('gc-failed', `nix's garbage collector failed: ${line}`, {
    details: tail,
  });
}
