// The zero-edit pin through the engine: a project whose shell.nix says `import <nixpkgs> {}`
// and has a nixpkgs.lock.json evaluates against the pinned tree, not the user's channel; the
// shell's own NIX_PATH starts with the pin; editing the pin makes the environment stale.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EnvironmentCache } from '../../src/core/cache/store';
import { captureAndStore, lookup, type EngineContext } from '../../src/core/engine';
import { applyMutations } from '../../src/core/env/mutations';
import { pinNixpkgs, pinnedStorePath, updatePin } from '../../src/core/pin';
import { silentLogger } from '../../src/core/logger';
import type { TargetSpec } from '../../src/core/target';
import { createChannelNixpkgs } from '../support/fixtureNixpkgs';
import { startPinHarness, type PinHarness } from '../support/pinHarness';
import { scratchDir } from '../support/scratch';

const nixos2405 = { type: 'github', owner: 'NixOS', repo: 'nixpkgs', ref: 'nixos-24.05' } as const;

const shellNix = `let pkgs = import <nixpkgs> { }; in
derivation {
  name = "pinned-shell";
  system = builtins.currentSystem;
  builder = "/bin/bash";
  args = [ "-c" "echo > $out" ];
  outputs = [ "out" ];
  MARKER = pkgs.marker;
}
`;

describe('the zero-edit pin in the engine', function () {
  this.timeout(90_000);
  let h: PinHarness;
  let channel: string;
  let context: EngineContext;
  let spec: TargetSpec;

  beforeEach(async () => {
    h = await startPinHarness();
    channel = await createChannelNixpkgs('channel');
    await writeFile(path.join(h.dir, 'shell.nix'), shellNix);
    context = {
      cache: new EnvironmentCache(await scratchDir('nixshell-cache-')),
      // The user's channel is on NIX_PATH, as on most machines.
      base: { ...h.context.env, NIX_PATH: `nixpkgs=${channel}` },
      logger: silentLogger,
      evaluationTimeoutMs: 0,
      hookTimeoutMs: 30_000,
    };
    spec = {
      target: { kind: 'file', file: path.join(h.dir, 'shell.nix') },
      args: [],
      pinDir: h.dir,
    };
  });

  afterEach(async () => {
    await h.server.close();
  });

  it('without a pin, evaluates the channel and says so', async () => {
    const entry = await captureAndStore(spec, context);
    const env = applyMutations(context.base, entry.mutations);
    assert.equal(env['MARKER'], 'channel');
    assert.equal(entry.nixpkgs, 'search-path');
    assert.equal(env['NIX_PATH'], `nixpkgs=${channel}`, 'NIX_PATH is untouched');
  });

  it('with a pin, evaluates the pinned tree, and terminals get it first on NIX_PATH', async () => {
    const lock = await pinNixpkgs(h.dir, nixos2405, h.context);
    const entry = await captureAndStore(spec, context);
    const env = applyMutations(context.base, entry.mutations);
    assert.equal(env['MARKER'], 'fixture-24.05');
    assert.equal(entry.nixpkgs, 'pinned');
    assert.equal(env['NIX_PATH'], `nixpkgs=${pinnedStorePath(lock)}:nixpkgs=${channel}`);
    assert.ok(entry.storePaths.includes(pinnedStorePath(lock)), 'the pinned tree is kept alive');
    assert.ok(entry.inputs.some((input) => input.path === path.join(h.dir, 'nixpkgs.lock.json')));
    assert.equal((await lookup(spec, context)).freshness.fresh, true);
  });

  it('goes stale when the pin moves, and evaluates the new tree', async () => {
    await pinNixpkgs(h.dir, nixos2405, h.context);
    await captureAndStore(spec, context);
    await h.fixture.advance('nixos-24.05', {
      version: '24.05',
      marker: 'fixture-24.05-later',
      date: '2024-07-01T00:00:00Z',
    });
    const update = await updatePin(h.dir, h.context);
    assert.equal(update.changed, true);
    const found = await lookup(spec, context);
    assert.equal(found.freshness.fresh, false);
    assert.equal(
      applyMutations(context.base, found.entry?.mutations ?? [])['MARKER'],
      'fixture-24.05',
    );
    const entry = await captureAndStore(spec, context);
    assert.equal(applyMutations(context.base, entry.mutations)['MARKER'], 'fixture-24.05-later');
  });

  it('fails with lock-invalid on a corrupt lock, without running nix on the project', async () => {
    await writeFile(path.join(h.dir, 'nixpkgs.lock.json'), '{"version": 1, "orig');
    await assert.rejects(captureAndStore(spec, context), { kind: 'lock-invalid' });
  });
});
