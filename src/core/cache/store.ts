import { existsSync } from 'node:fs';
import { open, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ShellState } from '../capture/shellDump';
import type { Mutation } from '../env/mutations';
import { inSyncBatches, readJsonFile, writeFileAtomic } from '../fs';
import type { InputRecord } from './inputs';
import { cacheSchemaVersion } from './key';

/**
 * One captured environment, as stored. Entries are read on every reopen: they are checked by
 * their schema version and shape (cheap, whatever the number of inputs), not parsed field by
 * field; an entry of another version is simply not found.
 */
export interface CacheEntry {
  readonly schema: typeof cacheSchemaVersion;
  readonly key: string;
  readonly targetId: string;
  readonly capturedAt: string;
  readonly nixVersion: string;
  readonly method: 'print-dev-env' | 'nix-shell';
  readonly mutations: readonly Mutation[];
  /** The shell's functions, aliases and variables, which bash terminals define. */
  readonly shell: ShellState;
  readonly inputs: readonly InputRecord[];
  /** Store paths the environment refers to; if one is gone (garbage-collected), re-capture. */
  readonly storePaths: readonly string[];
  readonly gcRoot?: string | undefined;
  /** An input changed while nix was evaluating: the entry may not match the files on disk. */
  readonly unverified: boolean;
  readonly warnings: readonly string[];
  /** Where `<nixpkgs>` came from: the project's pin, the user's channels or NIX_PATH, or nowhere. */
  readonly nixpkgs: 'pinned' | 'search-path' | 'none';
  /**
   * The project folder the environment belongs to, for `nixshell roots` and `gc` (a folder
   * gone means the environment can go). Absent from entries captured before it was recorded.
   */
  readonly project?: string | undefined;
  /** What was entered there, for listings: the target's file, relative to the project. */
  readonly targetLabel?: string | undefined;
}

const mutationKinds = new Set<unknown>(['set', 'prepend', 'append']);
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';
const isStringArray = (value: unknown): boolean => Array.isArray(value) && value.every(isString);

/**
 * Whether a parsed file has an entry's shape. Written only by this program, atomically, so
 * what is checked is what a truncated, hand-edited or foreign file would get wrong: every
 * field's type, and of each input and mutation the fields the engine reads.
 */
function isCacheEntry(value: unknown): value is CacheEntry {
  if (!isObject(value) || value['schema'] !== cacheSchemaVersion) return false;
  const { shell, inputs, mutations } = value;
  return (
    ['key', 'targetId', 'capturedAt', 'nixVersion', 'method', 'nixpkgs'].every((name) =>
      isString(value[name]),
    ) &&
    typeof value['unverified'] === 'boolean' &&
    ['gcRoot', 'project', 'targetLabel'].every(
      (name) => value[name] === undefined || isString(value[name]),
    ) &&
    isStringArray(value['storePaths']) &&
    isStringArray(value['warnings']) &&
    isObject(shell) &&
    ['functions', 'aliases', 'variables'].every((name) => isString(shell[name])) &&
    ['functionNames', 'exportedFunctions', 'aliasNames'].every((name) =>
      isStringArray(shell[name]),
    ) &&
    Array.isArray(mutations) &&
    mutations.every(
      (m) =>
        isObject(m) &&
        isString(m['name']) &&
        (m['kind'] === 'unset' || (mutationKinds.has(m['kind']) && isString(m['value']))),
    ) &&
    Array.isArray(inputs) &&
    inputs.every(
      (input) =>
        isObject(input) &&
        isString(input['path']) &&
        isString(input['hash']) &&
        typeof input['size'] === 'number' &&
        typeof input['mtimeMs'] === 'number' &&
        typeof input['ctimeMs'] === 'number' &&
        typeof input['ino'] === 'number',
    )
  );
}

/**
 * Captured environments, one JSON file per cache key, in the editor's global storage (never in
 * the workspace). Every write is atomic: a reader sees the previous entry or the new one. A
 * power cut may leave an entry empty, which reads as missing (a capture, not a wrong env).
 */
export class EnvironmentCache {
  constructor(readonly directory: string) {}

  private entryFile(key: string): string {
    return path.join(this.directory, 'envs', `${key}.json`);
  }

  private pointerFile(targetId: string): string {
    return path.join(this.directory, 'targets', `${targetId}.json`);
  }

  async read(key: string): Promise<CacheEntry | undefined> {
    const entry = await readJsonFile(this.entryFile(key));
    return isCacheEntry(entry) ? entry : undefined;
  }

  /** The entry last captured for this target, whatever nix or NIX_PATH it was captured with. */
  async latestFor(targetId: string): Promise<CacheEntry | undefined> {
    const pointer = await readJsonFile(this.pointerFile(targetId));
    return isObject(pointer) && isString(pointer['key']) ? this.read(pointer['key']) : undefined;
  }

  /**
   * The target an entry belongs to, read from the start of its file (entries are written with
   * `schema`, `key` and `targetId` first): pruning after a capture reads a few hundred bytes of
   * every entry in the cache, not their thousands of inputs. Undefined when there is no entry.
   */
  async targetIdOf(key: string): Promise<string | undefined> {
    const head = await readHead(this.entryFile(key), 512);
    const found = /^\{"schema":\d+,"key":"[^"\\]*","targetId":"([^"\\]*)"/.exec(head)?.[1];
    return found ?? (await this.read(key))?.targetId;
  }

  async write(entry: CacheEntry): Promise<void> {
    // The fields targetIdOf reads first, whatever order the entry was built in.
    const { schema, key, targetId, ...rest } = entry;
    // Not flushed: a file a power cut left empty is read as missing, and captured again.
    const cacheFile = { flush: false };
    await writeFileAtomic(
      this.entryFile(key),
      JSON.stringify({ schema, key, targetId, ...rest }),
      cacheFile,
    );
    await writeFileAtomic(
      this.pointerFile(entry.targetId),
      JSON.stringify({ key: entry.key }),
      cacheFile,
    );
  }

  async remove(key: string): Promise<void> {
    await rm(this.entryFile(key), { force: true });
  }

  /** Removes an entry and, if its target points at it, the target's pointer. */
  async forget(entry: CacheEntry): Promise<void> {
    const pointer = await readJsonFile(this.pointerFile(entry.targetId));
    if (isObject(pointer) && pointer['key'] === entry.key) {
      await rm(this.pointerFile(entry.targetId), { force: true });
    }
    await this.remove(entry.key);
  }

  /** All entries, for pruning GC roots that no entry refers to any more. */
  async keys(): Promise<string[]> {
    const names = await readdir(path.join(this.directory, 'envs')).catch(() => []);
    return names.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -'.json'.length));
  }
}

/** Up to `bytes` bytes from the start of a file, as text; empty when it cannot be read. */
async function readHead(file: string, bytes: number): Promise<string> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return '';
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(bytes), 0, bytes, 0);
    return buffer.toString('utf8', 0, bytesRead);
  } catch {
    return '';
  } finally {
    await handle.close();
  }
}

/** Whether every store path an entry refers to still exists (a GC may have removed them). */
export function storePathsExist(entry: CacheEntry): boolean {
  // A few dozen paths: synchronous checks cost microseconds, promises a thread-pool trip each.
  return entry.storePaths.every((storePath) => existsSync(storePath));
}

/** The paths that exist. A value may name a store path that was never built (`$out`). */
export async function existingPaths(paths: readonly string[]): Promise<string[]> {
  const exists = await inSyncBatches(paths, 500, (p) => existsSync(p));
  return paths.filter((_, i) => exists[i]);
}

// A store path's own directory, without the path inside it: /nix/store/<32 chars>-<name>.
const storePathPattern = /\/nix\/store\/[0-9a-z]{32}-[^/:\s'"]+/g;

/** The store paths a set of values mention, which must survive for the env to stay usable. */
export function referencedStorePaths(values: readonly string[]): string[] {
  const found = new Set<string>();
  for (const value of values)
    for (const match of value.matchAll(storePathPattern)) found.add(match[0]);
  return [...found].sort();
}
