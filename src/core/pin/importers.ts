import path from 'node:path';
import * as z from 'zod/mini';
import { NixShellError } from '../errors';
import { readJsonFile } from '../fs';
import { readArchiveFacts } from './archiveHeader';
import { channelNameFromUrl } from './channel';
import { githubTarballUrl, type PinContext } from './context';
import { fetchGitTree } from './git';
import { throwIfCancelled } from './http';
import { flakeNixpkgs, readFlakeLock, type FlakeInput } from './flakeLock';
import { toSriSha256 } from './hashes';
import { lockVersion, revPattern, type NixpkgsLock, type PinOriginal } from './lockFile';
import { realiseTree, savePin } from './pin';
import { followedRef, readRelease, readTreeRevision } from './release';

export type ImportSource = 'niv' | 'npins' | 'flake';

export const importFiles: Record<ImportSource, string> = {
  niv: 'nix/sources.json',
  npins: 'npins/sources.json',
  flake: 'flake.lock',
};

/** What an importer read: the pin exactly as the other tool locked it. */
interface Imported {
  readonly original: PinOriginal;
  readonly type: 'tarball' | 'git';
  readonly url: string;
  /** Missing only for npins channel pins, whose tarball names it in `.git-revision`. */
  readonly rev?: string;
  /** Missing only for niv git sources, which store no hash: computed from that exact rev. */
  readonly narHash?: string;
  readonly lastModified?: number;
}

function unsupported(message: string): NixShellError {
  return new NixShellError('unsupported', message);
}

/**
 * Takes over the nixpkgs pin of niv, npins or flake.lock, keeping its exact revision and hash
 * (npins' own import re-resolves them, npins#70). The tree is fetched only if it is not in the
 * store yet, and its hash checked either way; then the lock and the shim are written.
 */
export async function importPin(
  dir: string,
  from: ImportSource,
  context: PinContext,
): Promise<NixpkgsLock> {
  const file = path.join(dir, importFiles[from]);
  const json = await readJsonFile(file);
  if (json === undefined) throw unsupported(`there is no readable ${importFiles[from]} in ${dir}`);
  const imported =
    from === 'niv'
      ? fromNiv(json, file)
      : from === 'npins'
        ? fromNpins(json, file, context)
        : await fromFlakeLock(dir, file, context);
  const lock = await completeLock(imported, context);
  await savePin(dir, lock, context);
  return lock;
}

async function completeLock(imported: Imported, context: PinContext): Promise<NixpkgsLock> {
  let { rev, narHash } = imported;
  let lastModified = imported.lastModified;
  let storePath: string;
  if (narHash === undefined) {
    if (!rev) throw unsupported(`${imported.url} has neither a hash nor a revision`);
    const tree = await fetchGitTree(imported.url, rev, context);
    ({ narHash, storePath } = tree);
    lastModified ??= tree.lastModified;
  } else {
    storePath = await realiseTree(
      { type: imported.type, url: imported.url, narHash, ...(rev ? { rev } : {}) },
      context,
    );
  }
  rev ??= await readTreeRevision(storePath);
  if (!rev || !revPattern.test(rev)) {
    throw unsupported(`cannot tell which commit ${imported.url} is (no revision recorded)`);
  }
  lastModified ??= await tarballTime(imported.url, context);
  const release = await readRelease(storePath, followedRef(imported.original));
  return {
    version: lockVersion,
    original: imported.original,
    locked: { type: imported.type, url: imported.url, rev, narHash, lastModified },
    ...(release ? { release } : {}),
  };
}

/** niv and npins record no date: the archive's commit time, else its Last-Modified, else now. */
async function tarballTime(url: string, context: PinContext): Promise<number> {
  const facts = await readArchiveFacts(url, context.signal);
  throwIfCancelled(context.signal);
  const time = facts.entryTime ?? facts.lastModifiedHeader;
  if (time !== undefined && time > 1) return time;
  context.logger.warn(`no date found for ${url}; recording the time of the import instead`);
  return Math.floor(Date.now() / 1000);
}

const nivSource = z.object({
  type: z.optional(z.string()),
  owner: z.optional(z.nullable(z.string())),
  repo: z.optional(z.nullable(z.string())),
  branch: z.optional(z.nullable(z.string())),
  rev: z.optional(z.nullable(z.string())),
  sha256: z.optional(z.nullable(z.string())),
  url: z.optional(z.nullable(z.string())),
  url_template: z.optional(z.nullable(z.string())),
});
const nivSources = z.record(z.string(), nivSource);

function pick<T extends object>(
  entries: Record<string, T>,
  isNixpkgs: (entry: T) => boolean,
  file: string,
): T {
  const entry = entries['nixpkgs'] ?? Object.values(entries).find(isNixpkgs);
  if (!entry) throw unsupported(`${file} has no nixpkgs entry`);
  return entry;
}

/** niv: `nix/sources.json`, a GitHub tarball with a base32 sha256, or a git source without hash. */
function fromNiv(json: unknown, file: string): Imported {
  const parsed = nivSources.safeParse(json);
  if (!parsed.success) throw unsupported(`${file} is not a niv sources.json`);
  const source = pick(parsed.data, (entry) => entry.repo === 'nixpkgs', file);
  const rev = source.rev ?? undefined;
  const branch = source.branch ?? undefined;
  if (source.type === 'git') {
    if (!source.repo) throw unsupported(`${file}: the nixpkgs git source has no repo`);
    return {
      original: {
        type: 'git',
        url: source.repo,
        ...(branch ? { ref: branch } : rev ? { rev } : {}),
      },
      type: 'git',
      url: source.repo,
      ...(rev ? { rev } : {}),
    };
  }
  if (!source.sha256) throw unsupported(`${file}: nixpkgs has no sha256`);
  const url =
    source.url ??
    source.url_template
      ?.replace('<owner>', source.owner ?? '')
      .replace('<repo>', source.repo ?? '')
      .replace('<rev>', rev ?? '');
  if (!url || !source.owner || !source.repo || !rev) {
    throw unsupported(
      `${file}: only GitHub tarball sources (owner, repo, rev, url) can be imported`,
    );
  }
  return {
    original: {
      type: 'github',
      owner: source.owner,
      repo: source.repo,
      ...(branch ? { ref: branch } : { rev }),
    },
    type: 'tarball',
    url,
    rev,
    narHash: toSriSha256(source.sha256),
  };
}

const npinsPin = z.object({
  type: z.string(),
  repository: z.optional(
    z.object({
      type: z.string(),
      owner: z.optional(z.string()),
      repo: z.optional(z.string()),
      url: z.optional(z.string()),
    }),
  ),
  branch: z.optional(z.nullable(z.string())),
  revision: z.optional(z.nullable(z.string())),
  name: z.optional(z.string()),
  url: z.optional(z.nullable(z.string())),
  hash: z.optional(z.nullable(z.string())),
});
const npinsSources = z.object({ version: z.number(), pins: z.record(z.string(), npinsPin) });

/**
 * npins: `npins/sources.json` v3 and later (hashes are base32 up to v5, SRI from v6). GitHub,
 * plain git and channel pins; the others (GitLab, releases, PyPI, …) are refused by name.
 */
function fromNpins(json: unknown, file: string, context: PinContext): Imported {
  const parsed = npinsSources.safeParse(json);
  if (!parsed.success) throw unsupported(`${file} is not an npins sources.json`);
  if (parsed.data.version < 3) {
    throw unsupported(
      `${file} is npins format ${parsed.data.version}; run \`npins upgrade\` first`,
    );
  }
  const pin = pick(parsed.data.pins, (entry) => entry.repository?.repo === 'nixpkgs', file);
  if (!pin.hash) throw unsupported(`${file}: nixpkgs has no hash`);
  const narHash = toSriSha256(pin.hash);
  const branch = pin.branch ?? undefined;
  const rev = pin.revision ?? undefined;
  if (pin.type === 'Channel' && pin.name && pin.url) {
    return {
      original: { type: 'channel', name: pin.name },
      type: 'tarball',
      url: pin.url,
      narHash,
    };
  }
  const repository = pin.repository;
  if (
    pin.type === 'Git' &&
    repository?.type === 'GitHub' &&
    repository.owner &&
    repository.repo &&
    rev
  ) {
    const follow = branch ? { ref: branch } : { rev };
    return {
      original: { type: 'github', owner: repository.owner, repo: repository.repo, ...follow },
      type: 'tarball',
      url:
        pin.url ??
        githubTarballUrl(context.sources.githubUrl, repository.owner, repository.repo, rev),
      rev,
      narHash,
    };
  }
  if (pin.type === 'Git' && repository?.type === 'Git' && repository.url && rev) {
    return {
      original: { type: 'git', url: repository.url, ...(branch ? { ref: branch } : { rev }) },
      type: 'git',
      url: repository.url,
      rev,
      narHash,
    };
  }
  throw unsupported(
    `${file}: npins ${pin.type}${repository ? ` (${repository.type})` : ''} pins cannot be imported`,
  );
}

/** flake.lock: the root's nixpkgs input (following `follows`), as nix locked it. */
async function fromFlakeLock(dir: string, file: string, context: PinContext): Promise<Imported> {
  const lock = await readFlakeLock(dir);
  if (!lock) throw unsupported(`${file} is not a flake.lock`);
  const input = flakeNixpkgs(lock);
  if (!input) throw unsupported(`${file} has no nixpkgs input`);
  return fromFlakeInput(input, file, context);
}

function fromFlakeInput(
  { locked, original }: FlakeInput,
  file: string,
  context: PinContext,
): Imported {
  const { rev, narHash, lastModified } = locked;
  if (!narHash) throw unsupported(`${file}: the nixpkgs input has no narHash`);
  const times = lastModified !== undefined && lastModified > 0 ? { lastModified } : {};
  // The registry's `nixpkgs` (an indirect input) is github:NixOS/nixpkgs/nixpkgs-unstable.
  const ref =
    original.ref ??
    (original.type === 'indirect' && original.id === 'nixpkgs' ? 'nixpkgs-unstable' : undefined);
  if (locked.type === 'github' && locked.owner && locked.repo && rev) {
    const githubUrl = locked.host ? `https://${locked.host}` : context.sources.githubUrl;
    return {
      original: { type: 'github', owner: locked.owner, repo: locked.repo, ...(ref ? { ref } : {}) },
      type: 'tarball',
      url: githubTarballUrl(githubUrl, locked.owner, locked.repo, rev),
      rev,
      narHash,
      ...times,
    };
  }
  if (locked.type === 'git' && locked.url && rev) {
    return {
      original: { type: 'git', url: original.url ?? locked.url, ...(ref ? { ref } : {}) },
      type: 'git',
      url: locked.url,
      rev,
      narHash,
      ...times,
    };
  }
  const channel = original.url ? channelNameFromUrl(original.url) : undefined;
  if (locked.type === 'tarball' && locked.url && channel) {
    return {
      original: { type: 'channel', name: channel },
      type: 'tarball',
      url: locked.url,
      ...(rev ? { rev } : {}),
      narHash,
      ...times,
    };
  }
  throw unsupported(
    `${file}: a nixpkgs input of type ${locked.type ?? 'unknown'} cannot be imported`,
  );
}
