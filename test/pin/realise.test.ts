// Using a pin: the zero-edit `-I nixpkgs=<store path>` primitive (offline once fetched), and
// the nixpkgs.nix shim that plain nix-shell uses without the editor.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  pinNixpkgs,
  pinnedStorePath,
  pinnedStorePathIfPresent,
  realisePin,
  shimFileName,
  shimText,
  type NixpkgsLock,
} from '../../src/core/pin';
import { createChannelNixpkgs } from '../support/fixtureNixpkgs';
import { runNixTool } from '../support/nixTools';
import { rejectsWith, eachTestPinHarness, treeHash, type PinHarness } from '../support/pinHarness';

const nixos2405 = { type: 'github', owner: 'NixOS', repo: 'nixpkgs', ref: 'nixos-24.05' } as const;

/** A derivation whose MARKER comes from the nixpkgs that `source` imports. */
function shellNix(source: string): string {
  return `let pkgs = import ${source} { }; in
derivation {
  name = "pinned-shell";
  system = builtins.currentSystem;
  builder = "/bin/sh";
  args = [ "-c" "echo > $out" ];
  MARKER = pkgs.marker;
}
`;
}

/** What `nix-shell [ARGS] --run 'printf %s "$MARKER"'` prints in `dir`, typed by hand. */
async function markerSeenByNixShell(
  h: PinHarness,
  dir: string,
  channel: string,
  args: string[] = [],
): Promise<string> {
  const env = { ...h.context.env, NIX_PATH: `nixpkgs=${channel}`, NIX_BUILD_SHELL: '/bin/bash' };
  return runNixTool('nix-shell', [...args, '--run', 'printf %s "$MARKER"'], env, dir);
}

async function handMadeLock(h: PinHarness, branch: string, date: string): Promise<NixpkgsLock> {
  const rev = await h.fixture.advance(branch, {
    version: '24.05',
    marker: `fixture-${date}`,
    date,
  });
  return {
    version: 1,
    original: { ...nixos2405, rev },
    locked: {
      type: 'tarball',
      url: `${h.server.url}/NixOS/nixpkgs/archive/${rev}.tar.gz`,
      rev,
      narHash: await treeHash(h.fixture, rev),
      lastModified: Date.parse(date) / 1000,
    },
  };
}

describe('the zero-edit pin (realisePin)', function () {
  this.timeout(60_000);
  const h = eachTestPinHarness();

  it('gives the store path that makes `import <nixpkgs> {}` the pinned tree, not the channel', async () => {
    const channel = await createChannelNixpkgs('channel');
    const lock = await pinNixpkgs(h.dir, nixos2405, h.context);
    await writeFile(path.join(h.dir, 'shell.nix'), shellNix('<nixpkgs>'));
    assert.equal(await markerSeenByNixShell(h, h.dir, channel), 'channel', 'control: no pin');
    const storePath = await realisePin(lock, h.context);
    assert.equal(storePath, pinnedStorePath(lock));
    const pinned = await markerSeenByNixShell(h, h.dir, channel, ['-I', `nixpkgs=${storePath}`]);
    assert.equal(pinned, 'fixture-24.05');
  });

  it('fetches a tree that is not in the store yet, checking its hash', async () => {
    const lock = await handMadeLock(h, 'nixos-24.05', '2024-08-01T00:00:00Z');
    assert.equal(await pinnedStorePathIfPresent(lock), undefined, 'a new tree is not in the store');
    const wrong: NixpkgsLock = {
      ...lock,
      locked: {
        ...lock.locked,
        narHash: await treeHash(h.fixture, await h.fixture.rev('nixos-24.11')),
      },
    };
    await rejectsWith(realisePin(wrong, h.context), 'hash-mismatch');
    assert.equal(await realisePin(lock, h.context), pinnedStorePath(lock));
    assert.equal(await pinnedStorePathIfPresent(lock), pinnedStorePath(lock));
    assert.ok(h.server.requests.includes(`GET /NixOS/nixpkgs/archive/${lock.locked.rev}.tar.gz`));
  });

  it('works offline once the tree was fetched, and only then', async () => {
    const fetched = await pinNixpkgs(h.dir, nixos2405, h.context);
    const gitPin = await pinNixpkgs(
      h.dir,
      { type: 'git', url: h.fixture.fileUrl, ref: 'nixos-24.11' },
      h.context,
    );
    const neverFetched = await handMadeLock(h, 'nixos-24.05', '2024-09-01T00:00:00Z');
    await h.server.close();
    assert.equal(await realisePin(fetched, h.context), pinnedStorePath(fetched));
    assert.equal(
      await realisePin(
        { ...gitPin, locked: { ...gitPin.locked, url: 'file:///nonexistent' } },
        h.context,
      ),
      pinnedStorePath(gitPin),
      'a git pin in the store needs no repository either',
    );
    await rejectsWith(realisePin(neverFetched, h.context), 'fetch-failed');
  });
});

describe('the nixpkgs.nix shim', function () {
  this.timeout(60_000);
  const h = eachTestPinHarness();

  it('pins plain nix-shell with `import ./nixpkgs.nix {}`, offline once fetched', async () => {
    const channel = await createChannelNixpkgs('channel');
    await pinNixpkgs(h.dir, nixos2405, h.context);
    await writeFile(path.join(h.dir, 'shell.nix'), shellNix('./nixpkgs.nix'));
    assert.equal(await markerSeenByNixShell(h, h.dir, channel), 'fixture-24.05');
    await h.server.close();
    assert.equal(await markerSeenByNixShell(h, h.dir, channel), 'fixture-24.05', 'offline');
  });

  it('pins plain nix-shell to a git pin with fetchGit', async () => {
    const channel = await createChannelNixpkgs('channel');
    await pinNixpkgs(h.dir, { type: 'git', url: h.fixture.fileUrl, ref: 'nixos-24.11' }, h.context);
    await writeFile(path.join(h.dir, 'shell.nix'), shellNix('./nixpkgs.nix'));
    assert.equal(await markerSeenByNixShell(h, h.dir, channel), 'fixture-24.11');
  });

  it("never overwrites a user's nixpkgs.nix, but refreshes its own", async () => {
    const shim = path.join(h.dir, shimFileName);
    const mine = '# my own pin\nimport <nixpkgs>\n';
    await writeFile(shim, mine);
    await pinNixpkgs(h.dir, nixos2405, h.context);
    assert.equal(await readFile(shim, 'utf8'), mine);
    const outdated = `${shimText.split('\n')[0] ?? ''}\nimport ./old-generation.nix\n`;
    await writeFile(shim, outdated);
    await pinNixpkgs(h.dir, nixos2405, h.context);
    assert.equal(await readFile(shim, 'utf8'), shimText);
  });
});
