import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { NixShellError } from '../errors';
import { githubGitUrl, type PinContext } from './context';
import { redact } from '../redact';
import { revPattern } from './lockFile';
import { prefetchTarball } from './prefetch';
import { gitEnv, runTool } from './tools';

/** A listing of refs is one small request; fetching a tree can be gigabytes (a fork's history). */
const lsRemoteTimeoutMs = 120_000;
const fetchTimeoutMs = 30 * 60_000;

function git(args: readonly string[], context: PinContext, what: string, cwd?: string) {
  return runTool('git', args, context, {
    what,
    extraEnv: gitEnv,
    timeoutMs: args[0] === 'fetch' ? fetchTimeoutMs : lsRemoteTimeoutMs,
    ...(cwd ? { cwd } : {}),
  });
}

function parseRefs(stdout: string): Map<string, string> {
  const refs = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const [rev, ref] = line.trim().split(/\s+/);
    if (rev && ref) refs.set(ref, rev);
  }
  return refs;
}

/**
 * The commit a branch (or tag; the default branch when none is given) points at, by
 * `git ls-remote`: one small request, no API and so no rate limit (niv#62), and the same for
 * GitHub, any git host and `file://`.
 */
export async function lsRemote(
  url: string,
  ref: string | undefined,
  context: PinContext,
): Promise<string> {
  const patterns =
    ref === undefined
      ? ['HEAD']
      : ref.startsWith('refs/')
        ? [ref]
        : // ls-remote lists a peeled tag only when its `^{}` name is asked for.
          [`refs/heads/${ref}`, `refs/tags/${ref}`, `refs/tags/${ref}^{}`];
  // A tag's peeled entry (`^{}`) names the commit; the plain one may name an annotated tag.
  const candidates =
    ref === undefined || ref.startsWith('refs/')
      ? patterns
      : [`refs/heads/${ref}`, `refs/tags/${ref}^{}`, `refs/tags/${ref}`];
  const refs = parseRefs(
    await git(['ls-remote', '--', url, ...patterns], context, `git ls-remote ${redact(url)}`),
  );
  for (const candidate of candidates) {
    const rev = refs.get(candidate);
    if (rev) return rev;
  }
  throw new NixShellError(
    'fetch-failed',
    ref === undefined
      ? `${redact(url)} has no default branch`
      : `${redact(url)} has no branch or tag named ${ref}`,
  );
}

/** Branch names, for the editor's "latest two nixos-YY.MM" choices. */
export async function listBranches(
  original: { type: 'github'; owner: string; repo: string } | { type: 'git'; url: string },
  context: PinContext,
  patterns: readonly string[] = [],
): Promise<string[]> {
  const url =
    original.type === 'github'
      ? githubGitUrl(context.sources.githubUrl, original.owner, original.repo)
      : original.url;
  const refs = parseRefs(
    await git(
      ['ls-remote', '--heads', '--', url, ...patterns],
      context,
      `git ls-remote ${redact(url)}`,
    ),
  );
  return [...refs.keys()]
    .map((ref) => ref.replace(/^refs\/heads\//, ''))
    .sort((a, b) => a.localeCompare(b));
}

/** The newest `<prefix>YY.MM` release branches, newest first: `nixos-24.11`, `nixos-24.05`. */
export function latestReleaseBranches(
  branches: readonly string[],
  prefix = 'nixos-',
  count = 2,
): string[] {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const release = new RegExp(`^${escaped}(\\d\\d)\\.(\\d\\d)$`);
  return branches
    .map((name) => ({ name, match: release.exec(name) }))
    .filter((entry): entry is { name: string; match: RegExpExecArray } => entry.match !== null)
    .sort(
      (a, b) =>
        Number(b.match[1]) * 100 +
        Number(b.match[2]) -
        (Number(a.match[1]) * 100 + Number(a.match[2])),
    )
    .slice(0, count)
    .map((entry) => entry.name);
}

export interface GitTree {
  readonly rev: string;
  readonly narHash: string;
  readonly storePath: string;
  /** The commit time, what flake.lock records as lastModified for git inputs. */
  readonly lastModified: number;
}

/**
 * Fetches one commit with git into a throwaway repository (no cache to go stale) and adds
 * its tree to the store as `source`, hashed by nix. The tree is `git archive` of the commit,
 * exactly what `builtins.fetchGit` unpacks in Nix 2.8, so the hash is the one `fetchGit
 * { narHash }` and flake inputs check. Works with `file://`, smart and dumb HTTP remotes.
 */
export async function fetchGitTree(
  url: string,
  rev: string,
  context: PinContext,
): Promise<GitTree> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'nixshell-pin-'));
  try {
    const repo = path.join(scratch, 'repo.git');
    const shown = redact(url);
    await git(['init', '--quiet', '--bare', repo], context, 'git init');
    await fetchCommit(repo, url, rev, context);
    const full = (
      await git(
        ['rev-parse', '--verify', `${rev}^{commit}`],
        context,
        `${shown} has no commit ${rev}`,
        repo,
      )
    ).trim();
    if (!revPattern.test(full))
      throw new NixShellError('fetch-failed', `${shown} has no commit ${rev}`);
    const time = Number(
      (await git(['show', '-s', '--format=%ct', full], context, 'git show', repo)).trim(),
    );
    const tarball = path.join(scratch, 'tree.tar');
    await git(
      ['archive', '--format=tar', '--prefix=source/', '-o', tarball, full],
      context,
      'git archive',
      repo,
    );
    const tree = await prefetchTarball(pathToFileURL(tarball).href, context);
    return { rev: full, narHash: tree.narHash, storePath: tree.storePath, lastModified: time };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * Shallow by commit id where the server allows it (GitHub, file://); dumb HTTP servers know no
 * shallow fetches, and short ids cannot be fetched directly: then every branch and tag.
 */
async function fetchCommit(
  repo: string,
  url: string,
  rev: string,
  context: PinContext,
): Promise<void> {
  const shown = redact(url);
  const attempts = revPattern.test(rev)
    ? [
        ['fetch', '--quiet', '--depth=1', '--', url, rev],
        ['fetch', '--quiet', '--', url, rev],
      ]
    : [];
  attempts.push([
    'fetch',
    '--quiet',
    '--',
    url,
    '+refs/heads/*:refs/heads/*',
    '+refs/tags/*:refs/tags/*',
  ]);
  let lastError: unknown;
  for (const args of attempts) {
    try {
      await git(args, context, `git fetch ${shown}`, repo);
      return;
    } catch (error) {
      if (error instanceof NixShellError && error.kind !== 'fetch-failed') throw error;
      lastError = error;
    }
  }
  throw lastError;
}
