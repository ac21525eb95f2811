import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { lstat, readFile, readdir, readlink, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * One file or directory evaluation read, as it was when the environment was captured. Checking
 * it costs a stat; the content hash is only computed when size or mtime moved, so `touch`
 * alone does not make an environment stale.
 */
export interface InputRecord {
  readonly path: string;
  readonly kind: 'file' | 'directory' | 'missing';
  readonly size: number;
  readonly mtimeMs: number;
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
  if (!info) return { path: file, kind: 'missing', size: 0, mtimeMs: 0, ino: 0, hash: '' };
  const kind = info.isDirectory() ? 'directory' : 'file';
  const quick = kind === 'directory' ? await treeStamp(file) : stamp(info);
  return {
    path: file,
    kind,
    size: quick.size,
    mtimeMs: quick.mtimeMs,
    ino: quick.ino,
    hash: await contentHash(file, kind),
  };
}

export type InputCheck = { readonly changed: false } | { readonly changed: true; reason: string };

/** Whether an input differs from its record: cheap stats first, content hashes only if needed. */
export async function checkInput(record: InputRecord): Promise<InputCheck> {
  const info = await stat(record.path).catch(() => undefined);
  if (!info) {
    return record.kind === 'missing' ? unchanged : changed(`${record.path} was removed`);
  }
  if (record.kind === 'missing') return changed(`${record.path} was created`);
  const kind = info.isDirectory() ? 'directory' : 'file';
  if (kind !== record.kind) return changed(`${record.path} changed type`);
  const quick = kind === 'directory' ? await treeStamp(record.path) : stamp(info);
  if (kind === 'file' && quick.size !== record.size) return changed(`${record.path} was edited`);
  if (quick.mtimeMs === record.mtimeMs && quick.ino === record.ino && quick.size === record.size) {
    return unchanged;
  }
  const hash = await contentHash(record.path, kind);
  return hash === record.hash ? unchanged : changed(`${record.path} was edited`);
}

const unchanged: InputCheck = { changed: false };
const changed = (reason: string): InputCheck => ({ changed: true, reason });

interface Stamp {
  size: number;
  mtimeMs: number;
  ino: number;
}

function stamp(info: Stats): Stamp {
  return { size: info.size, mtimeMs: info.mtimeMs, ino: info.ino };
}

/** A directory's quick stamp: file count, newest mtime, and a checksum of inodes and sizes. */
async function treeStamp(dir: string): Promise<Stamp> {
  let size = 0;
  let mtimeMs = 0;
  let ino = 0;
  for (const file of await listTree(dir)) {
    const info = await lstat(file).catch(() => undefined);
    if (!info) continue;
    size += 1;
    mtimeMs = Math.max(mtimeMs, info.mtimeMs);
    ino = (ino * 31 + info.ino + info.size) % 2 ** 48;
  }
  return { size, mtimeMs, ino };
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
