import assert from 'node:assert/strict';
import { mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import {
  locateNix,
  versionAtLeast,
  versionIn,
  wellKnownNixDirs,
} from '../../src/core/nix/installation';
import { scratchDir } from '../support/scratch';

describe("nix's version", () => {
  it('is read from what any implementation prints', () => {
    assert.equal(versionIn('nix (Nix) 2.8.0\n'), '2.8.0');
    assert.equal(versionIn('nix (Lix, like Nix) 2.91.1'), '2.91.1');
    assert.equal(versionIn('nix (Determinate Nix 3.6.2) 2.29.0'), '2.29.0');
    assert.equal(versionIn('nix (Nix) 2.19pre20231010_abcdef'), '2.19');
  });

  it('compares numerically, part by part', () => {
    assert.equal(versionAtLeast('2.8.0', '2.19'), false);
    assert.equal(versionAtLeast('2.19.1', '2.19'), true);
    assert.equal(versionAtLeast('nix (Lix, like Nix) 2.91.1', '2.19'), true);
    assert.equal(versionAtLeast('2.100', '2.19'), true);
    assert.equal(versionAtLeast('3.0', '2.19'), true);
  });
});

describe('finding nix', () => {
  it('looks in the places installers put it when PATH has none', async () => {
    const home = await scratchDir();
    const profileBin = path.join(home, '.nix-profile/bin');
    await mkdir(profileBin, { recursive: true });
    // The real nix, linked where a single-user install puts it.
    await symlink('/usr/bin/nix', path.join(profileBin, 'nix'));
    const found = await locateNix(undefined, await scratchDir(), wellKnownNixDirs(home, 'alice'));
    assert.equal(found.nix, path.join(profileBin, 'nix'));
  });

  it('prefers PATH to the well-known places', async () => {
    const home = await scratchDir();
    await mkdir(path.join(home, '.nix-profile/bin'), { recursive: true });
    await symlink('/usr/bin/nix', path.join(home, '.nix-profile/bin/nix'));
    const found = await locateNix(undefined, '/usr/bin', wellKnownNixDirs(home, 'alice'));
    assert.equal(found.nix, '/usr/bin/nix');
  });

  it('names the well-known places of every kind of install', () => {
    assert.deepEqual(wellKnownNixDirs('/home/alice', 'alice'), [
      '/nix/var/nix/profiles/default/bin',
      '/home/alice/.nix-profile/bin',
      '/home/alice/.local/state/nix/profile/bin',
      '/run/current-system/sw/bin',
      '/etc/profiles/per-user/alice/bin',
    ]);
  });

  it('says where it looked when nix is nowhere', async () => {
    const home = await scratchDir();
    await assert.rejects(
      locateNix(undefined, await scratchDir(), wellKnownNixDirs(home, 'alice')),
      {
        kind: 'nix-not-found',
        message: new RegExp(`not found on PATH, nor in .*${home}/\\.nix-profile/bin`),
      },
    );
  });
});
