import { mkdir, readdir, readlink, realpath, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * GC roots keep a captured environment alive through `nix-collect-garbage -d`. Capture passes
 * `--profile <roots>/<key>` to print-dev-env, which registers the `-env` store path as a root
 * through a profile generation (`<key>-N-link`). Roots are never renamed (a renamed link is
 * no longer a root); old generations are deleted once the new entry is safely stored.
 */
export async function profileFor(cacheDir: string, key: string): Promise<string> {
  const roots = path.join(cacheDir, 'roots');
  await mkdir(roots, { recursive: true });
  return path.join(roots, key);
}

/** The store path a profile points at, if the profile exists. */
export async function profileStorePath(profile: string): Promise<string | undefined> {
  return realpath(profile).catch(() => undefined);
}

/** Deletes every generation of the profile except the current one. */
export async function pruneGenerations(profile: string): Promise<void> {
  const current = await readlink(profile).catch(() => undefined);
  const dir = path.dirname(profile);
  const generation = new RegExp(`^${path.basename(profile)}-\\d+-link$`);
  for (const name of await readdir(dir).catch(() => [])) {
    if (generation.test(name) && name !== current && path.join(dir, name) !== current) {
      await rm(path.join(dir, name), { force: true });
    }
  }
}
