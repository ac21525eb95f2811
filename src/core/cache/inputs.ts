import { createHash } from 'node:crypto';
import { readFileSync, statSync, type Stats } from 'node:fs';
import { lstat, readFile, readdir, readlink, stat } from 'node:fs/promises';
import path from 'node:path';
import { inSyncBatches } from '../fs';

/**
 * One file or directory evaluation read, as it was when the environment was captured. Checking
 * it costs a stat; the content hash is only computed when size, mtime, ctime or inode moved,
 * so `touch` alone does not make an environment stale.
 */
export interface InputRecord {
  readonly path: string;
  readonly kind: 'file' | 'directory' | 'missing';
  readonly size: number;
  readonly mtimeMs: number;
  /** Moves on every write, even one that puts the old mtime back (`touch -r`, `cp -p`). */
  readonly ctimeMs: number;
  readonly ino: number;
  /** sha256 of the content (files) or of every path and content below it (directories). */
  readonly hash: string;
}

/** Below a directory input, these never influence an evaluation worth re-running for. */
const ignoredInTrees = new Set(['.git', 'node_modules', '.direnv', 'outputs']);
const treeLimit = 20_000;

/**
 * Whether a file or directory found *below* a directory input is left out: VCS data,
 * dependency trees, `nix-build`'s out-links (`result`, `result-dev`) and `outputs/`.
 */
export function ignoredBelowInput(name: string): boolean {
  return ignoredInTrees.has(name) || name === 'result' || name.startsWith('result-');
}

export async function recordInput(file: string): Promise<InputRecord> {
  const info = await stat(file).catch(() => undefined);
  if (!info) return missingRecord(file);
  const kind = info.isDirectory() ? 'directory' : 'file';
  const quick = kind === 'directory' ? await treeStamp(file) : stamp(info);
  return {
    path: file,
    kind,
    size: quick.size,
    mtimeMs: quick.mtimeMs,
    ctimeMs: quick.ctimeMs,
    ino: quick.ino,
    hash: await contentHash(file, kind),
  };
}

/**
 * Records inputs once each, starting as soon as a path is known: a capture hands it the files
 * nix reports reading while evaluation goes on, so reading and hashing them overlaps nix.
 * Files are read synchronously in batches, a turn of the event loop apart: a promise-based
 * read costs four thread-pool trips (open, stat, read, close) per file. A file edited after it
 * was recorded only makes the entry look stale later (a re-capture); one edited before, while
 * nix ran, has an mtime after the capture started and is re-checked.
 */
export class InputRecorder {
  private readonly records = new Map<string, Promise<InputRecord>>();
  private readonly pending: { file: string; resolve: (record: InputRecord) => void }[] = [];
  private scheduled = false;

  record(file: string): Promise<InputRecord> {
    let record = this.records.get(file);
    if (!record) {
      record = new Promise((resolve) => this.pending.push({ file, resolve }));
      this.records.set(file, record);
      this.schedule();
    }
    return record;
  }

  /** Starts recording a file nix reported, when it is one of the project's (not the store's). */
  prefetch(file: string): void {
    if (path.isAbsolute(file) && !file.startsWith('/nix/store/')) void this.record(file);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      for (const { file, resolve } of this.pending.splice(0, hashBatch)) {
        const info = statSync(file, { throwIfNoEntry: false });
        if (info?.isFile()) resolve(fileRecord(file, info));
        else if (!info) resolve(missingRecord(file));
        else void recordInput(file).then(resolve);
      }
      if (this.pending.length > 0) this.schedule();
    });
  }
}

function fileRecord(file: string, info: Stats): InputRecord {
  let hash: string;
  try {
    hash = createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    hash = 'unreadable';
  }
  return { path: file, kind: 'file', ...stamp(info), hash };
}

function missingRecord(file: string): InputRecord {
  return { path: file, kind: 'missing', size: 0, mtimeMs: 0, ctimeMs: 0, ino: 0, hash: '' };
}

export type InputCheck = { readonly changed: false } | { readonly changed: true; reason: string };

/** Files stat-ed per turn of the event loop: about a millisecond of blocking each. */
const statBatch = 500;
/** Files read and hashed per turn of the event loop, while nix evaluates: a few milliseconds. */
const hashBatch = 100;

/**
 * The first input that differs from its record, if any. Files are stat-ed synchronously in
 * batches, with a turn of the event loop between them: a synchronous stat costs a syscall,
 * while a promise per file costs a thread-pool round trip and its allocations, several times
 * the syscall. Only inputs whose stamp moved are read and hashed.
 */
export async function firstChangedInput(
  records: readonly InputRecord[],
): Promise<(InputCheck & { readonly changed: true }) | undefined> {
  const statted = await inSyncBatches(records, statBatch, (record) => {
    const info = statSync(record.path, { throwIfNoEntry: false });
    const unchanged =
      (record.kind === 'file' && info?.isFile() && sameStamp(record, stamp(info))) ||
      (record.kind === 'missing' && !info);
    return unchanged ? undefined : { record, info };
  });
  for (const suspect of statted) {
    if (!suspect) continue;
    const check = await checkStatted(suspect.record, suspect.info);
    if (check.changed) return check;
  }
  return undefined;
}

/** Whether an input differs from its record: cheap stats first, content hashes only if needed. */
export async function checkInput(record: InputRecord): Promise<InputCheck> {
  return checkStatted(record, await stat(record.path).catch(() => undefined));
}

async function checkStatted(record: InputRecord, info: Stats | undefined): Promise<InputCheck> {
  if (!info) {
    return record.kind === 'missing' ? unchanged : changed(`${record.path} was removed`);
  }
  if (record.kind === 'missing') return changed(`${record.path} was created`);
  const kind = info.isDirectory() ? 'directory' : 'file';
  if (kind !== record.kind) return changed(`${record.path} changed type`);
  const quick = kind === 'directory' ? await treeStamp(record.path) : stamp(info);
  if (kind === 'file' && quick.size !== record.size) return changed(`${record.path} was edited`);
  if (sameStamp(record, quick)) return unchanged;
  const hash = await contentHash(record.path, kind);
  return hash === record.hash ? unchanged : changed(`${record.path} was edited`);
}

const unchanged: InputCheck = { changed: false };
const changed = (reason: string): InputCheck => ({ changed: true, reason });

interface Stamp {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

function stamp(info: Stats): Stamp {
  return { size: info.size, mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs, ino: info.ino };
}

function sameStamp(record: InputRecord, quick: Stamp): boolean {
  return (
    quick.size === record.size &&
    quick.mtimeMs === record.mtimeMs &&
    quick.ctimeMs === record.ctimeMs &&
    quick.ino === record.ino
  );
}

/**
 * A directory's quick stamp: file count, newest mtime and ctime, and a checksum of inodes and
 * sizes.
 */
async function treeStamp(dir: string): Promise<Stamp> {
  let size = 0;
  let mtimeMs = 0;
  let ctimeMs = 0;
  let ino = 0;
  for (const file of await listTree(dir)) {
    const info = await lstat(file).catch(() => undefined);
    if (!info) continue;
    size += 1;
    mtimeMs = Math.max(mtimeMs, info.mtimeMs);
    ctimeMs = Math.max(ctimeMs, info.ctimeMs);
    ino = (ino * 31 + info.ino + info.size) % 2 ** 48;
  }
  return { size, mtimeMs, ctimeMs, ino };
}

/** A file nobody may read hashes as `unreadable`, the same each time: nix cannot read it either. */
async function contentHash(target: string, kind: 'file' | 'directory'): Promise<string> {
  return hashContent(target, kind).catch(() => 'unreadable');
}

async function hashContent(target: string, kind: 'file' | 'directory'): Promise<string> {
  const hash = createHash('sha256');
  if (kind === 'file') {
    hash.update(await readFile(target));
    return hash.digest('hex');
  }
  for (const file of await listTree(target)) {
    const info = await lstat(file).catch(() => undefined);
    if (!info) continue;
    hash.update(`${path.relative(target, file)}\0${info.mode & 0o111 ? 'x' : '-'}\0`);
    if (info.isSymbolicLink()) hash.update(`-> ${await readlink(file)}`);
    else if (info.isFile()) hash.update(await readFile(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Every file and link below `dir`, sorted, without the trees nix users never import from. */
async function listTree(dir: string): Promise<string[]> {
  const files: string[] = [];
  const walk = async (current: string): Promise<void> => {
    const entries = await readdir(current, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (files.length >= treeLimit) return;
      if (ignoredBelowInput(entry.name)) continue;
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else files.push(full);
    }
  };
  await walk(dir);
  return files.sort();
}
