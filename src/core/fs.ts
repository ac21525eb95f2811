import { randomBytes } from 'node:crypto';
import { accessSync, constants, statSync } from 'node:fs';
import {
  access,
  mkdir,
  open,
  readdir,
  readFile,
  readlink,
  realpath,
  rename,
  rm,
  stat,
} from 'node:fs/promises';
import path from 'node:path';
import { fileErrorMessage, NixShellError } from './errors';

/**
 * Writes a file so that readers see either the old content or the new, never half of it:
 * write a sibling temp file, flush it to disk, then rename it over the target. Every file the
 * engine writes in place goes through here. A symbolic link (a lock shared between projects)
 * is written through: the temp file goes beside the link's target and replaces the target, so
 * the link stays a link.
 *
 * `flush: false` skips the flush, for files that are only a cache: after a power cut such a
 * file may be empty, which its reader takes for missing, and a flush can cost a laptop's disk
 * tens of milliseconds.
 */
export async function writeFileAtomic(
  destination: string,
  content: string | Uint8Array,
  { flush = true }: { readonly flush?: boolean } = {},
): Promise<void> {
  const file = await linkTarget(destination);
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(content);
      if (flush) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    const message = fileErrorMessage(error, file);
    throw message ? new NixShellError('file-unusable', message, { cause: error }) : error;
  }
}

/** Where writing `file` must land: the file a chain of links ends at (existing or not). */
async function linkTarget(file: string, depth = 0): Promise<string> {
  try {
    return await realpath(file);
  } catch {
    // Missing, or a link to a file yet to be created: follow the links by hand.
  }
  if (depth > 40) return file;
  try {
    return await linkTarget(path.resolve(path.dirname(file), await readlink(file)), depth + 1);
  } catch {
    return file;
  }
}

/** Reads and parses a JSON file; undefined when it is missing or not valid JSON. */
export async function readJsonFile(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Whether a file is a regular file this process may execute. Synchronous: two syscalls of
 * microseconds each, where promises would cost a thread-pool trip each, for every entry of
 * PATH searched.
 */
export function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

export async function pathExists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * `work` for each item, synchronously, `perTurn` items per turn of the event loop. For small
 * file operations (a stat, a symlink): a synchronous one costs its syscall, some microseconds,
 * where a promise costs a thread-pool round trip and, when it fails, an Error with its stack.
 * The turns between batches keep the event loop responsive however many items there are.
 */
export async function inSyncBatches<T, R>(
  items: readonly T[],
  perTurn: number,
  work: (item: T, index: number) => R,
): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += perTurn) {
    if (start > 0) await new Promise((resolve) => setImmediate(resolve));
    const end = Math.min(items.length, start + perTurn);
    for (let i = start; i < end; i++) results.push(work(items[i] as T, i));
  }
  return results;
}

/**
 * Keeps the `count` most recently written files of `dir` whose names `matches` accepts, and
 * removes the others: for caches that gain a file per version of what they cache.
 */
export async function keepNewest(
  dir: string,
  matches: (name: string) => boolean,
  count: number,
): Promise<void> {
  const names = (await readdir(dir)).filter(matches);
  if (names.length <= count) return;
  const dated = await Promise.all(
    names.map(async (name) => {
      const file = path.join(dir, name);
      return { file, written: (await stat(file).catch(() => undefined))?.mtimeMs ?? 0 };
    }),
  );
  dated.sort((a, b) => b.written - a.written);
  await Promise.all(dated.slice(count).map(({ file }) => rm(file, { force: true })));
}
