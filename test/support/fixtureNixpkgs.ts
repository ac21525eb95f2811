import { randomBytes } from 'node:crypto';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { scratchDir } from './scratch';

/** One commit of the fixture: what lib/.version and the `marker` attribute say, and when. */
export interface FixtureCommit {
  readonly version: string;
  readonly marker: string;
  /** ISO date, used as both author and committer date, so revs and times are predictable. */
  readonly date: string;
}

/** The branches every fixture starts with, each one commit ahead of the previous. */
export const initialBranches: Readonly<Record<string, FixtureCommit>> = {
  'nixos-24.05': { version: '24.05', marker: 'fixture-24.05', date: '2024-06-15T12:00:00Z' },
  'nixos-24.11': { version: '24.11', marker: 'fixture-24.11', date: '2024-12-01T08:30:00Z' },
  'nixos-unstable': { version: '25.05', marker: 'fixture-unstable', date: '2025-01-10T18:45:00Z' },
};

export interface FixtureNixpkgs {
  /** The directory served over HTTP: `<root>/NixOS/nixpkgs.git` is the bare repository. */
  readonly root: string;
  readonly bare: string;
  /** `file://` URL of the bare repository, for `--from git+file://…`. */
  readonly fileUrl: string;
  /** A random file in every tree, so each fixture's store paths are new to the store. */
  readonly nonce: string;
  rev(branch: string): Promise<string>;
  /** Commit time of a revision, unix seconds. */
  commitTime(rev: string): Promise<number>;
  /** Moves a branch forward by one commit, published to the bare repository. */
  advance(branch: string, commit: FixtureCommit): Promise<string>;
}

function defaultNix(marker: string): string {
  // Builtins only: no real nixpkgs is needed (or available) in the tests.
  return `{ ... }:
{
  marker = "${marker}";
  hello = derivation {
    name = "hello";
    system = builtins.currentSystem;
    builder = "/bin/sh";
    args = [ "-c" "echo hello > $out" ];
  };
}
`;
}

export function gitIdentityEnv(date: string): Record<string, string> {
  return {
    GIT_AUTHOR_NAME: 'Fixture',
    GIT_AUTHOR_EMAIL: 'fixture@nixshell.invalid',
    GIT_COMMITTER_NAME: 'Fixture',
    GIT_COMMITTER_EMAIL: 'fixture@nixshell.invalid',
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_DATE: date,
  };
}

async function git(cwd: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await execa('git', ['-c', 'commit.gpgsign=false', ...args], {
    cwd,
    env: { GIT_CONFIG_NOSYSTEM: '1', ...env },
  });
  return stdout.trim();
}

/**
 * A miniature nixpkgs in git: `lib/.version` (and the root `.version` symlink to it, as in
 * nixpkgs since 2024), a default.nix with a `marker`, and the branches above; plus a bare clone
 * ready for git's dumb HTTP protocol (`git update-server-info`) and for `file://`.
 */
export async function createFixtureNixpkgs(): Promise<FixtureNixpkgs> {
  const top = await scratchDir('nixshell-fixture-nixpkgs-');
  const work = path.join(top, 'work');
  const root = path.join(top, 'www');
  const bare = path.join(root, 'NixOS', 'nixpkgs.git');
  const nonce = randomBytes(8).toString('hex');
  await mkdir(path.join(work, 'lib'), { recursive: true });
  await git(work, ['init', '--quiet', '--initial-branch', 'nixos-24.05']);

  const commit = async (entry: FixtureCommit): Promise<string> => {
    await writeFile(path.join(work, 'lib', '.version'), `${entry.version}\n`);
    await writeFile(path.join(work, 'default.nix'), defaultNix(entry.marker));
    await writeFile(path.join(work, '.nonce'), `${nonce}\n`);
    await git(work, ['add', '--all']);
    await git(work, ['commit', '--quiet', '-m', entry.marker], gitIdentityEnv(entry.date));
    return git(work, ['rev-parse', 'HEAD']);
  };

  await symlink('lib/.version', path.join(work, '.version'));
  let previous: string | undefined;
  for (const [branch, entry] of Object.entries(initialBranches)) {
    if (previous !== undefined) await git(work, ['checkout', '--quiet', '-b', branch]);
    previous = await commit(entry);
  }
  await mkdir(path.dirname(bare), { recursive: true });
  await git(top, ['clone', '--quiet', '--bare', work, bare]);
  await git(bare, ['update-server-info']);

  return {
    root,
    bare,
    fileUrl: pathToFileURL(bare).href,
    nonce,
    rev: (branch) => git(bare, ['rev-parse', `refs/heads/${branch}`]),
    commitTime: async (rev) => Number(await git(bare, ['show', '-s', '--format=%ct', rev])),
    advance: async (branch, entry) => {
      await git(work, ['checkout', '--quiet', branch]);
      const rev = await commit(entry);
      await git(work, ['push', '--quiet', '--force', bare, `${branch}:${branch}`]);
      await git(bare, ['update-server-info']);
      return rev;
    },
  };
}

/** A directory standing in for the user's channel on NIX_PATH: `<nixpkgs>` that is not the pin. */
export async function createChannelNixpkgs(marker = 'channel'): Promise<string> {
  const dir = await scratchDir('nixshell-channel-nixpkgs-');
  await writeFile(path.join(dir, 'default.nix'), `{ ... }: { marker = "${marker}"; }\n`);
  return dir;
}
