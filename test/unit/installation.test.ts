import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  locateNix,
  nixVersionLine,
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

describe("remembering nix's version", () => {
  /** A stand-in nix that says its version and counts how often it was asked. */
  async function countingNix(
    version: string,
  ): Promise<{ dir: string; asked: () => Promise<number> }> {
    const dir = await scratchDir('nixshell-version-');
    const count = path.join(dir, 'count');
    await writeFile(count, '');
    await writeFile(
      path.join(dir, 'nix'),
      `#!/bin/sh\necho x >> '${count}'\necho 'nix (Nix) ${version}'\n`,
    );
    await chmod(path.join(dir, 'nix'), 0o755);
    return { dir, asked: async () => (await readFile(count, 'utf8')).split('\n').length - 1 };
  }
  const env = { PATH: '/usr/bin:/bin' };

  it('asks an installation once, and keeps the answer by its identity', async () => {
    const stand = await countingNix('2.99.1');
    const memo = path.join(await scratchDir('nixshell-memo-'), 'nix-versions.json');
    const nix = await locateNix(stand.dir, undefined, []);
    assert.equal(await nixVersionLine(nix, env, memo), 'nix (Nix) 2.99.1');
    assert.equal(await stand.asked(), 1);
    const kept = JSON.parse(await readFile(memo, 'utf8')) as Record<string, string>;
    assert.deepEqual(kept, { [nix.identity]: 'nix (Nix) 2.99.1' });
  });

  it('answers from the memo another process wrote, starting no nix', async () => {
    const stand = await countingNix('2.99.2');
    const memo = path.join(await scratchDir('nixshell-memo-'), 'nix-versions.json');
    const nix = await locateNix(stand.dir, undefined, []);
    await writeFile(memo, JSON.stringify({ [nix.identity]: 'nix (Nix) 2.99.2' }));
    assert.equal(await nixVersionLine(nix, env, memo), 'nix (Nix) 2.99.2');
    assert.equal(await stand.asked(), 0);
  });

  it('asks again when nix was replaced: a memo for another identity does not answer', async () => {
    const stand = await countingNix('2.99.3');
    const memo = path.join(await scratchDir('nixshell-memo-'), 'nix-versions.json');
    const nix = await locateNix(stand.dir, undefined, []);
    await writeFile(memo, JSON.stringify({ [`${nix.identity}0`]: 'nix (Nix) 2.0' }));
    assert.equal(await nixVersionLine(nix, env, memo), 'nix (Nix) 2.99.3');
    assert.equal(await stand.asked(), 1);
    const kept = JSON.parse(await readFile(memo, 'utf8')) as Record<string, string>;
    assert.equal(Object.keys(kept).length, 2, 'the other installation is kept as well');
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
