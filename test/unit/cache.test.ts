import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { checkInput, firstChangedInput, recordInput } from '../../src/core/cache/inputs';
import {
  cacheKeys,
  cacheSchemaVersion,
  effectiveNixPath,
  rootChannels,
  splitNixPath,
} from '../../src/core/cache/key';
import { withFileLock } from '../../src/core/cache/lock';
import { EnvironmentCache, type CacheEntry } from '../../src/core/cache/store';
import { writeFileAtomic } from '../../src/core/fs';
import { entriesByName } from '../../src/core/order';
import { tempDir } from '../support/temp';

const nix = {
  nix: '/usr/bin/nix',
  nixShell: '/usr/bin/nix-shell',
  nixStore: '/usr/bin/nix-store',
  identity: 'nix-a',
};

function entry(key: string, targetId: string): CacheEntry {
  return {
    schema: cacheSchemaVersion,
    key,
    targetId,
    capturedAt: '2026-01-01T00:00:00.000Z',
    nixVersion: '2.8.0',
    method: 'print-dev-env',
    mutations: [{ kind: 'set', name: 'FOO', value: 'x\ny' }],
    shell: {
      functions: '',
      functionNames: [],
      exportedFunctions: [],
      aliases: '',
      aliasNames: [],
      variables: '',
    },
    inputs: [],
    storePaths: [],
    unverified: false,
    warnings: [],
    nixpkgs: 'none',
  };
}

describe('cache inputs', () => {
  it('ignore a touch, notice an edit, a removal and a creation', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'shell.nix');
    await writeFile(file, 'a');
    const record = await recordInput(file);
    const later = new Date(Date.now() + 5000);
    await utimes(file, later, later);
    assert.deepEqual(await checkInput(record), { changed: false });
    await writeFile(file, 'b');
    assert.equal((await checkInput(record)).changed, true);
    const missing = await recordInput(path.join(dir, 'flake.lock'));
    assert.equal(missing.kind, 'missing');
    assert.deepEqual(await checkInput(missing), { changed: false });
    await writeFile(path.join(dir, 'flake.lock'), '{}');
    assert.equal((await checkInput(missing)).changed, true);
  });

  it('hash directories by content, without .git or result links', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'src/.git'), { recursive: true });
    await writeFile(path.join(dir, 'src/a.c'), 'int a;');
    const record = await recordInput(path.join(dir, 'src'));
    await writeFile(path.join(dir, 'src/.git/index'), 'noise');
    await symlink('/nix/store', path.join(dir, 'src/result'));
    assert.deepEqual(await checkInput(record), { changed: false });
    await writeFile(path.join(dir, 'src/b.c'), 'int b;');
    assert.equal((await checkInput(record)).changed, true);
  });
});

describe('checking many inputs', () => {
  it('finds an edit anywhere past the stat batches, even one that restores the mtime', async () => {
    const dir = await tempDir();
    const files = Array.from({ length: 1200 }, (_, i) => path.join(dir, `p${i}.nix`));
    await Promise.all(files.map((file, i) => writeFile(file, `{ v = ${i}; }`)));
    const records = await Promise.all([...files, path.join(dir, 'absent.nix')].map(recordInput));
    assert.equal(await firstChangedInput(records), undefined);
    // Same size, same mtime: only the ctime (and the content) tells.
    const edited = files[1100] as string;
    const { mtime } = await stat(edited);
    await writeFile(edited, '{ v = 999; }');
    await utimes(edited, mtime, mtime);
    assert.deepEqual(await firstChangedInput(records), {
      changed: true,
      reason: `${edited} was edited`,
    });
  });

  it('hashes again, and finds nothing, where only the stamp moved', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'shell.nix');
    await writeFile(file, 'a');
    const records = [await recordInput(file)];
    await writeFile(file, 'a');
    assert.equal(await firstChangedInput(records), undefined);
  });
});

describe('cache keys', () => {
  it('separate targets, args and nix installations, and follow NIX_PATH symlinks', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'a'));
    await mkdir(path.join(dir, 'b'));
    await symlink(path.join(dir, 'a'), path.join(dir, 'channel'));
    const spec = { target: { kind: 'file' as const, file: path.join(dir, 'shell.nix') }, args: [] };
    const env = { NIX_PATH: `nixpkgs=${path.join(dir, 'channel')}`, HOME: dir };
    const first = await cacheKeys(spec, nix, env);
    assert.deepEqual(await cacheKeys(spec, nix, env), first);
    assert.notEqual(
      (await cacheKeys({ ...spec, args: ['--arg', 'x', '1'] }, nix, env)).key,
      first.key,
    );
    assert.notEqual((await cacheKeys(spec, { ...nix, identity: 'nix-b' }, env)).key, first.key);
    const { rm } = await import('node:fs/promises');
    await rm(path.join(dir, 'channel'));
    await symlink(path.join(dir, 'b'), path.join(dir, 'channel'));
    const retargeted = await cacheKeys(spec, nix, env);
    assert.notEqual(retargeted.key, first.key);
    assert.equal(
      retargeted.targetId,
      first.targetId,
      'same target, so its last entry can be applied',
    );
    assert.equal((await cacheKeys(spec, undefined, env)).key, undefined);
  });

  it('do not depend on the order of the variables, nor on the locale', async () => {
    const dir = await tempDir();
    const spec = { target: { kind: 'file' as const, file: path.join(dir, 'shell.nix') }, args: [] };
    const variables = { NIX_PATH: 'nixpkgs=/x', NIXPKGS_ALLOW_UNFREE: '1', NIX_CONFIG: 'a = b' };
    const reversed = Object.fromEntries(Object.entries(variables).reverse());
    const keys = await cacheKeys(spec, nix, { HOME: dir, ...variables });
    assert.deepEqual(await cacheKeys(spec, nix, { HOME: dir, ...reversed }), keys);
    // By code unit, `P` before `_`; a collator puts `_` first.
    assert.deepEqual(
      entriesByName(variables).map(([name]) => name),
      ['NIXPKGS_ALLOW_UNFREE', 'NIX_CONFIG', 'NIX_PATH'],
    );
  });

  it("follow nix.conf's nix-path, as nix does, to where it resolves", async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'a'));
    await mkdir(path.join(dir, 'b'));
    await mkdir(path.join(dir, 'config/nix'), { recursive: true });
    await symlink(path.join(dir, 'a'), path.join(dir, 'channel'));
    await writeFile(
      path.join(dir, 'config/nix/nix.conf'),
      `# the user's\nnix-path = nixpkgs=${path.join(dir, 'channel')}\n`,
    );
    const spec = { target: { kind: 'file' as const, file: path.join(dir, 'shell.nix') }, args: [] };
    const env = { HOME: dir, XDG_CONFIG_HOME: path.join(dir, 'config'), NIX_CONF_DIR: dir };
    const first = await cacheKeys(spec, nix, env);
    const { rm } = await import('node:fs/promises');
    await rm(path.join(dir, 'channel'));
    await symlink(path.join(dir, 'b'), path.join(dir, 'channel'));
    assert.notEqual((await cacheKeys(spec, nix, env)).key, first.key);
  });

  it("include root's channels when neither NIX_PATH nor nix.conf sets a search path", async () => {
    const dir = await tempDir();
    const env = { HOME: dir, XDG_CONFIG_HOME: path.join(dir, 'config'), NIX_CONF_DIR: dir };
    assert.deepEqual(await effectiveNixPath(env), [
      path.join(dir, '.nix-defexpr/channels'),
      `nixpkgs=${rootChannels}/nixpkgs`,
      rootChannels,
    ]);
    assert.deepEqual(await effectiveNixPath({ ...env, NIX_PATH: 'nixpkgs=/x' }), []);
    assert.deepEqual(
      await effectiveNixPath({ ...env, NIX_CONFIG: 'nix-path = a=/a /b\nextra-nix-path = c=/c' }),
      ['a=/a', '/b', 'c=/c'],
    );
  });

  it('split NIX_PATH without breaking URLs', () => {
    assert.deepEqual(splitNixPath('nixpkgs=https://x.org/a.tar.gz:/etc/nix:foo=/bar'), [
      'nixpkgs=https://x.org/a.tar.gz',
      '/etc/nix',
      'foo=/bar',
    ]);
  });
});

describe('the environment cache', () => {
  it('reads back what it wrote, and finds the last entry of a target', async () => {
    const cache = new EnvironmentCache(await tempDir());
    await cache.write(entry('k1', 't'));
    await cache.write(entry('k2', 't'));
    assert.deepEqual(await cache.read('k1'), entry('k1', 't'));
    assert.equal((await cache.latestFor('t'))?.key, 'k2');
    assert.deepEqual(await cache.keys(), ['k1', 'k2']);
  });

  it('treats a truncated, empty or foreign entry as missing', async () => {
    const dir = await tempDir();
    const cache = new EnvironmentCache(dir);
    await cache.write(entry('k1', 't'));
    const file = path.join(dir, 'envs/k1.json');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.slice(0, text.length / 2));
    assert.equal(await cache.read('k1'), undefined);
    await writeFile(file, JSON.stringify({ ...entry('k1', 't'), schema: 99 }));
    assert.equal(await cache.read('k1'), undefined);
    // What a power cut can leave of files written without a flush.
    await writeFile(file, '');
    assert.equal(await cache.read('k1'), undefined);
    assert.equal(await cache.targetIdOf('k1'), undefined);
    await cache.write(entry('k1', 't'));
    await writeFile(path.join(dir, 'targets/t.json'), '');
    assert.equal(await cache.latestFor('t'), undefined);
  });

  it("names an entry's target from the start of its file, and from the whole file otherwise", async () => {
    const dir = await tempDir();
    const cache = new EnvironmentCache(dir);
    // Built in another field order: the file still starts with what targetIdOf reads.
    const { targetId, ...rest } = entry('k1', 't1');
    await cache.write({ ...rest, inputs: [], targetId });
    assert.match(
      await readFile(path.join(dir, 'envs/k1.json'), 'utf8'),
      /^\{"schema":\d+,"key":"k1","targetId":"t1",/,
    );
    assert.equal(await cache.targetIdOf('k1'), 't1');
    // Written by hand, in another order: the whole entry is read.
    await writeFile(
      path.join(dir, 'envs/k2.json'),
      JSON.stringify({ ...rest, key: 'k2', targetId: 't2' }),
    );
    assert.equal(await cache.targetIdOf('k2'), 't2');
    assert.equal(await cache.targetIdOf('gone'), undefined);
  });

  it('writes atomically: no temp file is left, and a failed write keeps the old content', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'x.json');
    await writeFileAtomic(file, 'old');
    await writeFileAtomic(file, 'new');
    assert.equal(await readFile(file, 'utf8'), 'new');
    assert.deepEqual(await readdir(dir), ['x.json']);
    await mkdir(path.join(dir, 'blocked.json'));
    await assert.rejects(writeFileAtomic(path.join(dir, 'blocked.json'), 'x'));
    assert.deepEqual((await readdir(dir)).sort(), ['blocked.json', 'x.json']);
  });
});

describe('the capture lock', () => {
  it('runs one holder at a time and tells the second it waited', async () => {
    const lock = path.join(await tempDir(), 'k.lock');
    const order: string[] = [];
    let release!: () => void;
    const first = withFileLock(lock, async (waited) => {
      order.push(`first waited=${waited}`);
      await new Promise<void>((resolve) => (release = resolve));
      order.push('first done');
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = withFileLock(lock, (waited) => {
      order.push(`second waited=${waited}`);
      return Promise.resolve();
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    release();
    await Promise.all([first, second]);
    assert.deepEqual(order, ['first waited=false', 'first done', 'second waited=true']);
  });

  it('takes over a lock whose holder is gone', async () => {
    const lock = path.join(await tempDir(), 'k.lock');
    await writeFile(lock, '999999999');
    assert.equal(await withFileLock(lock, (waited) => Promise.resolve(waited)), false);
  });
});
