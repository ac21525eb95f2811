// `nixshell pin` against faults and hostile input, end to end (bundled CLI, real nix and git,
// the fixture server): a lock shared through a symbolic link stays shared, a credential never
// reaches a message or a file, and a lock that is a directory is named in one line.
import assert from 'node:assert/strict';
import { lstat, mkdir, readdir, readlink, symlink } from 'node:fs/promises';
import path from 'node:path';
import { lockFileName, readLock, shimFileName } from '../../src/core/pin';
import { bundlePinCli, pinTestEnv, runPinCli, type PinCliResult } from '../support/pinEnv';
import { startPinHarness, type PinHarness } from '../support/pinHarness';
import { scratchDir } from '../support/scratch';

function succeeded(result: PinCliResult): string {
  assert.equal(result.exitCode, 0, `exit ${String(result.exitCode)}: ${result.stderr}`);
  return result.stdout;
}

/** A failure: a non-zero exit and exactly one `nixshell:` line on stderr, which is returned. */
function failedInOneLine(result: PinCliResult, exitCode: number): string {
  assert.equal(result.exitCode, exitCode, `stdout: ${result.stdout}\nstderr: ${result.stderr}`);
  const lines = result.stderr.split('\n').filter((line) => line !== '');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${result.stderr}`);
  assert.match(lines[0] ?? '', /^nixshell: /);
  return lines[0] ?? '';
}

describe('nixshell pin against faults and hostile input', function () {
  this.timeout(90_000);
  let h: PinHarness;
  before(async function () {
    this.timeout(60_000);
    await bundlePinCli();
  });
  beforeEach(async () => {
    h = await startPinHarness();
  });
  afterEach(async () => {
    await h.server.close();
  });
  const cli = async (args: string[], extra: Record<string, string> = {}) =>
    runPinCli(args, await pinTestEnv(h.server.url, extra));

  it('updates a lock shared through a symbolic link in place, keeping the link', async () => {
    const shared = await scratchDir('nixshell-shared-lock-');
    succeeded(await cli(['pin', shared, '--branch', 'nixos-24.05']));
    const project = h.dir;
    const link = path.join(project, lockFileName);
    await symlink(path.join('..', path.basename(shared), lockFileName), link);
    const next = await h.fixture.advance('nixos-24.05', {
      version: '24.05',
      marker: 'shared',
      date: '2024-07-01T09:00:00Z',
    });
    succeeded(await cli(['pin', 'update', project]));
    assert.ok((await lstat(link)).isSymbolicLink(), 'the lock is still a link');
    assert.equal(await readlink(link), path.join('..', path.basename(shared), lockFileName));
    assert.equal((await readLock(shared))?.locked.rev, next, 'the shared lock was updated');
    // No temporary file is left beside the link or beside its target.
    assert.deepEqual((await readdir(project)).sort(), [lockFileName, shimFileName].sort());
    assert.deepEqual((await readdir(shared)).sort(), [lockFileName, shimFileName].sort());
  });

  it('never shows a token in a --from URL, and writes nothing when it refuses one', async () => {
    const secret = 'glpat-s3cr3t';
    for (const from of [
      `git+${h.server.url}/nixpkgs.git?access_token=${secret}`,
      `git+${h.server.url}/nixpkgs.git?ref=x&private_token=${secret}`,
      `git+http://oauth2:${secret}@127.0.0.1:9/nixpkgs.git`,
    ]) {
      const result = await cli([
        'pin',
        h.dir,
        '--branch',
        'nixos-24.05',
        '--from',
        from,
        '--verbose',
      ]);
      assert.notEqual(result.exitCode, 0);
      assert.doesNotMatch(result.stderr, new RegExp(secret), result.stderr);
      assert.match(result.stderr, /\*\*\*/);
      assert.deepEqual(await readdir(h.dir), [], `${from} left a file behind`);
    }
  });

  it('never shows a password in NIXSHELL_GITHUB_URL, and leaves no file when it refuses it', async () => {
    const secret = 'hunter2';
    const withPassword = h.server.url.replace('http://', `http://someone:${secret}@`);
    const env = { NIXSHELL_GITHUB_URL: withPassword };
    // The server answers (it ignores the credentials): the pin resolves, and is then refused.
    const refused = await cli(['pin', h.dir, '--branch', 'nixos-24.05', '--verbose'], env);
    assert.notEqual(refused.exitCode, 0);
    assert.doesNotMatch(refused.stderr, new RegExp(secret), refused.stderr);
    assert.match(refused.stderr, /http:\/\/\*\*\*@127\.0\.0\.1/);
    assert.deepEqual(await readdir(h.dir), [], 'a refused pin left a file behind');
    // A server that is down: the failure names the URL, without its password.
    const down = withPassword.replace(/:\d+$/, ':9');
    const line = failedInOneLine(
      await cli(['pin', h.dir, '--branch', 'nixos-24.05'], { NIXSHELL_GITHUB_URL: down }),
      1,
    );
    assert.doesNotMatch(line, new RegExp(secret));
    assert.match(line, /http:\/\/\*\*\*@127\.0\.0\.1:9/);
  });

  it('names the lock in one line when it is a directory, with no raw EISDIR', async () => {
    await mkdir(path.join(h.dir, lockFileName));
    for (const args of [
      ['pin', 'show', h.dir],
      ['pin', 'update', h.dir],
      ['pin', 'verify', h.dir],
    ]) {
      const line = failedInOneLine(await cli(args), 1);
      assert.equal(
        line,
        `nixshell: ${path.join(h.dir, lockFileName)}: cannot be read: it is a directory, not a file`,
      );
    }
    const line = failedInOneLine(await cli(['pin', h.dir, '--branch', 'nixos-24.05']), 1);
    assert.equal(line, `nixshell: ${path.join(h.dir, lockFileName)}: is a directory, not a file`);
    assert.deepEqual(await readdir(h.dir), [lockFileName], 'no nixpkgs.nix was written');
  });
});
