import { createGunzip } from 'node:zlib';

export interface ArchiveFacts {
  /** The mtime of the first file in the archive; `git archive` gives every file the commit time. */
  readonly entryTime?: number;
  /** The commit id `git archive` records in the pax global header (GitHub's archives have it). */
  readonly commit?: string;
  /** The server's Last-Modified, in unix seconds. */
  readonly lastModifiedHeader?: number;
}

const blockSize = 512;
/** Enough decompressed bytes for the pax global header and the first entry. */
const readLimit = 64 * 1024;

/**
 * Reads the first few kilobytes of a `.tar.gz` and stops: the commit time and commit id of a
 * git archive, without downloading it again. Best effort: anything unexpected gives what
 * was found so far (the caller falls back), never an error.
 */
export async function readArchiveFacts(url: string, signal?: AbortSignal): Promise<ArchiveFacts> {
  const controller = new AbortController();
  const abort = () => controller.abort();
  signal?.addEventListener('abort', abort, { once: true });
  const timer = setTimeout(abort, 30_000);
  try {
    const response = await fetch(url, { signal: controller.signal, redirect: 'follow' });
    const lastModifiedHeader = httpDate(response.headers.get('last-modified'));
    const base = lastModifiedHeader === undefined ? {} : { lastModifiedHeader };
    if (!response.ok || !response.body) return base;
    const head = await firstBytes(response.body, controller);
    return { ...base, ...parseTarStart(head) };
  } catch {
    return {};
  } finally {
    clearTimeout(timer);
    controller.abort();
    signal?.removeEventListener('abort', abort);
  }
}

export function httpDate(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

async function firstBytes(
  body: ReadableStream<Uint8Array>,
  controller: AbortController,
): Promise<Buffer> {
  const gunzip = createGunzip();
  const chunks: Buffer[] = [];
  let total = 0;
  const done = new Promise<void>((resolve) => {
    gunzip.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      total += chunk.length;
      if (total >= readLimit) resolve();
    });
    gunzip.on('end', resolve);
    gunzip.on('error', () => resolve());
  });
  const reader = body.getReader();
  const pump = (async () => {
    for (;;) {
      const { done: finished, value } = await reader.read();
      if (finished || total >= readLimit) break;
      gunzip.write(value);
    }
    gunzip.end();
  })().catch(() => gunzip.end());
  await done;
  controller.abort();
  gunzip.destroy();
  await pump;
  return Buffer.concat(chunks);
}

function octal(block: Buffer, offset: number, length: number): number {
  const text = block
    .toString('latin1', offset, offset + length)
    .replace(/\0.*$/s, '')
    .trim();
  return text === '' ? Number.NaN : Number.parseInt(text, 8);
}

function paxRecords(data: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space < 0) break;
    const length = Number(data.toString('latin1', at, space));
    if (!Number.isInteger(length) || length <= 0) break;
    const record = data.toString('utf8', space + 1, at + length - 1);
    const equals = record.indexOf('=');
    if (equals > 0) records.set(record.slice(0, equals), record.slice(equals + 1));
    at += length;
  }
  return records;
}

/** The commit id and the first entry's mtime from the start of a tar stream. */
export function parseTarStart(tar: Buffer): { entryTime?: number; commit?: string } {
  let commit: string | undefined;
  let at = 0;
  while (at + blockSize <= tar.length) {
    const header = tar.subarray(at, at + blockSize);
    if (header.every((byte) => byte === 0)) break;
    const size = octal(header, 124, 12);
    const type = String.fromCharCode(header[156] ?? 0);
    if (Number.isNaN(size)) break;
    const dataStart = at + blockSize;
    if (type === 'g' || type === 'x') {
      const records = paxRecords(tar.subarray(dataStart, dataStart + size));
      const comment = records.get('comment');
      if (type === 'g' && comment && /^[0-9a-f]{40}$/.test(comment)) commit = comment;
      at = dataStart + Math.ceil(size / blockSize) * blockSize;
      continue;
    }
    const mtime = octal(header, 136, 12);
    return Number.isNaN(mtime)
      ? { ...(commit ? { commit } : {}) }
      : { entryTime: mtime, ...(commit ? { commit } : {}) };
  }
  return commit ? { commit } : {};
}
