import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { PinOriginal } from './lockFile';

async function readTrimmed(file: string): Promise<string | undefined> {
  try {
    const text = (await readFile(file, 'utf8')).trim();
    return text === '' ? undefined : text;
  } catch {
    return undefined;
  }
}

/**
 * Branches whose `lib/.version` names the release being prepared, not a released one: shown as
 * `26.11pre`, as nixpkgs itself does (lib.version on master is "26.11pre-git").
 */
export function isDevelopmentRef(ref: string | undefined): boolean {
  return (
    ref !== undefined &&
    /(^|[-/])(unstable|master|main|staging|develop|trunk|HEAD)($|[-/])/.test(ref)
  );
}

/**
 * The branch or channel name a pin follows, which tells a development tree from a release. A
 * pin of the default branch (no ref, no rev) follows HEAD: master, for nixpkgs.
 */
export function followedRef(original: PinOriginal): string | undefined {
  if (original.type === 'channel') return original.name;
  return original.ref ?? (original.rev === undefined ? 'HEAD' : undefined);
}

/**
 * The human-readable nixpkgs release of a tree: `lib/.version` (current nixpkgs; the root
 * `.version` is a symlink to it since 2024), else `.version` (older trees), plus `pre` for
 * development branches, or when a channel's `.version-suffix` says so (`pre123456.abcdef`).
 */
export async function readRelease(
  tree: string,
  ref: string | undefined,
): Promise<string | undefined> {
  const version =
    (await readTrimmed(path.join(tree, 'lib', '.version'))) ??
    (await readTrimmed(path.join(tree, '.version')));
  if (!version || !/^[0-9A-Za-z._-]{1,32}$/.test(version)) return undefined;
  if (version.endsWith('pre')) return version;
  const suffix = await readTrimmed(path.join(tree, '.version-suffix'));
  const development = suffix !== undefined ? suffix.startsWith('pre') : isDevelopmentRef(ref);
  return development ? `${version}pre` : version;
}

/** A channel tarball names its commit in `.git-revision`. */
export async function readTreeRevision(tree: string): Promise<string | undefined> {
  const rev = await readTrimmed(path.join(tree, '.git-revision'));
  return rev && /^[0-9a-f]{40}$/.test(rev) ? rev : undefined;
}
