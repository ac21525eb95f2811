// `nixshell pin …` end to end: the bundled CLI, real nix and git, the fixture server.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { lockFileName, readLock, shimFileName } from '../../src/core/pin';
import { runNixTool } from '../support/nixTools';
import { bundlePinCli, pinTestEnv, runPinCli, type PinCliResult } from '../support/pinEnv';
import { startPinHarness, type PinHarness } from '../support/pinHarness';
import { scratchDir } from '../support/scratch';

function succeeded(result: PinCliResult): string {
  assert.equal(result.exitCode, 0, `exit ${String(result.exitCode)}: ${result.stderr}`);
  return result.stdout;
}

/** Every failure: a non-zero exit and exactly one line on stderr, which is returned. */
function failed(result: PinCliResult, exitCode = 1): string {
  assert.equal(result.exitCode, exitCode, `stdout: ${result.stdout}\nstderr: ${result.stderr}`);
  const lines = result.stderr.split('\n').filter((line) => line !== '');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${result.stderr}`);
  assert.match(lines[0] ?? '', /^nixshell: /);
  return lines[0] ?? '';
}

describe('nixshell pin', function () {
  this.timeout(90_000);
  let h: PinHarness;
  let env: Record<string, string>;
  before(async function () {
    this.timeout(60_000);
    await bundlePinCli();
  });
  beforeEach(async () => {
    h = await startPinHarness();
    env = await pinTestEnv(h.server.url);
  });
  afterEach(async () => {
    await h.server.close();
  });
  const cli = (...args: string[]) => runPinCli(args, env);

  it('pins a branch, shows it, updates it and verifies it', async () => {
    const first = await h.fixture.rev('nixos-24.05');
    const short = first.slice(0, 7);
    assert.equal(
      succeeded(await cli('pin', h.dir, '--branch', 'nixos-24.05')),
      `pinned nixpkgs 24.05 · ${short} (github:NixOS/nixpkgs/nixos-24.05, 2024-06-15) in ${path.join(h.dir, lockFileName)}`,
    );
    assert.equal((await readLock(h.dir))?.locked.rev, first);
    assert.ok((await readFile(path.join(h.dir, shimFileName), 'utf8')).includes('fetchTarball'));

    const shown = JSON.parse(succeeded(await cli('pin', 'show', h.dir, '--json'))) as Record<
      string,
      unknown
    >;
    assert.equal(shown['label'], `nixpkgs 24.05 · ${short}`);
    assert.equal(shown['rev'], first);
    assert.equal(shown['source'], 'lock');
    assert.equal(shown['date'], '2024-06-15');
    const text = succeeded(await cli('pin', 'show', h.dir)).split('\n');
    assert.equal(text[0], `nixpkgs 24.05 · ${short}`);
    assert.ok(text.includes(`revision: ${first}`), text.join('\n'));

    assert.equal(succeeded(await cli('pin', 'update', h.dir)), 'already up to date');
    const lockBytes = await readFile(path.join(h.dir, lockFileName));
    const next = await h.fixture.advance('nixos-24.05', {
      version: '24.05',
      marker: 'july',
      date: '2024-07-01T09:00:00Z',
    });
    const change = `24.05 · 2024-06-15 · ${short} → 24.05 · 2024-07-01 · ${next.slice(0, 7)}`;
    assert.equal(
      succeeded(await cli('pin', 'update', h.dir, '--dry-run')),
      `${change}\ndry run: ${lockFileName} not written`,
    );
    assert.deepEqual(await readFile(path.join(h.dir, lockFileName)), lockBytes);
    assert.equal(succeeded(await cli('pin', 'update', h.dir)), change);
    assert.equal((await readLock(h.dir))?.locked.rev, next);

    assert.match(
      succeeded(await cli('pin', 'verify', h.dir)),
      /^ok: .*\/nix\/store\/[0-9a-z]{32}-source\)$/,
    );
  });

  it('pins a channel, an exact short revision, and a git URL', async () => {
    const channelDir = await scratchDir('nixshell-project-');
    assert.match(
      succeeded(await cli('pin', channelDir, '--channel', 'nixos-unstable')),
      /^pinned nixpkgs 25\.05pre · [0-9a-f]{7} \(channel:nixos-unstable, 2025-01-11\)/,
    );
    const rev = await h.fixture.rev('nixos-24.11');
    const revDir = await scratchDir('nixshell-project-');
    succeeded(await cli('pin', revDir, '--rev', rev.slice(0, 8)));
    assert.deepEqual((await readLock(revDir))?.original, {
      type: 'github',
      owner: 'NixOS',
      repo: 'nixpkgs',
      rev,
    });
    const gitDir = await scratchDir('nixshell-project-');
    succeeded(
      await cli('pin', gitDir, '--branch', 'nixos-24.11', '--from', `git+${h.fixture.fileUrl}`),
    );
    const lock = await readLock(gitDir);
    assert.equal(lock?.locked.type, 'git');
    assert.equal(lock.locked.rev, rev);
  });

  it('imports from niv', async () => {
    const rev = await h.fixture.rev('nixos-24.05');
    const url = `${h.server.url}/NixOS/nixpkgs/archive/${rev}.tar.gz`;
    const sha256 = (
      await runNixTool('nix-prefetch-url', ['--unpack', '--name', 'source', url], env)
    ).trim();
    await mkdir(path.join(h.dir, 'nix'));
    await writeFile(
      path.join(h.dir, 'nix/sources.json'),
      JSON.stringify({
        nixpkgs: {
          owner: 'NixOS',
          repo: 'nixpkgs',
          branch: 'nixos-24.05',
          rev,
          sha256,
          type: 'tarball',
          url,
        },
      }),
    );
    assert.equal(
      succeeded(await cli('pin', 'import', h.dir, '--from', 'niv')),
      `imported nixpkgs 24.05 · ${rev.slice(0, 7)} (github:NixOS/nixpkgs/nixos-24.05) from nix/sources.json`,
    );
  });

  it('fails with one line for a corrupt, a future or a missing lock', async () => {
    const lockFile = path.join(h.dir, lockFileName);
    await writeFile(lockFile, '{"version": 1, "original": {"type": "gi');
    assert.match(
      failed(await cli('pin', 'show', h.dir)),
      new RegExp(`${lockFile}: not valid JSON`),
    );
    await writeFile(lockFile, JSON.stringify({ version: 2 }));
    assert.match(failed(await cli('pin', 'update', h.dir)), /newer Nix Shell \(version 2;/);
    const empty = await scratchDir('nixshell-project-');
    assert.match(failed(await cli('pin', 'show', empty)), /no nixpkgs pin in/);
    assert.match(failed(await cli('pin', 'verify', empty)), /there is no nixpkgs\.lock\.json/);
  });

  it('fails with one line when the server is down or gives other content, keeping the lock', async () => {
    succeeded(await cli('pin', h.dir, '--branch', 'nixos-24.05'));
    const lockFile = path.join(h.dir, lockFileName);
    const bytes = await readFile(lockFile);
    const lock = await readLock(h.dir);
    h.server.replace(new URL(lock?.locked.url ?? '').pathname, Buffer.from('not a tarball'));
    assert.match(failed(await cli('pin', 'verify', h.dir)), /downloading .*\.tar\.gz/);
    await h.fixture.advance('nixos-24.05', {
      version: '24.05',
      marker: 'x',
      date: '2024-08-01T00:00:00Z',
    });
    await h.server.close();
    assert.match(failed(await cli('pin', 'update', h.dir)), /git ls-remote http:\/\/127\.0\.0\.1/);
    assert.deepEqual(await readFile(lockFile), bytes);
  });

  it('rejects wrong usage with exit code 2', async () => {
    assert.match(failed(await cli('pin', h.dir), 2), /pin needs --branch, --channel or --rev/);
    assert.match(
      failed(await cli('pin', h.dir, '--channel', 'a', '--branch', 'b'), 2),
      /--channel takes no/,
    );
    assert.match(failed(await cli('pin', 'import', h.dir), 2), /needs --from niv/);
    assert.match(failed(await cli('pin', 'update', h.dir, '--branch', 'x'), 2), /takes no branch/);
    assert.match(
      failed(await cli('pin', h.dir, '--branch', 'x', '--from', 'gitlab:a/b'), 2),
      /--from takes/,
    );
  });

  it('leaves env and status as they were', async () => {
    await writeFile(
      path.join(h.dir, 'shell.nix'),
      'derivation { name = "x"; system = builtins.currentSystem; builder = "/bin/sh"; }\n',
    );
    const status = JSON.parse(
      succeeded(await cli('status', h.dir, '--json', '--cache-dir', await scratchDir())),
    ) as Record<string, unknown>;
    assert.equal(status['target'], 'shell.nix');
    assert.equal(status['cache'], 'missing');
    assert.match(failed(await cli('bogus'), 2), /unknown command bogus/);
    assert.match(failed(await cli('env', h.dir, '--branch', 'x'), 2), /--branch/);
  });
});
