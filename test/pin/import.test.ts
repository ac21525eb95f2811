// Taking over pins from niv, npins and flake.lock: the exact revision and hash are kept, never
// re-resolved (npins#70), and flake.lock is read (and updated by nix) in place.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  currentPin,
  importPin,
  lockFileName,
  pinNixpkgs,
  pinnedStorePath,
  pinnedStorePathIfPresent,
  readLock,
  updateFlakePin,
} from '../../src/core/pin';
import { runNixTool } from '../support/nixTools';
import {
  rejectsWith,
  eachTestPinHarness,
  treeHash,
  unixTime,
  type PinHarness,
} from '../support/pinHarness';
import { scratchDir } from '../support/scratch';

async function writeJson(dir: string, file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
  await writeFile(path.join(dir, file), `${JSON.stringify(value, null, 2)}\n`);
}

/** nix-prefetch-url's own base32 hash of a tarball: what niv stores. */
async function nivHash(h: PinHarness, url: string): Promise<string> {
  const out = await runNixTool(
    'nix-prefetch-url',
    ['--unpack', '--name', 'source', '--type', 'sha256', url],
    h.context.env,
  );
  return out.trim();
}

/** Moves the branch after the other tool locked it: an import that re-resolved would notice. */
async function moveOn(h: PinHarness, branch: string): Promise<void> {
  await h.fixture.advance(branch, {
    version: 'moved',
    marker: 'moved',
    date: '2025-02-01T00:00:00Z',
  });
}

function noLsRemote(h: PinHarness): void {
  assert.ok(!h.server.requests.some((r) => r.includes('info/refs')), 'the pin was re-resolved');
}

describe('importing a pin', function () {
  this.timeout(60_000);
  const h = eachTestPinHarness();

  it('from niv, converting its base32 sha256 to SRI', async () => {
    const rev = await h.fixture.rev('nixos-24.05');
    const url = `${h.server.url}/NixOS/nixpkgs/archive/${rev}.tar.gz`;
    await writeJson(h.dir, 'nix/sources.json', {
      nixpkgs: {
        branch: 'nixos-24.05',
        description: 'Nix Packages collection',
        homepage: null,
        owner: 'NixOS',
        repo: 'nixpkgs',
        rev,
        sha256: await nivHash(h, url),
        type: 'tarball',
        url,
        url_template: `${h.server.url}/<owner>/<repo>/archive/<rev>.tar.gz`,
      },
    });
    await moveOn(h, 'nixos-24.05');
    const lock = await importPin(h.dir, 'niv', h.context);
    assert.deepEqual(lock, {
      version: 1,
      original: { type: 'github', owner: 'NixOS', repo: 'nixpkgs', ref: 'nixos-24.05' },
      locked: {
        type: 'tarball',
        url,
        rev,
        narHash: await treeHash(h.fixture, rev),
        lastModified: unixTime('2024-06-15T12:00:00Z'),
      },
      release: '24.05',
    });
    assert.deepEqual(await readLock(h.dir), lock);
    noLsRemote(h);
  });

  it('from npins: a GitHub pin with an SRI hash and a channel pin with a base32 one', async () => {
    const rev = await h.fixture.rev('nixos-24.11');
    const narHash = await treeHash(h.fixture, rev);
    await writeJson(h.dir, 'npins/sources.json', {
      pins: {
        nixpkgs: {
          type: 'Git',
          repository: { type: 'GitHub', owner: 'NixOS', repo: 'nixpkgs' },
          branch: 'nixos-24.11',
          submodules: false,
          revision: rev,
          url: `${h.server.url}/NixOS/nixpkgs/archive/${rev}.tar.gz`,
          hash: narHash,
        },
      },
      version: 6,
    });
    await moveOn(h, 'nixos-24.11');
    const github = await importPin(h.dir, 'npins', h.context);
    assert.deepEqual(github.original, {
      type: 'github',
      owner: 'NixOS',
      repo: 'nixpkgs',
      ref: 'nixos-24.11',
    });
    assert.deepEqual(github.locked, {
      type: 'tarball',
      url: `${h.server.url}/NixOS/nixpkgs/archive/${rev}.tar.gz`,
      rev,
      narHash,
      lastModified: unixTime('2024-12-01T08:30:00Z'),
    });
    noLsRemote(h);

    const channelRev = await h.fixture.rev('nixos-24.05');
    const release = `${h.server.url}/releases/nixos-24.05.1.${channelRev.slice(0, 7)}/nixexprs.tar.xz`;
    const base32 = await nivHash(h, release);
    await writeJson(h.dir, 'npins/sources.json', {
      pins: { nixpkgs: { type: 'Channel', name: 'nixos-24.05', url: release, hash: base32 } },
      version: 3,
    });
    await moveOn(h, 'nixos-24.05');
    const channel = await importPin(h.dir, 'npins', h.context);
    assert.deepEqual(channel.original, { type: 'channel', name: 'nixos-24.05' });
    assert.equal(channel.locked.url, release);
    assert.equal(channel.locked.rev, channelRev, "from the tarball's .git-revision");
    assert.equal(channel.release, '24.05');
    assert.ok(
      !h.server.requests.some((r) => r.startsWith('HEAD /nixos-24.05/')),
      'not re-resolved',
    );
  });

  it('from flake.lock, following a `follows` path to the nixpkgs node', async () => {
    const rev = await h.fixture.rev('nixos-24.11');
    const decoy = await h.fixture.rev('nixos-24.05');
    const narHash = await treeHash(h.fixture, rev);
    const node = (r: string, ref: string, hash: string) => ({
      locked: {
        lastModified: 1733041800,
        narHash: hash,
        owner: 'NixOS',
        repo: 'nixpkgs',
        rev: r,
        type: 'github',
      },
      original: { owner: 'NixOS', ref, repo: 'nixpkgs', type: 'github' },
    });
    await writeJson(h.dir, 'flake.lock', {
      nodes: {
        nixpkgs: node(decoy, 'nixos-24.05', await treeHash(h.fixture, decoy)),
        nixpkgs_2: node(rev, 'nixos-24.11', narHash),
        tools: {
          inputs: { nixpkgs: 'nixpkgs_2' },
          locked: { type: 'path', path: '/x' },
          original: {},
        },
        root: { inputs: { nixpkgs: ['tools', 'nixpkgs'], tools: 'tools', other: 'nixpkgs' } },
      },
      root: 'root',
      version: 7,
    });
    const before = await currentPin(h.dir, new Date('2024-12-11T09:00:00Z'));
    assert.deepEqual(
      before,
      {
        source: 'flake.lock',
        rev,
        shortRev: rev.slice(0, 7),
        lastModified: 1733041800,
        date: '2024-12-01',
        ageDays: 10,
        description: 'github:NixOS/nixpkgs/nixos-24.11',
        url: `https://github.com/NixOS/nixpkgs/archive/${rev}.tar.gz`,
      },
      'no release: the tree is not in the store yet',
    );

    const lock = await importPin(h.dir, 'flake', h.context);
    assert.deepEqual(lock, {
      version: 1,
      original: { type: 'github', owner: 'NixOS', repo: 'nixpkgs', ref: 'nixos-24.11' },
      locked: {
        type: 'tarball',
        url: `${h.server.url}/NixOS/nixpkgs/archive/${rev}.tar.gz`,
        rev,
        narHash,
        lastModified: 1733041800,
      },
      release: '24.11',
    });
    noLsRemote(h);
  });

  it('refuses a hash that does not match the tree, and writes nothing', async () => {
    const rev = await h.fixture.rev('nixos-24.05');
    const wrong = await treeHash(h.fixture, await h.fixture.rev('nixos-24.11'));
    await writeJson(h.dir, 'npins/sources.json', {
      pins: {
        nixpkgs: {
          type: 'Git',
          repository: { type: 'GitHub', owner: 'NixOS', repo: 'nixpkgs' },
          branch: 'nixos-24.05',
          revision: rev,
          url: `${h.server.url}/NixOS/nixpkgs/archive/${rev}.tar.gz`,
          hash: wrong,
        },
      },
      version: 5,
    });
    await rejectsWith(importPin(h.dir, 'npins', h.context), 'hash-mismatch');
    assert.equal(await readLock(h.dir), undefined);
  });

  it('says what is missing', async () => {
    const error = await rejectsWith(importPin(h.dir, 'niv', h.context), 'unsupported');
    assert.match(error.message, /no readable nix\/sources\.json/);
  });
});

describe('the pin of a folder (currentPin)', function () {
  this.timeout(60_000);
  const h = eachTestPinHarness();

  it('prefers nixpkgs.lock.json over flake.lock', async () => {
    const lock = await pinNixpkgs(h.dir, { type: 'channel', name: 'nixos-24.11' }, h.context);
    await writeJson(h.dir, 'flake.lock', { nodes: { root: {} }, root: 'root', version: 7 });
    const info = await currentPin(h.dir, new Date('2025-01-01T00:00:00Z'));
    assert.equal(info?.source, 'lock');
    assert.equal(info.rev, lock.locked.rev);
    assert.equal(info.release, '24.11');
    assert.equal(info.description, 'channel:nixos-24.11');
    assert.equal(info.date, '2024-12-01');
    assert.equal(await currentPin(await scratchDir('nixshell-empty-')), undefined);
  });

  it('reads a corrupt lock as lock-invalid rather than falling back to flake.lock', async () => {
    await writeFile(path.join(h.dir, lockFileName), '{"version": 1, "orig');
    await rejectsWith(currentPin(h.dir), 'lock-invalid');
  });

  it("shows a flake's nixpkgs as nix locked it, and nix's own update moves it", async () => {
    await writeFile(
      path.join(h.dir, 'flake.nix'),
      `{
  inputs.nixpkgs = { url = "git+${h.fixture.fileUrl}?ref=nixos-24.05"; flake = false; };
  outputs = { self, nixpkgs }: { marker = (import nixpkgs { }).marker; };
}
`,
    );
    await updateFlakePin(h.dir, h.context);
    const first = await currentPin(h.dir);
    assert.equal(first?.source, 'flake.lock');
    assert.equal(first.rev, await h.fixture.rev('nixos-24.05'));
    assert.equal(first.release, '24.05', 'read from the tree nix fetched');
    assert.equal(first.date, '2024-06-15');
    assert.equal(first.description, `git+${h.fixture.fileUrl}?ref=nixos-24.05`);

    const rev = await h.fixture.advance('nixos-24.05', {
      version: '24.05',
      marker: 'later',
      date: '2024-07-01T09:00:00Z',
    });
    await updateFlakePin(h.dir, h.context);
    const second = await currentPin(h.dir);
    assert.equal(second?.rev, rev);
    assert.equal(second.date, '2024-07-01');
    const flakeLock = JSON.parse(await readFile(path.join(h.dir, 'flake.lock'), 'utf8')) as {
      nodes: { nixpkgs: { locked: { narHash: string } } };
    };
    assert.equal(flakeLock.nodes.nixpkgs.locked.narHash, await treeHash(h.fixture, rev));
    const imported = await importPin(h.dir, 'flake', h.context);
    assert.equal(imported.locked.narHash, flakeLock.nodes.nixpkgs.locked.narHash);
    assert.equal(
      await pinnedStorePathIfPresent(imported),
      pinnedStorePath(imported),
      'nix fetched it',
    );
    assert.deepEqual(imported.original, {
      type: 'git',
      url: h.fixture.fileUrl,
      ref: 'nixos-24.05',
    });
    assert.equal(imported.locked.rev, rev);
  });
});
