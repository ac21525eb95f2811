import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod/mini';
import { describeFileError, NixShellError } from '../errors';
import { redact } from '../redact';
import { writeFileAtomic } from '../fs';
import { sriPattern } from './hashes';
import { lockFileName } from './lockFileName';

export { lockFileName };
/** The only version this build reads and writes; a newer one is refused, never guessed at. */
export const lockVersion = 1;

// schemas/nixpkgs.lock.schema.json, which editors validate the file with, is generated from
// lockSchema (`npm run manifest`); the descriptions below are what they show on hover.
export const revPattern = /^[0-9a-f]{40}$/;
export const namePattern = /^[A-Za-z0-9_.-]+$/;
export const urlPattern = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
const name = z.string().check(z.regex(namePattern));
const ref = z.string().check(z.minLength(1));
const rev = z.string().check(z.regex(revPattern));
const exactRev = rev.check(z.describe('An exact commit: the pin never moves on update.'));
const url = z.string().check(
  z.regex(urlPattern),
  z.refine((value) => !carriesCredentials(value), 'must not carry credentials'),
  // JSON Schema cannot run the refinement: editors flag the common case, a user or password
  // in the URL (carriesCredentials also refuses secret query parameters).
  z.meta({ not: { pattern: '^https?://[^/@]*@|^[A-Za-z][A-Za-z0-9+.-]*://[^/@:]*:[^/@]*@' } }),
);

const originalSchema = z
  .discriminatedUnion('type', [
    z
      .strictObject({
        type: z
          .literal('github')
          .check(
            z.describe(
              'A GitHub repository, resolved with `git ls-remote` and downloaded as `/OWNER/REPO/archive/REV.tar.gz`.',
            ),
          ),
        owner: name.check(z.describe('The repository owner, e.g. NixOS.')),
        repo: name.check(z.describe('The repository name, e.g. nixpkgs.')),
        ref: z.optional(
          ref.check(
            z.describe(
              'The branch to follow, e.g. nixos-24.05; update moves the pin to its newest commit.',
            ),
          ),
        ),
        rev: z.optional(exactRev),
      })
      .check(z.meta({ title: 'GitHub repository' })),
    z
      .strictObject({
        type: z
          .literal('channel')
          .check(
            z.describe(
              'A channel, resolved through the redirect of `<channels>/NAME/nixexprs.tar.xz` to its current release.',
            ),
          ),
        name: name.check(z.describe('The channel, e.g. nixos-24.05 or nixpkgs-unstable.')),
      })
      .check(z.meta({ title: 'NixOS channel' })),
    z
      .strictObject({
        type: z.literal('git').check(z.describe('Any git repository, fetched with git.')),
        url: url.check(
          z.describe('The repository URL (https://, ssh://, file://), without credentials.'),
        ),
        ref: z.optional(ref.check(z.describe('The branch (or tag) to follow.'))),
        rev: z.optional(exactRev),
      })
      .check(z.meta({ title: 'Git repository' })),
  ])
  .check(
    z.describe(
      'What was asked for: the branch, channel or revision that `nixshell pin update` re-resolves.',
    ),
  );

const lockedSchema = z
  .strictObject({
    type: z
      .enum(['tarball', 'git'])
      .check(
        z.describe('How the tree is fetched: `tarball` with fetchTarball, `git` with fetchGit.'),
      ),
    url: url.check(
      z.describe('The immutable tarball URL (or the git repository URL), without credentials.'),
    ),
    rev: rev.check(z.describe('The full commit id.')),
    narHash: z
      .string()
      .check(
        z.regex(sriPattern),
        z.describe(
          "SRI sha256 of the unpacked tree's NAR serialisation, as flake.lock's narHash and `nix hash path --sri` give it.",
        ),
      ),
    lastModified: z
      .int()
      .check(
        z.minimum(0),
        z.describe('Unix time of the commit (for channels: when the release was published).'),
      ),
  })
  .check(z.describe('What `original` resolved to, with the hash that makes it reproducible.'));

export const lockSchema = z
  .strictObject({
    version: z
      .literal(lockVersion)
      .check(
        z.describe(
          `The format version. This is version ${lockVersion}; a newer Nix Shell may write a higher one, which older ones refuse to read.`,
        ),
      ),
    original: originalSchema,
    locked: lockedSchema,
    release: z.optional(
      z
        .string()
        .check(
          z.minLength(1),
          z.describe(
            'The nixpkgs release of the tree, from lib/.version: e.g. 24.05, or 26.11pre on a development branch.',
          ),
        ),
    ),
  })
  .check(
    z.meta({
      title: lockFileName,
      description:
        'The nixpkgs this project is pinned to, written by Nix Shell ("Nix: Pin nixpkgs…" or `nixshell pin`). `import ./nixpkgs.nix {}` reads it. Commit it; never put a token in it.',
    }),
  );

/** What the user asked for: `ref` is a branch to follow, `rev` an exact pin that never moves. */
export type PinOriginal =
  | { type: 'github'; owner: string; repo: string; ref?: string; rev?: string }
  | { type: 'channel'; name: string }
  | { type: 'git'; url: string; ref?: string; rev?: string };

/** What it resolved to, with the hash that makes it reproducible. */
export interface PinLocked {
  type: 'tarball' | 'git';
  url: string;
  rev: string;
  /** SRI sha256 of the NAR of the unpacked tree (as flake.lock's narHash). */
  narHash: string;
  /** Unix seconds: the commit time where known (see resolve.ts). */
  lastModified: number;
}

export interface NixpkgsLock {
  version: 1;
  original: PinOriginal;
  locked: PinLocked;
  /** The nixpkgs release of the pinned tree, e.g. "24.05" or "26.11pre". */
  release?: string;
}

// Compile-time check that the zod schema and the hand-written types describe the same documents.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type LockSchemaMatchesTypes = Assert<Same<z.infer<typeof lockSchema>, NixpkgsLock>>;

export function lockFilePath(dir: string): string {
  return path.join(dir, lockFileName);
}

/**
 * The folder's lock: undefined when there is none; `lock-invalid` when it cannot be trusted
 * (not JSON, cut short, an unknown shape, or a newer version), saying which.
 */
export async function readLock(dir: string): Promise<NixpkgsLock | undefined> {
  let text: string;
  try {
    text = await readFile(lockFilePath(dir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    const reason = describeFileError(error) ?? (error as Error).message;
    throw new NixShellError('lock-invalid', `cannot be read: it ${reason}`, { cause: error });
  }
  return parseLock(text);
}

/** A lock-invalid error that names the lock's full path, for a message read outside the editor. */
export function namingLockFile(error: unknown, dir: string): unknown {
  if (!(error instanceof NixShellError) || error.kind !== 'lock-invalid') return error;
  if (error.message.includes(lockFileName)) return error;
  return new NixShellError(error.kind, `${lockFilePath(dir)}: ${error.message}`, { cause: error });
}

export function parseLock(text: string): NixpkgsLock {
  let json: unknown;
  try {
    // An editor may have saved it with a byte order mark, which JSON.parse refuses.
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    const reason = text.trim() === '' ? 'it is empty' : (error as Error).message;
    throw new NixShellError('lock-invalid', `not valid JSON, truncated or corrupt (${reason})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new NixShellError('lock-invalid', 'not a JSON object');
  }
  const version = (json as { version?: unknown }).version;
  if (typeof version === 'number' && version > lockVersion) {
    throw new NixShellError(
      'lock-invalid',
      `written by a newer Nix Shell (version ${version}; this one reads version ${lockVersion}): update Nix Shell`,
    );
  }
  if (version !== lockVersion) {
    throw new NixShellError(
      'lock-invalid',
      `unknown version ${version === undefined ? 'missing' : JSON.stringify(version)} (expected ${lockVersion})`,
    );
  }
  const parsed = lockSchema.safeParse(json);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const where = issue?.path.length ? issue.path.join('.') : 'the document';
    throw new NixShellError('lock-invalid', `${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** The lock as written: a fixed key order, 2-space indentation and a final newline, for clean diffs. */
export function serializeLock(lock: NixpkgsLock): string {
  const { original, locked } = lock;
  const orderedOriginal =
    original.type === 'channel'
      ? { type: original.type, name: original.name }
      : original.type === 'github'
        ? {
            type: original.type,
            owner: original.owner,
            repo: original.repo,
            ref: original.ref,
            rev: original.rev,
          }
        : { type: original.type, url: original.url, ref: original.ref, rev: original.rev };
  const ordered = {
    version: lock.version,
    original: orderedOriginal,
    locked: {
      type: locked.type,
      url: locked.url,
      rev: locked.rev,
      narHash: locked.narHash,
      lastModified: locked.lastModified,
    },
    release: lock.release,
  };
  // JSON.stringify drops undefined members, so optional fields simply do not appear.
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

/**
 * The lock's text, once it is known to be one this build reads back and that carries no
 * credential: check this before writing anything, so that a refused pin leaves no file.
 */
export function checkedLockText(lock: NixpkgsLock): string {
  for (const value of [lock.locked.url, 'url' in lock.original ? lock.original.url : undefined])
    if (value !== undefined) assertNoCredentials(value);
  const text = serializeLock(lock);
  parseLock(text);
  return text;
}

/** Writes the lock atomically (a reader sees the old file or the new one, never half). */
export async function writeLock(dir: string, lock: NixpkgsLock): Promise<void> {
  await writeFileAtomic(lockFilePath(dir), checkedLockText(lock));
}

/**
 * The lock is committed and shared: a URL carrying a token or password must never reach it.
 * Private sources authenticate through a netrc or git's credential helpers instead.
 */
export function assertNoCredentials(value: string): void {
  if (carriesCredentials(value)) {
    throw new NixShellError(
      'unsupported',
      `${redact(value)} carries credentials, which are never written to ${lockFileName}; use a netrc file or a git credential helper`,
    );
  }
}

/**
 * Checks a git URL before anything is fetched from it: the lock can only record a URL with a
 * scheme and no credentials, so a download that could never be pinned is refused first.
 */
export function assertSourceUrl(value: string): void {
  if (!urlPattern.test(value)) {
    const scp = /^([^@/:]+@)?([^/:]+):(.+)$/.exec(value);
    const hint = scp ? `; write it as ssh://${scp[1] ?? ''}${scp[2] ?? ''}/${scp[3] ?? ''}` : '';
    throw new NixShellError(
      'unsupported',
      `${redact(value)} is not a URL with a scheme${redact(hint)}`,
    );
  }
  assertNoCredentials(value);
}

/**
 * A user on an http(s) URL, a password on any, or a query parameter that carries a secret
 * (`?token=`, `access_token`, `private_token`, `auth`, `key`, …): whatever redact() hides.
 */
export function carriesCredentials(url: string): boolean {
  return redact(url) !== url;
}
