import { readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The pinned nixpkgs of a folder as a Nix expression, for nixd's `nixpkgs.expr`; undefined
 * when the folder has no pin. The language servers take any function of this shape.
 *
 * This one is a small stand-in for the pinning feature's own: it reads `nixpkgs.lock.json`
 * (`locked.url`, `locked.narHash`, and `rev` for git pins) and names the same source the
 * project's nixpkgs.nix imports, so nixd completes against the nixpkgs the project builds
 * with. Building the expression fetches nothing; nixd fetches it when it evaluates it.
 */
export async function lockFileNixpkgsExpr(folderPath: string): Promise<string | undefined> {
  let lock: unknown;
  try {
    lock = JSON.parse(await readFile(path.join(folderPath, 'nixpkgs.lock.json'), 'utf8'));
  } catch {
    return undefined;
  }
  const locked = (lock as { locked?: Record<string, unknown> } | null)?.locked;
  const { url, narHash, rev, type } = locked ?? {};
  if (typeof url !== 'string' || typeof narHash !== 'string') return undefined;
  const source =
    type === 'git' && typeof rev === 'string'
      ? `builtins.fetchGit { url = ${nixString(url)}; rev = ${nixString(rev)}; narHash = ${nixString(narHash)}; allRefs = true; }`
      : `builtins.fetchTarball { url = ${nixString(url)}; sha256 = ${nixString(narHash)}; }`;
  return `import (${source}) { }`;
}

/** A Nix string literal: backslashes, quotes and `$` (which could start `${`) escaped. */
export function nixString(value: string): string {
  return `"${value.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;
}
