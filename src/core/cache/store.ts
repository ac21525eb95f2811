import { access, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod/mini';
import { readJsonFile, writeFileAtomic } from '../fs';
import { cacheSchemaVersion } from './key';

const mutationSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('set'), name: z.string(), value: z.string() }),
  z.object({
    kind: z.enum(['prepend', 'append']),
    name: z.string(),
    value: z.string(),
    whenUnset: z.optional(z.string()),
  }),
  z.object({ kind: z.literal('unset'), name: z.string() }),
]);

const inputSchema = z.object({
  path: z.string(),
  kind: z.enum(['file', 'directory', 'missing']),
  size: z.number(),
  mtimeMs: z.number(),
  ino: z.number(),
  hash: z.string(),
});

const shellStateSchema = z.object({
  functions: z.string(),
  functionNames: z.array(z.string()),
  exportedFunctions: z.array(z.string()),
  aliases: z.string(),
  aliasNames: z.array(z.string()),
  variables: z.string(),
});

const entrySchema = z.object({
  schema: z.literal(cacheSchemaVersion),
  key: z.string(),
  targetId: z.string(),
  capturedAt: z.string(),
  nixVersion: z.string(),
  method: z.enum(['print-dev-env', 'nix-shell']),
  mutations: z.array(mutationSchema),
  /** The shell's functions, aliases and variables, which bash terminals define. */
  shell: shellStateSchema,
  inputs: z.array(inputSchema),
  /** Store paths the environment refers to; if one is gone (garbage-collected), re-capture. */
  storePaths: z.array(z.string()),
  gcRoot: z.optional(z.string()),
  /** An input changed while nix was evaluating: the entry may not match the files on disk. */
  unverified: z.boolean(),
  warnings: z.array(z.string()),
  /** Where `<nixpkgs>` came from: the project's pin, the user's channels or NIX_PATH, or nowhere. */
  nixpkgs: z.enum(['pinned', 'search-path', 'none']),
});

export type CacheEntry = z.infer<typeof entrySchema>;

const pointerSchema = z.object({ key: z.string() });

/**
 * Captured environments, one JSON file per cache key, in the editor's global storage (never in
 * the workspace). Every write is atomic, so a crash leaves the previous entry intact.
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
    const parsed = entrySchema.safeParse(await readJsonFile(this.entryFile(key)));
    return parsed.success ? parsed.data : undefined;
  }

  /** The entry last captured for this target, whatever nix or NIX_PATH it was captured with. */
  async latestFor(targetId: string): Promise<CacheEntry | undefined> {
    const pointer = pointerSchema.safeParse(await readJsonFile(this.pointerFile(targetId)));
    return pointer.success ? this.read(pointer.data.key) : undefined;
  }

  async write(entry: CacheEntry): Promise<void> {
    await writeFileAtomic(this.entryFile(entry.key), JSON.stringify(entry, null, 1));
    await writeFileAtomic(this.pointerFile(entry.targetId), JSON.stringify({ key: entry.key }));
  }

  async remove(key: string): Promise<void> {
    await rm(this.entryFile(key), { force: true });
  }

  /** All entries, for pruning GC roots that no entry refers to any more. */
  async keys(): Promise<string[]> {
    const names = await readdir(path.join(this.directory, 'envs')).catch(() => []);
    return names.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -'.json'.length));
  }
}

/** Whether every store path an entry refers to still exists (a GC may have removed them). */
export async function storePathsExist(entry: CacheEntry): Promise<boolean> {
  return (await existingPaths(entry.storePaths)).length === entry.storePaths.length;
}

/** The paths that exist. A value may name a store path that was never built (`$out`). */
export async function existingPaths(paths: readonly string[]): Promise<string[]> {
  const exists = await Promise.all(
    paths.map((p) =>
      access(p).then(
        () => true,
        () => false,
      ),
    ),
  );
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
