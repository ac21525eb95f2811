import assert from 'node:assert/strict';
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { extractNixArgs } from '../../src/cli/args';
import { cacheKeys, evaluationOptions } from '../../src/core/cache/key';
import { optionFlags, optionSettings } from '../../src/core/nix/command';
import { readDerivationInputs, realisableInputs } from '../../src/core/nix/derivation';
import { whyUnbuildable } from '../../src/core/store/buildability';
import { describePlan, formatBytes } from '../../src/core/store/plan';
import { storePathName } from '../../src/core/store/shellDerivation';
import { tempDir } from '../support/temp';

const nix = { nix: 'nix', nixShell: 'nix-shell', nixStore: 'nix-store', identity: 'nix-a' };

describe('nix settings (--option NAME VALUE)', () => {
  it('are taken from the command line apart from evaluation arguments', () => {
    const { rest, nixArgs, nixOptions } = extractNixArgs([
      'plan',
      '--option',
      'extra-substituters',
      'file:///cache a',
      '--arg',
      'x',
      '1',
      '--json',
    ]);
    assert.deepEqual(rest, ['plan', '--json']);
    assert.deepEqual(nixArgs, ['--arg', 'x', '1']);
    assert.deepEqual(optionSettings(nixOptions), [['extra-substituters', 'file:///cache a']]);
    assert.deepEqual(optionFlags(optionSettings(nixOptions)), nixOptions);
    assert.throws(() => extractNixArgs(['--option', 'substituters']), /needs 2 value/);
  });

  it('change the cache key only when they change evaluation', async () => {
    const dir = await tempDir();
    const spec = { target: { kind: 'file' as const, file: path.join(dir, 'shell.nix') }, args: [] };
    const env = { HOME: dir, NIX_PATH: '' };
    const plain = await cacheKeys(spec, nix, env);
    const cache = optionFlags([
      ['extra-substituters', 'https://cache.example.org'],
      ['extra-trusted-public-keys', 'example-1:AAAA'],
      ['require-sigs', 'false'],
    ]);
    assert.equal((await cacheKeys({ ...spec, options: cache }, nix, env)).key, plain.key);
    const system = optionFlags([['system', 'aarch64-linux']]);
    assert.notEqual((await cacheKeys({ ...spec, options: system }, nix, env)).key, plain.key);
    assert.deepEqual(evaluationOptions([...cache, ...system]), [['system', 'aarch64-linux']]);
  });
});

describe('derivations and plans', () => {
  it("reads a .drv file's inputs, escapes and all", async () => {
    const drv = path.join(await tempDir(), 'x-shell.drv');
    await writeFile(
      drv,
      'Derive([("out","/nix/store/a-shell","","")],' +
        '[("/nix/store/b-lib.drv",["dev","out"]),("/nix/store/c-tool.drv",["out"])],' +
        '["/nix/store/d-builder.sh"],"x86_64-linux","/bin/bash",["-e","x"],' +
        '[("shellHook","echo \\"hi\\"\\n\\\\"),("out","/nix/store/a-shell")])',
    );
    const inputs = await readDerivationInputs(drv);
    assert.deepEqual(inputs, {
      inputDrvs: [
        { drvPath: '/nix/store/b-lib.drv', outputs: ['dev', 'out'] },
        { drvPath: '/nix/store/c-tool.drv', outputs: ['out'] },
      ],
      inputSrcs: ['/nix/store/d-builder.sh'],
    });
    assert.deepEqual(realisableInputs(inputs), [
      '/nix/store/b-lib.drv!dev,out',
      '/nix/store/c-tool.drv!out',
      '/nix/store/d-builder.sh',
    ]);
    await writeFile(drv, 'DrvWithVersion("xp-dyn-drv",…)');
    await assert.rejects(readDerivationInputs(drv), /not a derivation this version can read/);
  });

  it('says a plan in words', () => {
    assert.equal(
      storePathName('/nix/store/0123456789abcdfghijklmnpqrsvwxyz-hello-2.12.drv'),
      'hello-2.12',
    );
    const fetch = (downloadSize: number | null) => ({
      name: 'x',
      path: '/x',
      downloadSize,
      narSize: null,
    });
    assert.equal(
      describePlan({ build: [], fetch: [], cannotBuild: [] }),
      'nothing to build or download',
    );
    assert.equal(
      describePlan({
        build: [
          { name: 'a', drvPath: '/a.drv', fixedOutput: false },
          { name: 'b', drvPath: '/b.drv', fixedOutput: true },
        ],
        fetch: [fetch(1024 * 1024), fetch(400 * 1024), fetch(null)],
        cannotBuild: [],
      }),
      'builds 2, downloads 1.4 MiB (3 paths)',
    );
    const blocked = (name: string) => ({ name, path: `/${name}.drv`, reason: 'needs a z builder' });
    assert.equal(
      describePlan({ build: [], fetch: [], cannotBuild: [blocked('c'), blocked('d')] }),
      'cannot build c (needs a z builder) and 1 more',
    );
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(3 * 1024 ** 3), '3.0 GiB');
  });

  it('tells a derivation no machine can build from one a remote builder can', () => {
    const here = {
      system: 'x86_64-linux',
      platforms: ['x86_64-linux', 'i686-linux'],
      features: ['kvm'],
      buildsLocally: true,
      machines: [],
    };
    const needs = (system: string, requiredSystemFeatures: string[] = []) => ({
      system,
      requiredSystemFeatures,
      fixedOutput: false,
    });
    assert.equal(whyUnbuildable(needs('i686-linux', ['kvm']), here), undefined);
    assert.equal(whyUnbuildable(needs('builtin'), here), undefined);
    assert.equal(
      whyUnbuildable(needs('aarch64-darwin'), here),
      'needs a aarch64-darwin builder (this machine builds x86_64-linux, i686-linux)',
    );
    assert.equal(
      whyUnbuildable(needs('x86_64-linux', ['kvm', 'cuda']), here),
      'needs the system feature cuda (this machine has kvm)',
    );
    const mac = { systems: ['aarch64-darwin'], features: ['big-parallel'] };
    const withMac = { ...here, machines: [mac] };
    assert.equal(whyUnbuildable(needs('aarch64-darwin', ['big-parallel']), withMac), undefined);
    assert.match(whyUnbuildable(needs('aarch64-darwin', ['cuda']), withMac) ?? '', /cuda/);
    const remoteOnly = { ...here, buildsLocally: false };
    assert.equal(
      whyUnbuildable(needs('x86_64-linux'), remoteOnly),
      'max-jobs is 0 and no remote builder is configured',
    );
    // A builder that names no system builds for the local one.
    const anyBuilder = { ...remoteOnly, machines: [{ systems: [], features: [] }] };
    assert.equal(whyUnbuildable(needs('x86_64-linux'), anyBuilder), undefined);
  });
});
