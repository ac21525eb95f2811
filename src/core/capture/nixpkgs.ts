import { realpath } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Environment } from '../env/mutations';
import { splitSearchPath } from '../env/variables';

/**
 * Where `<nixpkgs>` resolves for this environment, as nix looks it up: NIX_PATH's `nixpkgs=`
 * entries and its bare directories (holding a `nixpkgs`), then the user's channels. Resolved
 * through symlinks, since nix logs the store paths the channels point at.
 */
export async function searchPathNixpkgs(env: Environment): Promise<string[]> {
  const candidates = splitSearchPath(env['NIX_PATH'], 'NIX_PATH').flatMap((entry) => {
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
