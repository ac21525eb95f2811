import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

/** A position in a Nix file that an error points at (1-based, as nix prints it). */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/**
 * Every failure the engine reports has one of these kinds; the editor maps each kind to one
 * message with actions (src/vscode/messages.ts), the CLI to one line on stderr.
 */
export type ErrorKind =
  | 'nix-not-found'
  /** Another program the engine needs (git, bash, a formatter) is not installed. */
  | 'tool-missing'
  | 'evaluation'
  | 'hook-failed'
  | 'timeout'
  | 'cancelled'
  | 'too-large'
  | 'untracked-file'
  | 'no-environment'
  | 'unsupported'
  /** nixpkgs.lock.json is corrupt, truncated, or written by a newer version. */
  | 'lock-invalid'
  /** A download or `git ls-remote` for a pin failed (network, server, missing ref). */
  | 'fetch-failed'
  /** What was downloaded does not have the hash the lock records. */
  | 'hash-mismatch'
  /** A file or directory the engine reads or writes cannot be used (a directory, no space…). */
  | 'file-unusable'
  /** `nix copy` to a binary cache or store failed, or signing for it did. */
  | 'copy-failed'
  /** Nix's garbage collector failed (the store busy, not ours to collect). */
  | 'gc-failed'
  /** An exception none of the above: a bug of the extension, not the user's project. */
  | 'internal';

export interface ErrorDetails {
  /** The full text for the log: nix's own message, the hook's output. */
  readonly details?: string;
  readonly locations?: readonly SourceLocation[];
  readonly cause?: unknown;
  /** For `untracked-file`: the file, as a path from the top of its git repository. */
  readonly file?: string;
}

export class NixShellError extends Error {
  readonly details: string | undefined;
  readonly locations: readonly SourceLocation[];
  readonly file: string | undefined;

  constructor(
    readonly kind: ErrorKind,
    message: string,
    extra: ErrorDetails = {},
  ) {
    super(message, { cause: extra.cause });
    this.name = 'NixShellError';
    this.details = extra.details;
    this.locations = extra.locations ?? [];
    this.file = extra.file;
  }
}

export function isCancellation(error: unknown): boolean {
  return error instanceof NixShellError && error.kind === 'cancelled';
}

/**
 * Wraps anything thrown into a NixShellError so callers handle one type. A failed file
 * operation becomes one line naming the file, in words (never `EISDIR: illegal operation…`);
 * anything else nobody anticipated is a bug of ours: `internal`.
 */
export function asNixShellError(error: unknown): NixShellError {
  if (error instanceof NixShellError) return error;
  const file = fileErrorMessage(error);
  if (file) return new NixShellError('file-unusable', file, { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new NixShellError('internal', message, { cause: error });
}

/**
 * The position of an error the user can edit: the first one outside /nix/store (nixpkgs, a
 * flake's store copy) that exists, else the first that exists.
 */
export function userLocation(locations: readonly SourceLocation[]): SourceLocation | undefined {
  return (
    locations.find((l) => !l.file.startsWith('/nix/store/') && existsSync(l.file)) ??
    locations.find((l) => existsSync(l.file))
  );
}

const fileErrorWords: Record<string, string> = {
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'is not a directory (a part of the path is a file)',
  ENOENT: 'does not exist',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'is on a read-only file system',
  ELOOP: 'is a loop of symbolic links',
  ENAMETOOLONG: 'name too long',
  EEXIST: 'already exists',
  ENOTEMPTY: 'is a directory that is not empty',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
};

/** What a failed file operation says about the file, in words; undefined for other errors. */
export function describeFileError(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? fileErrorWords[code] : undefined;
}

/** `/path: is a directory, not a file`, for a failed file operation on `file` (or its own path). */
export function fileErrorMessage(error: unknown, file?: string): string | undefined {
  const words = describeFileError(error);
  const errno = error as NodeJS.ErrnoException & { dest?: unknown };
  // A rename names the temp file first; the file that matters is its destination.
  const where = file ?? (typeof errno.dest === 'string' ? errno.dest : errno.path);
  if (!words || !where) return undefined;
  const blocking = errno.code === 'ENOTDIR' ? fileInTheWay(where) : undefined;
  return blocking ? `${blocking}: is a file, not a directory` : `${where}: ${words}`;
}

/** The ancestor of `target` that is a file where a directory should be, if any. */
function fileInTheWay(target: string): string | undefined {
  for (let dir = path.dirname(target); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const info = statSync(dir, { throwIfNoEntry: false });
    if (info) return info.isDirectory() ? undefined : dir;
  }
  return undefined;
}
