import { stat } from 'node:fs/promises';
import type { EnvironmentCache, CacheEntry } from '../cache/store';
import { existingPaths } from '../cache/store';
import { rootsLastUsed } from '../gcroots';
import { pathInfos, type StoreAccess } from './pathInfo';

/** A captured environment the cache keeps alive against garbage collection. */
export interface KeptEnvironment {
  readonly key: string;
  /** The project folder; null for entries captured before it was recorded. */
  readonly project: string | null;
  readonly target: string | null;
  readonly projectExists: boolean;
  /** When it was last entered (its roots' mtime), else when it was captured. */
  readonly lastUsed: string;
  /** The NAR size of the closure of its store paths, in bytes (shared paths count in each). */
  readonly closureSize: number;
  /** Its store paths' closure, as present in the store. */
  readonly closure: readonly string[];
}

const isDirectory = (dir: string) =>
  stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );

async function describe(
  cache: EnvironmentCache,
  entry: CacheEntry,
  store: StoreAccess,
): Promise<KeptEnvironment> {
  const [lastUsed, projectExists, present] = await Promise.all([
    rootsLastUsed(cache.directory, entry.key),
    entry.project ? isDirectory(entry.project) : Promise.resolve(true),
    existingPaths(entry.storePaths),
  ]);
  const closure = await pathInfos(store, present, undefined, ['--recursive']);
  return {
    key: entry.key,
    project: entry.project ?? null,
    target: entry.targetLabel ?? null,
    projectExists,
    lastUsed: (lastUsed ?? new Date(entry.capturedAt)).toISOString(),
    closureSize: [...closure.values()].reduce((sum, info) => sum + (info.narSize ?? 0), 0),
    closure: [...closure.keys()],
  };
}

/** Every environment in the cache, with its project, closure size and last use. */
export async function keptEnvironments(
  cache: EnvironmentCache,
  store: StoreAccess,
): Promise<KeptEnvironment[]> {
  const entries = await Promise.all((await cache.keys()).map((key) => cache.read(key)));
  const found = entries.filter((entry): entry is CacheEntry => entry !== undefined);
  // One nix at a time: the machine's cores are for the user's work.
  const kept: KeptEnvironment[] = [];
  for (const entry of found) kept.push(await describe(cache, entry, store));
  return kept.sort((a, b) => (a.project ?? '').localeCompare(b.project ?? ''));
}
