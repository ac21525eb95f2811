import { githubTarballUrl } from './context';
import { describeFlakeRef, flakeNixpkgs, readFlakeLock, type FlakeInput } from './flakeLock';
import { fixedSourcePath, sriPattern, storeDirOf } from './hashes';
import { readLock, type NixpkgsLock, type PinOriginal } from './lockFile';
import type { PinInfo } from './pinText';
import { readRelease, readTreeRevision } from './release';

const dayMs = 86_400_000;

function timing(
  lastModified: number,
  now: Date,
): Pick<PinInfo, 'lastModified' | 'date' | 'ageDays'> {
  if (lastModified <= 0) return { lastModified: 0, date: '', ageDays: 0 };
  return {
    lastModified,
    date: new Date(lastModified * 1000).toISOString().slice(0, 10),
    ageDays: Math.max(0, Math.floor((now.getTime() - lastModified * 1000) / dayMs)),
  };
}

/** The lock's `original` as a flake-style reference. */
export function describeOriginal(original: PinOriginal): string {
  switch (original.type) {
    case 'github': {
      const at = original.ref ?? original.rev;
      return `github:${original.owner}/${original.repo}${at ? `/${at}` : ''}`;
    }
    case 'channel':
      return `channel:${original.name}`;
    case 'git': {
      const query = [
        ...(original.ref ? [`ref=${original.ref}`] : []),
        ...(original.rev ? [`rev=${original.rev}`] : []),
      ].join('&');
      return `git+${original.url}${query ? `?${query}` : ''}`;
    }
  }
}

export function lockInfo(lock: NixpkgsLock, now = new Date()): PinInfo {
  return {
    source: 'lock',
    ...(lock.release ? { release: lock.release } : {}),
    rev: lock.locked.rev,
    shortRev: lock.locked.rev.slice(0, 7),
    ...timing(lock.locked.lastModified, now),
    description: describeOriginal(lock.original),
    url: lock.locked.url,
  };
}

/**
 * A flake's nixpkgs input. The release comes from the tree when nix has already fetched it
 * (its store path follows from narHash); no process is started.
 */
async function flakeInfo(input: FlakeInput, now: Date): Promise<PinInfo> {
  const { locked, original } = input;
  const tree =
    locked.narHash && sriPattern.test(locked.narHash)
      ? fixedSourcePath(locked.narHash, storeDirOf(process.env))
      : undefined;
  const release = tree ? await readRelease(tree, original.ref ?? locked.ref) : undefined;
  const rev = locked.rev ?? (tree ? await readTreeRevision(tree) : undefined) ?? '';
  const url =
    locked.type === 'github' && locked.owner && locked.repo && rev
      ? githubTarballUrl(`https://${locked.host ?? 'github.com'}`, locked.owner, locked.repo, rev)
      : locked.url;
  return {
    source: 'flake.lock',
    ...(release ? { release } : {}),
    rev,
    shortRev: rev.slice(0, 7),
    ...timing(locked.lastModified ?? 0, now),
    description: describeFlakeRef(original.type ? original : locked),
    ...(url ? { url } : {}),
  };
}

/**
 * The folder's pin: nixpkgs.lock.json, else flake.lock's nixpkgs input (the other way round
 * with `prefer: 'flake.lock'`, for a flake); undefined if neither.
 */
export async function currentPin(
  dir: string,
  now = new Date(),
  prefer: 'lock' | 'flake.lock' = 'lock',
): Promise<PinInfo | undefined> {
  const fromLock = async () => {
    const lock = await readLock(dir);
    return lock ? lockInfo(lock, now) : undefined;
  };
  const fromFlake = async () => {
    const flakeLock = await readFlakeLock(dir);
    const input = flakeLock ? flakeNixpkgs(flakeLock) : undefined;
    return input ? flakeInfo(input, now) : undefined;
  };
  return prefer === 'lock'
    ? ((await fromLock()) ?? (await fromFlake()))
    : ((await fromFlake()) ?? (await fromLock()));
}
