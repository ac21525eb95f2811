// The `nixshell` launcher the extension puts on PATH, run for real: a real sh runs it, and it
// runs the real bundled CLI (dist/cli.cjs) with a given Node, as the editor's would be.
import assert from 'node:assert/strict';
import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import {
  installLauncher,
  isOnPath,
  refreshLauncher,
  userBinDirectory,
} from '../../src/core/cliLauncher';
import { buildCli, cliPath } from '../support/cliRunner';
import { repoRoot } from '../support/nixEnv';
import { tempDir } from '../support/temp';

const node = process.execPath;

/**
 * Runs `<dir>/nixshell ARGS` with no `node` on PATH: only the launcher's own Node can run it.
 * Its compiled code goes into the launcher's scratch directory, not the user's cache.
 */
function runLauncher(directory: string, args: string[]) {
  return execa(path.join(directory, 'nixshell'), args, {
    env: { PATH: '', NIXSHELL_CACHE_DIR: path.join(directory, 'cache') },
    extendEnv: false,
    reject: false,
  });
}

async function version(): Promise<string> {
  const manifest = await readFile(path.join(repoRoot, 'package.json'), 'utf8');
  return (JSON.parse(manifest) as { version: string }).version;
}

describe('the nixshell launcher', function () {
  this.timeout(120_000);
  let scratch: string;

  before(async () => {
    await buildCli();
    scratch = await tempDir('nixshell-launcher-');
  });
  after(() => rm(scratch, { recursive: true, force: true }));

  it('installs an executable `nixshell` that answers --version with the editor’s Node', async () => {
    const bin = path.join(scratch, 'fresh', 'bin');
    const result = await installLauncher(bin, { cli: cliPath, node });
    assert.deepEqual(result, { kind: 'installed', file: path.join(bin, 'nixshell') });
    assert.equal((await stat(result.file)).mode & 0o777, 0o755);
    const run = await runLauncher(bin, ['--version']);
    assert.equal(run.stderr, '');
    assert.equal(run.stdout, `nixshell ${await version()}`);
    assert.equal(run.exitCode, 0);
    assert.equal((await installLauncher(bin, { cli: cliPath, node })).kind, 'unchanged');
  });

  it('follows the extension when it moves, into a path with spaces and quotes', async () => {
    const bin = path.join(scratch, 'moved', 'bin');
    await installLauncher(bin, { cli: cliPath, node });
    // An updated extension: another directory, with its own package.json beside dist/.
    const extension = path.join(scratch, "it's an update");
    // The CLI with the bundle it loads.
    await cp(path.dirname(cliPath), path.join(extension, 'dist'), { recursive: true });
    await writeFile(path.join(extension, 'package.json'), '{ "version": "9.8.7" }');
    const moved = { cli: path.join(extension, 'dist', 'cli.cjs'), node };
    assert.equal(await refreshLauncher(bin, moved), true);
    assert.equal(await refreshLauncher(bin, moved), false);
    assert.equal((await runLauncher(bin, ['--version'])).stdout, 'nixshell 9.8.7');
  });

  it('says how to fix it when the extension it points at is gone', async () => {
    const bin = path.join(scratch, 'gone', 'bin');
    await installLauncher(bin, { cli: path.join(scratch, 'removed', 'dist', 'cli.cjs'), node });
    const run = await runLauncher(bin, ['--version']);
    assert.equal(run.exitCode, 127);
    assert.match(run.stderr, /Install the nixshell command-line tool/);
  });

  it('never overwrites a `nixshell` of the user’s, unless asked to', async () => {
    const bin = path.join(scratch, 'foreign', 'bin');
    await mkdir(bin, { recursive: true });
    const theirs = '#!/bin/sh\necho mine\n';
    await writeFile(path.join(bin, 'nixshell'), theirs);
    const target = { cli: cliPath, node };
    assert.equal((await installLauncher(bin, target)).kind, 'foreign');
    assert.equal(await refreshLauncher(bin, target), false);
    assert.equal(await readFile(path.join(bin, 'nixshell'), 'utf8'), theirs);
    assert.equal((await installLauncher(bin, target, { replace: true })).kind, 'installed');
    assert.equal((await runLauncher(bin, ['--version'])).stdout, `nixshell ${await version()}`);
  });

  it('goes into $XDG_BIN_HOME, else ~/.local/bin, and knows whether that is on PATH', () => {
    assert.equal(userBinDirectory({}, '/home/ada'), '/home/ada/.local/bin');
    assert.equal(userBinDirectory({ XDG_BIN_HOME: '/opt/ada/bin' }, '/home/ada'), '/opt/ada/bin');
    // A relative XDG value is invalid by the spec, and ignored.
    assert.equal(userBinDirectory({ XDG_BIN_HOME: 'bin' }, '/home/ada'), '/home/ada/.local/bin');
    assert.equal(isOnPath('/home/ada/.local/bin', '/usr/bin:/home/ada/.local/bin/'), true);
    assert.equal(isOnPath('/home/ada/.local/bin', '/usr/bin:/bin'), false);
    assert.equal(isOnPath('/home/ada/.local/bin', undefined), false);
  });
});

describe('the bundled CLI', function () {
  this.timeout(120_000);
  before(() => buildCli());

  it('keeps its compiled code from the first run for the next ones, unless told not to', async () => {
    const cache = await tempDir('nixshell-cli-code-');
    const run = (extra: Record<string, string> = {}) =>
      execa(node, [cliPath, '--version'], {
        env: { PATH: process.env['PATH'] ?? '', NIXSHELL_CACHE_DIR: cache, ...extra },
        extendEnv: false,
      });
    const codeCache = path.join(cache, 'code-cache');
    const written = async () => {
      const names = await readdir(codeCache).catch(() => []);
      return Promise.all(
        names.map(async (name) => [name, (await stat(path.join(codeCache, name))).mtimeMs]),
      );
    };

    await run({ NODE_DISABLE_COMPILE_CACHE: '1' });
    assert.deepEqual(await written(), [], 'written although turned off');

    await run();
    const first = await written();
    assert.equal(first.length, 1);
    assert.match(String(first[0]?.[0]), /^cliBundle\.cjs-[0-9a-f]{32}\.v8$/);

    // Taken as it is: not written again.
    assert.equal((await run()).stdout, `nixshell ${await version()}`);
    assert.deepEqual(await written(), first);

    // One that V8 refuses (another Node wrote it, or it is damaged) is written anew.
    await writeFile(path.join(codeCache, String(first[0]?.[0])), 'not compiled code');
    assert.equal((await run()).stdout, `nixshell ${await version()}`);
    const rewritten = await readFile(path.join(codeCache, String(first[0]?.[0])));
    assert.notEqual(rewritten.toString('utf8'), 'not compiled code');
    await rm(cache, { recursive: true, force: true });
  });
});
