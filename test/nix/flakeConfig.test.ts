// A flake's nixConfig names a team cache (a signed file:// binary cache): nix only uses it once
// accepted. `nixshell plan --json` shows it: a build without --accept-flake-config, a download
// with it; `nixshell env --accept-flake-config` enters without building.
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { userEnvironment } from '../support/engineHarness';
import { commitAll, copyFixture } from '../support/fixtures';
import { runCli } from '../support/cliRunner';
import { nixTool, testRunsAsDaemonClient } from '../support/nixEnv';
import { scratchDir } from '../support/scratch';

interface PlanJson {
  build: Array<{ name: string; drvPath: string }>;
  fetch: Array<{ name: string; path: string; downloadSize: number | null }>;
}

async function plan(dir: string, env: Record<string, string>, options: string[] = []) {
  const result = await runCli(['plan', dir, '--json', ...options], env);
  assert.equal(result.exitCode, 0, result.stderr);
  return { ...(JSON.parse(result.stdout) as PlanJson), stderr: result.stderr };
}

describe("a flake's nixConfig substituters (--accept-flake-config)", function () {
  this.timeout(120_000);

  it('are ignored until accepted, then entering downloads instead of building', async () => {
    const { top, dir } = await copyFixture('flake-cache', { git: true });
    const env = userEnvironment({ NIXSHELL_CACHE_DIR: await scratchDir('nixshell-cli-cache-') });
    const nixEnv = { ...env, PATH: env['PATH'] ?? '' };
    const nix = (tool: string, args: string[], input?: string) =>
      execa(nixTool(tool), args, { env: nixEnv, extendEnv: false, ...(input ? { input } : {}) });

    // Where the builder counts its runs: in /tmp, where a daemon's build users reach it.
    const countDir = await mkdtemp('/tmp/nixshell-builds-');
    after(() => rm(countDir, { recursive: true, force: true }));
    const counter = path.join(countDir, 'builds.log');
    await writeFile(counter, '');
    await chmod(counter, 0o666);
    await chmod(countDir, 0o755);
    const builds = async () =>
      (await readFile(counter, 'utf8')).split('\n').filter((line) => line === 'built').length;

    const secret = (await nix('nix', ['key', 'generate-secret', '--key-name', 'flake-team-1']))
      .stdout;
    const publicKey = (await nix('nix', ['key', 'convert-secret-to-public'], secret)).stdout.trim();
    const key = path.join(top, 'key.sec');
    await writeFile(key, secret);
    const cache = `file://${path.join(top, 'cache')}`;
    const flakeFile = path.join(dir, 'flake.nix');
    const flake = await readFile(flakeFile, 'utf8');
    await writeFile(flakeFile, flake.replace('@CACHE@', cache).replace('@KEY@', publicKey));
    await writeFile(path.join(dir, 'counter'), `${counter}\n`);
    await commitAll(top, 'the team cache and a counter of its own');

    const before = await plan(dir, env);
    const tool = before.build.find((b) => b.name === 'flake-cache-tool');
    assert.ok(tool, JSON.stringify(before));
    const pushed = await runCli(['push', dir, '--to', cache, '--sign-key', key], env);
    assert.equal(pushed.exitCode, 0, pushed.stderr);
    assert.equal(await builds(), 1);
    const toolOut = (await nix('nix-store', ['--query', '--outputs', tool.drvPath])).stdout.trim();
    await nix('nix-store', ['--delete', toolOut]);

    // Not accepted: nix ignores the flake's nixConfig, and the tool is to be built again.
    const ignored = await plan(dir, env);
    assert.ok(
      ignored.build.some((b) => b.name === 'flake-cache-tool'),
      JSON.stringify(ignored),
    );
    assert.deepEqual(ignored.fetch, []);

    const accepted = await plan(dir, env, ['--accept-flake-config']);
    if (testRunsAsDaemonClient()) {
      // The daemon lets no untrusted user add a substituter: said, with the fix.
      assert.ok(accepted.build.some((b) => b.name === 'flake-cache-tool'));
      assert.match(accepted.stderr, /ignores the binary cache file:\/\/.*trusted-substituters/);
      return;
    }
    assert.deepEqual(accepted.build, [], JSON.stringify(accepted));
    const fetched = accepted.fetch.find((f) => f.path === toolOut);
    assert.ok(fetched && (fetched.downloadSize ?? 0) > 0, JSON.stringify(accepted));

    const entered = await runCli(['env', dir, '--json', '--accept-flake-config'], env);
    assert.equal(entered.exitCode, 0, entered.stderr);
    const shellPath = (JSON.parse(entered.stdout) as Record<string, string>)['PATH'] ?? '';
    assert.ok(shellPath.split(':').includes(`${toolOut}/bin`), shellPath);
    assert.equal(await builds(), 1, 'entering built the tool instead of downloading it');
  });
});
