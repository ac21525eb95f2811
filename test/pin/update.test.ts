// Updating and verifying a pin: the lock moves only after the new tree is downloaded and
// hashed, and any failure leaves the old lock byte for byte.
import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import {
  commitUpdate,
  describeChange,
  lockFileName,
  lockInfo,
  pinNixpkgs,
  pinnedStorePath,
  serializeLock,
  updatePin,
  verifyPin,
} from '../../src/core/pin';
import {
  rejectsWith,
  eachTestPinHarness,
  startPinHarness,
  treeHash,
  unixTime,
  type PinHarness,
} from '../support/pinHarness';

const nixos2405 = { type: 'github', owner: 'NixOS', repo: 'nixpkgs', ref: 'nixos-24.05' } as const;
const july = { version: '24.05', marker: 'fixture-24.05-july', date: '2024-07-01T09:00:00Z' };

describe('updating a pin', function () {
  this.timeout(60_000);
  let h: PinHarness;
  let lockFile: string;
  beforeEach(async () => {
    h = await startPinHarness();
    lockFile = path.join(h.dir, lockFileName);
  });
  afterEach(async () => {
    await h.server.close();
  });

  it('moves a branch pin to the new commit and says what changed', async () => {
    const before = await pinNixpkgs(h.dir, nixos2405, h.context);
    const rev = await h.fixture.advance('nixos-24.05', july);
    const update = await updatePin(h.dir, h.context);
    assert.equal(update.changed, true);
    assert.deepEqual(update.before, before);
    assert.deepEqual(update.after.locked, {
      type: 'tarball',
      url: `${h.server.url}/NixOS/nixpkgs/archive/${rev}.tar.gz`,
      rev,
      narHash: await treeHash(h.fixture, rev),
      lastModified: unixTime('2024-07-01T09:00:00Z'),
    });
    assert.deepEqual(update.after.original, nixos2405, 'the branch is still what is followed');
    assert.deepEqual(JSON.parse(await readFile(lockFile, 'utf8')), update.after);
    assert.equal(
      describeChange(lockInfo(update.before), lockInfo(update.after)),
      `24.05 · 2024-06-15 · ${before.locked.rev.slice(0, 7)} → 24.05 · 2024-07-01 · ${rev.slice(0, 7)}`,
    );
  });

  it('writes a looked-at update only if the lock did not change meanwhile', async () => {
    await pinNixpkgs(h.dir, nixos2405, h.context);
    await h.fixture.advance('nixos-24.05', july);
    const update = await updatePin(h.dir, h.context, { dryRun: true });
    assert.equal(update.changed, true);
    // Meanwhile, a pull (or another window) brings another pin.
    await pinNixpkgs(h.dir, { ...nixos2405, ref: 'nixos-24.11' }, h.context);
    const other = await readFile(lockFile, 'utf8');
    await assert.rejects(commitUpdate(h.dir, update, h.context), { kind: 'lock-invalid' });
    assert.equal(await readFile(lockFile, 'utf8'), other, 'the other pin is kept');
    await writeFile(lockFile, serializeLock(update.before));
    await commitUpdate(h.dir, update, h.context);
    assert.deepEqual(JSON.parse(await readFile(lockFile, 'utf8')), update.after);
  });

  it('leaves an up-to-date lock untouched and downloads nothing', async () => {
    await pinNixpkgs(h.dir, nixos2405, h.context);
    const bytes = await readFile(lockFile);
    const { mtimeMs } = await stat(lockFile);
    const downloadsBefore = h.server.requests.filter((r) => r.includes('/archive/')).length;
    const update = await updatePin(h.dir, h.context);
    assert.equal(update.changed, false);
    assert.deepEqual(update.after, update.before);
    assert.deepEqual(await readFile(lockFile), bytes);
    assert.equal((await stat(lockFile)).mtimeMs, mtimeMs, 'not even rewritten');
    assert.equal(h.server.requests.filter((r) => r.includes('/archive/')).length, downloadsBefore);
  });

  it('shows a change without writing it on a dry run', async () => {
    await pinNixpkgs(h.dir, nixos2405, h.context);
    const bytes = await readFile(lockFile);
    const rev = await h.fixture.advance('nixos-24.05', july);
    const update = await updatePin(h.dir, h.context, { dryRun: true });
    assert.equal(update.changed, true);
    assert.equal(update.after.locked.rev, rev);
    assert.deepEqual(await readFile(lockFile), bytes);
  });

  it('never moves an exact revision', async () => {
    const rev = await h.fixture.rev('nixos-24.05');
    await pinNixpkgs(h.dir, { ...nixos2405, rev }, h.context);
    await h.fixture.advance('nixos-24.05', july);
    const update = await updatePin(h.dir, h.context);
    assert.equal(update.changed, false);
    assert.equal(update.after.locked.rev, rev);
  });

  it('moves a channel pin to the new release', async () => {
    await pinNixpkgs(h.dir, { type: 'channel', name: 'nixos-24.05' }, h.context);
    const rev = await h.fixture.advance('nixos-24.05', july);
    const update = await updatePin(h.dir, h.context);
    assert.equal(update.changed, true);
    assert.equal(update.after.locked.rev, rev);
    assert.match(
      update.after.locked.url,
      new RegExp(`/releases/nixos-24\\.05\\.2\\.${rev.slice(0, 7)}/`),
    );
  });

  it('moves a git pin (file://) to the new commit', async () => {
    await pinNixpkgs(h.dir, { type: 'git', url: h.fixture.fileUrl, ref: 'nixos-24.05' }, h.context);
    const rev = await h.fixture.advance('nixos-24.05', july);
    const update = await updatePin(h.dir, h.context);
    assert.equal(update.after.locked.rev, rev);
    assert.equal(update.after.locked.narHash, await treeHash(h.fixture, rev));
    assert.equal(update.after.locked.lastModified, unixTime('2024-07-01T09:00:00Z'));
  });

  it('keeps the old lock byte for byte when the server goes down mid-update', async () => {
    await pinNixpkgs(h.dir, nixos2405, h.context);
    const bytes = await readFile(lockFile);
    const rev = await h.fixture.advance('nixos-24.05', july);
    h.server.stopOn((pathname) => pathname.includes('/archive/'));
    const error = await rejectsWith(updatePin(h.dir, h.context), 'fetch-failed');
    assert.match(error.message, new RegExp(`downloading .*/archive/${rev}\\.tar\\.gz`));
    const last = h.server.requests.slice(-3);
    assert.deepEqual(last, [
      'GET /NixOS/nixpkgs.git/info/refs',
      'GET /NixOS/nixpkgs.git/HEAD',
      `GET /NixOS/nixpkgs/archive/${rev}.tar.gz`,
    ]);
    assert.deepEqual(await readFile(lockFile), bytes);
  });

  it('stops a stalled download when cancelled, keeping the old lock', async () => {
    await pinNixpkgs(h.dir, nixos2405, h.context);
    const bytes = await readFile(lockFile);
    await h.fixture.advance('nixos-24.05', july);
    const controller = new AbortController();
    h.server.hold(
      (pathname) => pathname.includes('/archive/'),
      () => setTimeout(() => controller.abort(), 200),
    );
    const started = Date.now();
    await rejectsWith(updatePin(h.dir, { ...h.context, signal: controller.signal }), 'cancelled');
    assert.ok(Date.now() - started < 10_000, 'the download was killed, not waited for');
    assert.deepEqual(await readFile(lockFile), bytes);
  });

  it('says there is nothing to update without a lock', async () => {
    const error = await rejectsWith(updatePin(h.dir, h.context), 'lock-invalid');
    assert.match(error.message, /there is no nixpkgs\.lock\.json in .*; pin nixpkgs first/);
  });
});

describe('verifying a pin', function () {
  this.timeout(60_000);
  const h = eachTestPinHarness();

  it('downloads the tree again and finds the locked hash', async () => {
    const lock = await pinNixpkgs(h.dir, nixos2405, h.context);
    const downloads = () => h.server.requests.filter((r) => r.includes('/archive/')).length;
    const before = downloads();
    assert.deepEqual(await verifyPin(h.dir, h.context), { storePath: pinnedStorePath(lock) });
    assert.equal(downloads(), before + 1, 're-fetched, not taken from the store or a cache');
  });

  it('verifies a git pin by fetching it again', async () => {
    const lock = await pinNixpkgs(
      h.dir,
      { type: 'git', url: h.fixture.fileUrl, ref: 'nixos-24.11' },
      h.context,
    );
    assert.deepEqual(await verifyPin(h.dir, h.context), { storePath: pinnedStorePath(lock) });
  });

  it('reports a hash mismatch when the server gives a different tarball for the same URL', async () => {
    const lock = await pinNixpkgs(h.dir, nixos2405, h.context);
    const bytes = await readFile(path.join(h.dir, lockFileName));
    const other = await h.fixture.rev('nixos-24.11');
    const { stdout } = await execa(
      'git',
      ['archive', '--format=tar.gz', `--prefix=nixpkgs-${lock.locked.rev}/`, other],
      { cwd: h.fixture.bare, encoding: 'buffer' },
    );
    h.server.replace(new URL(lock.locked.url).pathname, Buffer.from(stdout));
    const error = await rejectsWith(verifyPin(h.dir, h.context), 'hash-mismatch');
    assert.ok(error.message.includes(lock.locked.narHash), error.message);
    assert.ok(error.message.includes(await treeHash(h.fixture, other)), error.message);
    assert.deepEqual(await readFile(path.join(h.dir, lockFileName)), bytes);
  });

  it('reports a failed download when the server is gone', async () => {
    await pinNixpkgs(h.dir, nixos2405, h.context);
    await h.server.close();
    await rejectsWith(verifyPin(h.dir, h.context), 'fetch-failed');
  });
});
