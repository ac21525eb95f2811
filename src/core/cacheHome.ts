import os from 'node:os';
import path from 'node:path';

/**
 * Where Nix Shell keeps what it can always rebuild (captured environments, compiled code):
 * `$NIXSHELL_CACHE_DIR`, else `$XDG_CACHE_HOME/nixshell`, else `~/.cache/nixshell`.
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env['NIXSHELL_CACHE_DIR'];
  if (explicit) return explicit;
  const cacheHome = env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache');
  return path.join(cacheHome, 'nixshell');
}
