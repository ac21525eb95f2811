// Pinning against the fixture nixpkgs with the real nix and git: a GitHub branch, a channel, an
// exact revision and a git URL, each checked against values computed without the pin code.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import {
  pinNixpkgs,
  pinnedStorePath,
  readLock,
  shimFileName,
  shimMarker,
  type NixpkgsLock,
} from '../../src/core/pin';
import { rejectsWith, eachTestPinHarness, treeHash, unixTime } from '../support/pinHarness';
import { gitIdentityEnv } from '../support/fixtureNixpkgs';
import { releaseDelaySeconds } from '../support/pinServer';

const nixpkgs = { type: 'github', owner: 'NixOS', repo: 'nixpkgs' } as const;

async function treeFile(lock: NixpkgsLock, file: string): Promise<string> {
  return readFile(path.join(pinnedStorePath(lock), file), 'utf8');
}

describe('pinning nixpkgs', function () {
  this.timeout(60_000);
  const h = eachTestPinHarness();

  it('pins a GitHub branch: its newest commit, hash, commit time and release', async () => {
    const rev = await h.fixture.rev('nixos-24.05');
    const lock = await pinNixpkgs(h.dir, { ...nixpkgs, ref: 'nixos-24.05' }, h.context);
    assert.deepEqual(lock, {
      version: 1,
      original: { ...nixpkgs, ref: 'nixos-24.05' },
      locked: {
        type: 'tarball',
        url: `${h.server.url}/NixOS/nixpkgs/archive/${rev}.tar.gz`,
        rev,
        narHash: await treeHash(h.fixture, rev),
        lastModified: unixTime('2024-06-15T12:00:00Z'),
      },
      release: '24.05',
    });
    assert.deepEqual(await readLock(h.dir), lock, 'the lock on disk is the one returned');
    assert.match(await treeFile(lock, 'default.nix'), /marker = "fixture-24\.05"/);
    const shim = await readFile(path.join(h.dir, shimFileName), 'utf8');
    assert.equal(shim.split('\n')[0], shimMarker);
    assert.ok(
      h.server.requests.includes('GET /NixOS/nixpkgs.git/info/refs'),
      'the branch was resolved with git ls-remote over HTTP',
    );
  });

  it('marks a development branch as a pre-release', async () => {
    const lock = await pinNixpkgs(h.dir, { ...nixpkgs, ref: 'nixos-unstable' }, h.context);
    assert.equal(lock.release, '25.05pre');
    assert.equal(lock.locked.rev, await h.fixture.rev('nixos-unstable'));
  });

  it('pins a channel through its redirect to an immutable release', async () => {
    const rev = await h.fixture.rev('nixos-24.11');
    const lock = await pinNixpkgs(h.dir, { type: 'channel', name: 'nixos-24.11' }, h.context);
    assert.deepEqual(lock.original, { type: 'channel', name: 'nixos-24.11' });
    assert.equal(
      lock.locked.url,
      `${h.server.url}/releases/nixos-24.11.2.${rev.slice(0, 7)}/nixexprs.tar.xz`,
    );
    assert.equal(lock.locked.rev, rev);
    assert.equal(lock.locked.lastModified, unixTime('2024-12-01T08:30:00Z') + releaseDelaySeconds);
    assert.equal(lock.release, '24.11');
    assert.equal(
      (await treeFile(lock, '.git-revision')).trim(),
      rev,
      'the hash is of the release tarball',
    );
    assert.match(await treeFile(lock, 'default.nix'), /fixture-24\.11/);
    const unstable = await pinNixpkgs(
      h.dir,
      { type: 'channel', name: 'nixos-unstable' },
      h.context,
    );
    assert.equal(unstable.release, '25.05pre', "from the tarball's .version-suffix");
  });

  it('pins an exact revision, full or short', async () => {
    const rev = await h.fixture.rev('nixos-24.11');
    const full = await pinNixpkgs(h.dir, { ...nixpkgs, rev }, h.context);
    assert.deepEqual(full.original, { ...nixpkgs, rev });
    assert.equal(full.locked.rev, rev);
    assert.equal(full.locked.narHash, await treeHash(h.fixture, rev));
    assert.equal(full.locked.lastModified, unixTime('2024-12-01T08:30:00Z'));
    assert.ok(
      !h.server.requests.some((r) => r.includes('info/refs')),
      'an exact rev needs no ls-remote',
    );
    const short = await pinNixpkgs(h.dir, { ...nixpkgs, rev: rev.slice(0, 7) }, h.context);
    assert.deepEqual(short, full, 'a short rev is expanded to the same lock');
  });

  it('pins a git URL over HTTP and file://, with the same hash as the GitHub tarball', async () => {
    const rev = await h.fixture.rev('nixos-24.11');
    for (const url of [`${h.server.url}/NixOS/nixpkgs.git`, h.fixture.fileUrl]) {
      const lock = await pinNixpkgs(h.dir, { type: 'git', url, ref: 'nixos-24.11' }, h.context);
      assert.deepEqual(lock, {
        version: 1,
        original: { type: 'git', url, ref: 'nixos-24.11' },
        locked: {
          type: 'git',
          url,
          rev,
          narHash: await treeHash(h.fixture, rev),
          lastModified: unixTime('2024-12-01T08:30:00Z'),
        },
        release: '24.11',
      });
    }
  });

  it('pins an annotated tag to the commit it tags, not to the tag object', async () => {
    const rev = await h.fixture.rev('nixos-24.05');
    await execa('git', ['-C', h.fixture.bare, 'tag', '-a', 'v24.05', '-m', 'release', rev], {
      env: { ...process.env, ...gitIdentityEnv('2024-06-16T00:00:00Z') },
    });
    await execa('git', ['-C', h.fixture.bare, 'update-server-info']);
    const lock = await pinNixpkgs(h.dir, { ...nixpkgs, ref: 'v24.05' }, h.context);
    assert.equal(lock.locked.rev, rev);
    const git = await pinNixpkgs(
      h.dir,
      { type: 'git', url: h.fixture.fileUrl, ref: 'v24.05' },
      h.context,
    );
    assert.equal(git.locked.rev, rev);
  });

  it('refuses a git URL it could never record before fetching anything', async () => {
    const error = await rejectsWith(
      pinNixpkgs(h.dir, { type: 'git', url: 'git@github.com:me/nixpkgs.git' }, h.context),
      'unsupported',
    );
    assert.match(error.message, /ssh:\/\/git@github\.com\/me\/nixpkgs\.git/);
  });

  it('says which branch or channel does not exist', async () => {
    const branch = await rejectsWith(
      pinNixpkgs(h.dir, { ...nixpkgs, ref: 'nixos-99.99' }, h.context),
      'fetch-failed',
    );
    assert.match(branch.message, /has no branch or tag named nixos-99\.99/);
    const channel = await rejectsWith(
      pinNixpkgs(h.dir, { type: 'channel', name: 'nixos-99.99' }, h.context),
      'fetch-failed',
    );
    assert.match(channel.message, /there is no channel nixos-99\.99/);
    assert.equal(await readLock(h.dir), undefined, 'nothing was written');
  });
});
