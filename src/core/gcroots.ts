import { createHash } from 'node:crypto';
import { accessSync, constants, symlinkSync, unlinkSync } from 'node:fs';
import { lstat, lutimes, mkdir, readdir, readlink, realpath, rm } from 'node:fs/promises';
import path from 'node:path';
import { inSyncBatches } from './fs';
import type { NixInstallation } from './nix/installation';
import { nixBase32Encode } from './pin/hashes';
import { runInProcessGroup } from './process';

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

/**
 * Roots store paths directly: for environments captured through nix-shell, which have no
 * `-env` path. The links go into a new directory each time; the earlier ones are pruned once
 * the entry that uses the new one is stored.
 */
export async function rootStorePaths(
  nix: NixInstallation,
  cacheDir: string,
  key: string,
  paths: readonly string[],
  env: Record<string, string>,
): Promise<string | undefined> {
  if (paths.length === 0) return undefined;
  const roots = path.join(cacheDir, 'roots');
  const dir = path.join(roots, `${key}-paths-${Date.now()}`);
  await mkdir(dir, { recursive: true });
  const rooted =
    (await addIndirectRoots(dir, paths, env)) ||
    (await runInProcessGroup(
      nix.nixStore,
      ['--realise', '--add-root', path.join(dir, 'root'), '--indirect', ...paths],
      { cwd: dir, env, timeoutMs: 60_000 },
    ).then((result) => result.exitCode === 0));
  if (!rooted) {
    await rm(dir, { recursive: true, force: true });
    return undefined;
  }
  return dir;
}

/**
 * Makes indirect roots as nix itself does (a link of ours to each store path, and a link to
 * ours in the store's `gcroots/auto`, named by the SHA-1 of our link's path), without starting
 * nix: where that directory is ours to write, as in a single-user store or as root. Returns
 * false where it is not (a daemon's store), for `nix-store --add-root` to do it.
 */
async function addIndirectRoots(
  dir: string,
  paths: readonly string[],
  env: Record<string, string>,
): Promise<boolean> {
  // The store on this machine, in its default place; anything else goes through nix.
  const localStore = ['', 'local', 'daemon'].includes(env['NIX_REMOTE'] ?? '');
  const defaultPlaces = !env['NIX_STORE_DIR'] && !env['NIX_STATE_DIR'];
  if (!localStore || !defaultPlaces || !paths.every((p) => p.startsWith('/nix/store/'))) {
    return false;
  }
  const auto = '/nix/var/nix/gcroots/auto';
  try {
    accessSync(auto, constants.W_OK);
    // Two links per path, a real shell has hundreds of paths: synchronous, in batches.
    await inSyncBatches(paths, 100, (storePath, index) => {
      const link = path.join(dir, `root-${index}`);
      symlinkSync(storePath, link);
      const name = nixBase32Encode(createHash('sha1').update(link).digest());
      replaceSymlink(link, path.join(auto, name));
    });
    return true;
  } catch {
    return false;
  }
}

/** A link at `file` to `target`, in place of whatever link was there. */
function replaceSymlink(target: string, file: string): void {
  try {
    symlinkSync(target, file);
  } catch (error) {
    // Our links' paths are new each time, so a name taken is rare: a stale link of a crash.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    unlinkSync(file);
    symlinkSync(target, file);
  }
}

/** Deletes the key's earlier path roots, once the entry using `current` is stored. */
export async function prunePathRoots(
  cacheDir: string,
  key: string,
  current: string,
): Promise<void> {
  const roots = path.join(cacheDir, 'roots');
  for (const name of await readdir(roots).catch(() => [])) {
    const older = name.startsWith(`${key}-paths-`) && path.join(roots, name) !== current;
    if (older) await rm(path.join(roots, name), { recursive: true, force: true });
  }
}

/** Deletes every root a key has: its profile, its generations and its path roots. */
export async function removeRoots(cacheDir: string, key: string): Promise<void> {
  const roots = path.join(cacheDir, 'roots');
  for (const name of await readdir(roots).catch(() => [])) {
    if (name === key || name.startsWith(`${key}-`)) {
      await rm(path.join(roots, name), { recursive: true, force: true });
    }
  }
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

/**
 * Marks a key's roots as just used (`touch -h`, as nix-direnv does): its profile, the
 * generation it points at and its path roots. Age-based cleaners (`nh clean --keep-since`)
 * delete roots by their links' mtime, and would otherwise collect environments in daily use.
 */
export async function touchRoots(cacheDir: string, key: string): Promise<void> {
  const roots = path.join(cacheDir, 'roots');
  const now = new Date();
  const touch = (link: string) => lutimes(link, now, now).catch(() => undefined);
  const names = (await readdir(roots).catch(() => [])).filter(
    (name) => name === key || name.startsWith(`${key}-`),
  );
  await Promise.all(
    names.map(async (name) => {
      const file = path.join(roots, name);
      const inner = await readdir(file).catch(() => []);
      await Promise.all([...inner.map((link) => touch(path.join(file, link))), touch(file)]);
    }),
  );
}

/**
 * When a key's environment was last used: the newest mtime of its roots (touchRoots marks them
 * on every use), or undefined when it has none.
 */
export async function rootsLastUsed(cacheDir: string, key: string): Promise<Date | undefined> {
  const roots = path.join(cacheDir, 'roots');
  const names = (await readdir(roots).catch(() => [])).filter(
    (name) => name === key || name.startsWith(`${key}-`),
  );
  const times = await Promise.all(
    names.map((name) =>
      lstat(path.join(roots, name)).then(
        (s) => s.mtimeMs,
        () => 0,
      ),
    ),
  );
  const newest = Math.max(0, ...times);
  return newest > 0 ? new Date(newest) : undefined;
}
