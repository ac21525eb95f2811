// The extension's bundle loaded through V8's code cache (src/core/codeCache.ts), each start in
// a process of its own as in the extension host: compiled code is reused from the second start,
// never for another source, and a cache that is damaged or cannot be written is only slower.
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { repoRoot } from '../support/nixEnv';

const driver = path.join(repoRoot, 'test/support/codeCacheLoad.ts');

interface Start {
  readonly status: string;
  readonly exports: { value: number; filename: string; dirname: string; thisIsExports: boolean };
}

async function start(file: string, cacheDir: string | undefined, save = false): Promise<Start> {
  const args = [driver, file, cacheDir ?? '-', ...(save ? ['save'] : [])];
  const { stdout } = await execa(process.execPath, ['--import', 'tsx', ...args]);
  return JSON.parse(stdout) as Start;
}

const cacheFiles = async (dir: string) =>
  (await readdir(dir).catch(() => [])).filter((name) => name.endsWith('.v8'));

describe('code cache', () => {
  let dir = '';
  let file = '';
  let cacheDir = '';
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'nixshell-unit-codecache-'));
    file = path.join(dir, 'bundle.cjs');
    cacheDir = path.join(dir, 'cache');
    await writeFile(path.join(dir, 'dep.cjs'), 'exports.x = 41;\n');
    await writeFile(
      file,
      [
        "const dep = require('./dep.cjs');",
        'module.exports = {',
        '  value: dep.x + 1,',
        '  filename: __filename,',
        '  dirname: __dirname,',
        '  thisIsExports: this === exports,',
        '};',
        '',
      ].join('\n'),
    );
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('runs the file as require would, and reuses its compiled code from the second start', async () => {
    const first = await start(file, cacheDir, true);
    assert.equal(first.status, 'absent');
    assert.deepEqual(first.exports, {
      value: 42,
      filename: file,
      dirname: dir,
      thisIsExports: true,
    });
    assert.equal((await cacheFiles(cacheDir)).length, 1);
    const second = await start(file, cacheDir);
    assert.equal(second.status, 'accepted');
    assert.deepEqual(second.exports, first.exports);
  });

  it('never uses one source’s cache for another, even of the same length', async () => {
    await start(file, cacheDir, true);
    // Same length, other code: V8's own check (the length) would take the old cache.
    await writeFile(file, (await readFile(file, 'utf8')).replace('dep.x + 1', 'dep.x + 2'));
    const changed = await start(file, cacheDir, true);
    assert.equal(changed.status, 'absent');
    assert.equal(changed.exports.value, 43);
    assert.equal((await cacheFiles(cacheDir)).length, 2);
    assert.equal((await start(file, cacheDir)).status, 'accepted');
  });

  it('compiles again when V8 rejects a damaged cache, and writes a good one', async () => {
    await start(file, cacheDir, true);
    const [name] = await cacheFiles(cacheDir);
    await writeFile(path.join(cacheDir, name ?? ''), 'not a code cache');
    const rejected = await start(file, cacheDir, true);
    assert.equal(rejected.status, 'rejected');
    assert.equal(rejected.exports.value, 42);
    assert.equal((await start(file, cacheDir)).status, 'accepted');
  });

  it('keeps the four most recent caches of a file', async () => {
    for (let version = 0; version < 6; version++) {
      await appendFile(file, `// version ${version}\n`);
      await start(file, cacheDir, true);
    }
    assert.equal((await cacheFiles(cacheDir)).length, 4);
    assert.equal((await start(file, cacheDir)).status, 'accepted');
  });

  it('loads without a cache when none is wanted or it cannot be written', async () => {
    const off = await start(file, undefined, true);
    assert.equal(off.status, 'off');
    assert.equal(off.exports.value, 42);
    // A file where the cache directory should be: saving fails quietly, loading works.
    await writeFile(cacheDir, 'in the way');
    const unwritable = await start(file, cacheDir, true);
    assert.equal(unwritable.status, 'absent');
    assert.equal(unwritable.exports.value, 42);
  });

  it('keeps line numbers in stack traces', async () => {
    await writeFile(file, "'use strict';\n\nthrow new Error('at line 3');\n");
    const failed = await execa(process.execPath, ['--import', 'tsx', driver, file, cacheDir], {
      reject: false,
    });
    assert.notEqual(failed.exitCode, 0);
    assert.match(failed.stderr, new RegExp(`${path.basename(file)}:3:`));
  });
});
