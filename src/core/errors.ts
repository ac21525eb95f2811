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
  /** `nix copy` to a binary cache or store failed, or signing for it did. */
  | 'copy-failed';

export interface ErrorDetails {
  /** The full text for the log: nix's own message, the hook's output. */
  readonly details?: string;
  readonly locations?: readonly SourceLocation[];
  readonly cause?: unknown;
}

export class NixShellError extends Error {
  readonly details: string | undefined;
  readonly locations: readonly SourceLocation[];

  constructor(
    readonly kind: ErrorKind,
    message: string,
    extra: ErrorDetails = {},
  ) {
    super(message, { cause: extra.cause });
    this.name = 'NixShellError';
    this.details = extra.details;
    this.locations = extra.locations ?? [];
  }
}

export function isCancellation(error: unknown): boolean {
  return error instanceof NixShellError && error.kind === 'cancelled';
}

/** Wraps anything thrown into a NixShellError so callers handle one type. */
export function asNixShellError(error: unknown): NixShellError {
  if (error instanceof NixShellError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new NixShellError('evaluation', message, { cause: error });
}
