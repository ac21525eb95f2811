import assert from 'node:assert/strict';
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { extractNixArgs } from '../../src/cli/args';
import { cacheKeys, evaluationOptions } from '../../src/core/cache/key';
import { optionFlags, optionSettings } from '../../src/core/nix/command';
import { readDerivationInputs, realisableInputs } from '../../src/core/nix/derivation';
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
    assert.equal(describePlan({ build: [], fetch: [] }), 'nothing to build or download');
    assert.equal(
      describePlan({
        build: [
          { name: 'a', drvPath: '/a.drv' },
          { name: 'b', drvPath: '/b.drv' },
        ],
        fetch: [fetch(1024 * 1024), fetch(400 * 1024), fetch(null)],
      }),
      'builds 2, downloads 1.4 MiB (3 paths)',
    );
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(3 * 1024 ** 3), '3.0 GiB');
  });
});
