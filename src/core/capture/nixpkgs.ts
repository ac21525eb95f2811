import { realpath } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Environment } from '../env/mutations';
import { effectiveNixPath } from '../cache/key';
import { splitSearchPath } from '../env/variables';

/**
 * Where `<nixpkgs>` may resolve for this environment, as nix looks it up: NIX_PATH's and
 * nix.conf's `nixpkgs=` entries and bare directories (holding a `nixpkgs`), root's and the
 * user's channels. Resolved
 * through symlinks, since nix logs the store paths the channels point at.
 */
export async function searchPathNixpkgs(env: Environment): Promise<string[]> {
  // nix.conf's nix-path, and without NIX_PATH nix's default (root's channels) count as well.
  const entries = [
    ...splitSearchPath(env['NIX_PATH'], 'NIX_PATH'),
    ...(await effectiveNixPath(env)),
  ];
  const candidates = entries.flatMap((entry) => {
    const equals = entry.indexOf('=');
    if (equals === -1) return [path.join(entry, 'nixpkgs')];
    return entry.slice(0, equals) === 'nixpkgs' ? [entry.slice(equals + 1)] : [];
  });
  const home = env['HOME'] ?? os.homedir();
  candidates.push(path.join(home, '.nix-defexpr', 'channels', 'nixpkgs'));
  const resolved = await Promise.all(
    candidates.filter((c) => path.isAbsolute(c)).map((c) => realpath(c).catch(() => undefined)),
  );
  return [...new Set(resolved.filter((r): r is string => r !== undefined))];
}

/** Whether evaluation read any file of the `<nixpkgs>` the user's NIX_PATH or channels give. */
export async function readsSearchPathNixpkgs(
  readFiles: readonly string[],
  env: Environment,
): Promise<boolean> {
  const roots = await searchPathNixpkgs(env);
  return readFiles.some((file) =>
    roots.some((root) => file === root || file.startsWith(`${root}/`)),
  );
}
