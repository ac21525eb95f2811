import { NixShellError } from '../errors';
import { readArchiveFacts, type ArchiveFacts } from './archiveHeader';
import { resolveChannel, type ResolvedChannel } from './channel';
import { githubGitUrl, githubTarballUrl, type PinContext } from './context';
import { fetchGitTree, lsRemote } from './git';
import {
  assertSourceUrl,
  lockVersion,
  revPattern,
  type NixpkgsLock,
  type PinLocked,
  type PinOriginal,
} from './lockFile';
import { throwIfCancelled } from './http';
import { prefetchTarball, type FetchedTree } from './prefetch';
import { followedRef, readRelease, readTreeRevision } from './release';

/**
 * Resolves what the user asked for to one commit, downloads and hashes it, and reads its
 * release: a complete lock, not yet written anywhere.
 */
export async function resolvePin(
  original: PinOriginal,
  context: PinContext,
  head?: PinHead,
): Promise<NixpkgsLock> {
  switch (original.type) {
    case 'github':
      return resolveGithub(original, context, head);
    case 'channel':
      return resolveChannelPin(original, context, head?.channel);
    case 'git':
      assertSourceUrl(original.url);
      return resolveGit(original, context, head);
  }
}

/** Where a pin's branch or channel points now, learnt without downloading the tree. */
export interface PinHead {
  readonly rev: string;
  readonly channel?: ResolvedChannel;
}

/**
 * Where a pin would resolve to now, from `git ls-remote` or the channel redirect alone: an
 * update that finds the same commit downloads nothing. Short revisions are left to resolvePin.
 */
export async function pinHead(
  original: PinOriginal,
  context: PinContext,
): Promise<PinHead | undefined> {
  switch (original.type) {
    case 'github':
      if (original.rev !== undefined)
        return revPattern.test(original.rev) ? { rev: original.rev } : undefined;
      return {
        rev: await lsRemote(
          githubGitUrl(context.sources.githubUrl, original.owner, original.repo),
          original.ref,
          context,
        ),
      };
    case 'channel': {
      const channel = await resolveChannel(original.name, context);
      return { rev: channel.rev, channel };
    }
    case 'git':
      assertSourceUrl(original.url);
      if (original.rev !== undefined)
        return revPattern.test(original.rev) ? { rev: original.rev } : undefined;
      return { rev: await lsRemote(original.url, original.ref, context) };
  }
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}

async function lockOf(
  original: PinOriginal,
  locked: PinLocked,
  tree: FetchedTree,
): Promise<NixpkgsLock> {
  const release = await readRelease(tree.storePath, followedRef(original));
  return { version: lockVersion, original, locked, ...(release ? { release } : {}) };
}

/**
 * lastModified of a GitHub pin is the commit time, as in flake.lock: `git archive` (which
 * GitHub's archives are) stamps every entry with it, so it is read from the archive's first
 * header; the store cannot tell (it resets every mtime to 1). Then the server's Last-Modified,
 * then the time of pinning, logged.
 */
function commitTime(facts: ArchiveFacts, url: string, context: PinContext): number {
  const time = facts.entryTime ?? facts.lastModifiedHeader;
  if (time !== undefined && time > 1) return time;
  context.logger.warn(`no commit time found in ${url}; recording the time of pinning instead`);
  return now();
}

async function resolveGithub(
  original: Extract<PinOriginal, { type: 'github' }>,
  context: PinContext,
  head: PinHead | undefined,
): Promise<NixpkgsLock> {
  const { githubUrl } = context.sources;
  const archive = (rev: string) => githubTarballUrl(githubUrl, original.owner, original.repo, rev);
  let facts: ArchiveFacts | undefined;
  let rev: string;
  let pinned = original;
  if (original.rev !== undefined && !revPattern.test(original.rev)) {
    // A short id (npins#166): GitHub serves its archive, which names the full commit.
    facts = await readArchiveFacts(archive(original.rev), context.signal);
    throwIfCancelled(context.signal);
    if (!facts.commit?.startsWith(original.rev.toLowerCase())) {
      throw new NixShellError(
        'fetch-failed',
        `cannot expand revision ${original.rev} from ${archive(original.rev)}; give the full 40-character commit id`,
      );
    }
    rev = facts.commit;
    pinned = { ...original, rev };
  } else {
    rev =
      original.rev ??
      head?.rev ??
      (await lsRemote(
        githubGitUrl(githubUrl, original.owner, original.repo),
        original.ref,
        context,
      ));
  }
  const url = archive(rev);
  const tree = await prefetchTarball(url, context);
  facts ??= await readArchiveFacts(url, context.signal);
  throwIfCancelled(context.signal);
  if (facts.commit !== undefined && facts.commit !== rev) {
    throw new NixShellError('hash-mismatch', `${url} holds commit ${facts.commit}, not ${rev}`);
  }
  const locked: PinLocked = {
    type: 'tarball',
    url,
    rev,
    narHash: tree.narHash,
    lastModified: commitTime(facts, url, context),
  };
  return lockOf(pinned, locked, tree);
}

/**
 * lastModified of a channel pin is when the release was published (its Last-Modified): a
 * channel tarball carries no commit time (Hydra builds it from the store, where every mtime is 1).
 */
async function resolveChannelPin(
  original: Extract<PinOriginal, { type: 'channel' }>,
  context: PinContext,
  known: ResolvedChannel | undefined,
): Promise<NixpkgsLock> {
  const channel = known ?? (await resolveChannel(original.name, context));
  const tree = await prefetchTarball(channel.url, context);
  const inTree = await readTreeRevision(tree.storePath);
  if (inTree !== undefined && inTree !== channel.rev) {
    throw new NixShellError(
      'hash-mismatch',
      `${channel.url} holds commit ${inTree}, but its git-revision says ${channel.rev}`,
    );
  }
  if (channel.published === undefined) {
    context.logger.warn(
      `${channel.url} has no Last-Modified; recording the time of pinning instead`,
    );
  }
  const locked: PinLocked = {
    type: 'tarball',
    url: channel.url,
    rev: channel.rev,
    narHash: tree.narHash,
    lastModified: channel.published ?? now(),
  };
  return lockOf(original, locked, tree);
}

async function resolveGit(
  original: Extract<PinOriginal, { type: 'git' }>,
  context: PinContext,
  head: PinHead | undefined,
): Promise<NixpkgsLock> {
  const rev = original.rev ?? head?.rev ?? (await lsRemote(original.url, original.ref, context));
  const tree = await fetchGitTree(original.url, rev, context);
  const pinned = original.rev !== undefined ? { ...original, rev: tree.rev } : original;
  const locked: PinLocked = {
    type: 'git',
    url: original.url,
    rev: tree.rev,
    narHash: tree.narHash,
    lastModified: tree.lastModified,
  };
  return lockOf(pinned, locked, tree);
}
