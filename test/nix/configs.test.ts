// System configurations through the real CLI and real nix. There is no nixpkgs here, so no
// real NixOS: the fixture `nixos-configs` holds stand-ins shaped like the real ones (see its
// lib/default.nix), whose systems and VM are builtins-only derivations that build offline.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { userEnvironment } from '../support/engineHarness';
import { runCli } from '../support/cliRunner';
import { commitAll, copyFixture, type FixtureCopy } from '../support/fixtures';
import { nixTool } from '../support/nixEnv';
import { runNixTool } from '../support/nixTools';
import { scratchDir } from '../support/scratch';

const fixture = 'nixos-configs';

describe('system configurations (stand-ins, through the CLI)', function () {
  this.timeout(120_000);

  let flake: FixtureCopy;

  before(async () => {
    flake = await copyFixture(fixture, { git: true });
  });

  it('lists every NixOS, nix-darwin and home-manager configuration without building', async () => {
    const result = await runCli(['configs', flake.dir, '--json'], userEnvironment());
    assert.equal(result.exitCode, 0, result.stderr);
    const listed = JSON.parse(result.stdout) as { kind: string; name: string; attr: string }[];
    assert.deepEqual(
      listed.map((c) => `${c.kind} ${c.name} ${c.attr}`),
      [
        'nixos broken nixosConfigurations.broken',
        'nixos laptop nixosConfigurations.laptop',
        'darwin mac darwinConfigurations.mac',
        'home alice@laptop homeConfigurations."alice@laptop"',
      ],
    );
  });

  it('finds none in a flake that has only devShells', async () => {
    const shells = await copyFixture('flake-two-shells', { git: true });
    const result = await runCli(['configs', shells.dir, '--json'], userEnvironment());
    assert.equal(result.exitCode, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), []);
  });

  it('checks a good configuration to its system derivation', async () => {
    const result = await runCli(['check', flake.dir, '--config', 'laptop'], userEnvironment());
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(
      result.stdout,
      /^ok\tnixosConfigurations\.laptop\t\/nix\/store\/[0-9a-z]{32}-nixos-system-laptop-stand-in\.drv$/,
    );
  });

  it('checks every kind: home-manager and nix-darwin evaluate too', async () => {
    const result = await runCli(['check', flake.dir, '--json'], userEnvironment());
    assert.equal(result.exitCode, 1, 'the broken configuration fails the run');
    const results = JSON.parse(result.stdout) as { attr: string; ok: boolean; drvPath?: string }[];
    assert.deepEqual(
      results.map((r) => [r.attr, r.ok, /\.drv$/.test(r.drvPath ?? '')]),
      [
        ['nixosConfigurations.broken', false, false],
        ['nixosConfigurations.laptop', true, true],
        ['darwinConfigurations.mac', true, true],
        ['homeConfigurations."alice@laptop"', true, true],
      ],
    );
  });

  it('fails on a broken configuration, pointing at the module file and line', async () => {
    const result = await runCli(['check', flake.dir, '--config', 'broken'], userEnvironment());
    assert.equal(result.exitCode, 1);
    assert.equal(result.stdout, '');
    const module = path.join(flake.dir, 'hosts/broken.nix');
    const lines = await readFile(module, 'utf8');
    const line = lines.split('\n').findIndex((l) => l.includes('+ 42')) + 1;
    // Nix ≥2.20 adds the value (`… to a string: 42`).
    assert.match(
      result.stderr,
      new RegExp(
        `^nixshell: nixosConfigurations\\.broken: ${module}:${line}:55: cannot coerce an integer to a string(: 42)?$`,
      ),
    );
  });

  it('builds the VM and runs its run-*-vm script in the foreground', async () => {
    const image = path.join(await scratchDir(), 'laptop.qcow2');
    const result = await runCli(
      ['vm', flake.dir, '--config', 'laptop'],
      userEnvironment({ NIX_DISK_IMAGE: image }),
    );
    assert.equal(result.exitCode, 0, result.stderr);
    const toplevel = /booting (\/nix\/store\/\S+-nixos-system-laptop-stand-in)$/m.exec(
      result.stdout,
    )?.[1];
    assert.ok(toplevel, result.stdout);
    assert.match(result.stdout, /stand-in VM laptop: powered off/);
    assert.match(result.stderr, /running \/nix\/store\/\S+-nixos-vm-stand-in\/bin\/run-laptop-vm/);
    // The script's marker: where the real one creates its disk image, the system it ran.
    assert.equal(await readFile(image, 'utf8'), `${toplevel}\n`);
  });

  it('refuses a VM for a configuration that is not NixOS', async () => {
    const result = await runCli(['vm', flake.dir, '--config', 'mac'], userEnvironment());
    assert.equal(result.exitCode, 2);
    assert.match(result.stderr, /mac is not a NixOS configuration/);
  });

  it('compares with a running system, package versions included', async () => {
    const copy = await copyFixture(fixture, { git: true });
    const built = await runNixTool(
      nixTool('nix'),
      [
        'build',
        '--no-link',
        '--json',
        `${copy.dir}#nixosConfigurations.laptop.config.system.build.toplevel`,
      ],
      userEnvironment(),
    );
    const running = (JSON.parse(built) as { outputs: { out: string } }[])[0]?.outputs.out;
    assert.ok(running);
    const laptop = path.join(copy.dir, 'hosts/laptop.nix');
    await writeFile(
      laptop,
      (await readFile(laptop, 'utf8')).replace('firefox-121.0', 'firefox-122.0'),
    );
    await commitAll(copy.top, 'update firefox');
    const result = await runCli(
      ['compare', copy.dir, '--config', 'laptop', '--against', running],
      userEnvironment(),
    );
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(result.stdout, 'firefox: 121.0 → 122.0');
  });

  it('says so when no system runs to compare with (not on NixOS)', async function () {
    const result = await runCli(['compare', flake.dir, '--config', 'laptop'], userEnvironment());
    if (
      (await readFile('/run/current-system/nixos-version', 'utf8').catch(() => undefined)) !==
      undefined
    ) {
      // On NixOS itself the comparison is real; this test is about every other machine.
      this.skip();
    }
    assert.equal(result.exitCode, 1);
    assert.equal(
      result.stderr,
      'nixshell: not on NixOS: /run/current-system does not exist, so there is no running system to compare laptop with',
    );
  });
});
