// Progress while entering counts builds as nix finishes them, from its internal-json log: in
// the session's loading state (the editor's notification and status bar) and the CLI's line.
import assert from 'node:assert/strict';
import path from 'node:path';
import { EnvironmentSession } from '../../src/core/session';
import type { ProgressCounts } from '../../src/core/nix/log';
import { execa } from 'execa';
import { cliPath, runCli } from '../support/cliRunner';
import { fileSpec, testContext, userEnvironment } from '../support/engineHarness';
import { copyFixture } from '../support/fixtures';
import { scratchDir } from '../support/scratch';

describe('progress counts builds as they finish', function () {
  this.timeout(120_000);

  it('in the loading state, one build after another', async () => {
    const { dir } = await copyFixture('several-builds');
    const context = await testContext();
    const session = new EnvironmentSession({
      engine: () => context,
      autoReload: () => false,
      unapplyOnFailure: () => false,
    });
    const seen: Array<{ progress: string; counts: ProgressCounts | undefined }> = [];
    session.onDidChange((state) => {
      if (state.kind === 'loading') seen.push({ progress: state.progress, counts: state.counts });
    });
    try {
      await session.enter(fileSpec(path.join(dir, 'shell.nix')));
      await session.settled();
      assert.equal(session.state.kind, 'active', JSON.stringify(session.state));
    } finally {
      session.dispose();
    }
    // Nix learns of the four builds as it goes; once it knows them all, each finishes in turn.
    const finished = seen.flatMap((s) => (s.counts?.builds === 4 ? [s.counts.built] : []));
    assert.deepEqual([...new Set(finished)], [0, 1, 2, 3, 4], JSON.stringify(seen));
    assert.ok(
      seen.some((s) => /building 2\/4 derivations, building third-tool$/.test(s.progress)),
      seen.map((s) => s.progress).join(' | '),
    );
    // Nothing is downloaded (no substituter): no download count, although nix expects to try.
    assert.ok(
      seen.every((s) => (s.counts?.downloads ?? 0) === 0 && !/downloading/.test(s.progress)),
      seen.map((s) => s.progress).join(' | '),
    );
    // After the builds, the shellHook: no count left over.
    assert.equal(seen.at(-1)?.counts, undefined);
  });

  it("in the CLI's progress line", async () => {
    const { dir } = await copyFixture('several-builds');
    const env = userEnvironment({ NIXSHELL_CACHE_DIR: await scratchDir('nixshell-cli-cache-') });
    const entered = await runCli(['env', dir, '--json'], env);
    assert.equal(entered.exitCode, 0, entered.stderr);
    const lines = entered.stderr.split('\n').filter((line) => line.startsWith('nixshell: '));
    // A line when the builds start (nix then knows of the first only), then one per build done.
    assert.match(lines[0] ?? '', /^nixshell: building 0\/\d derivations$/, entered.stderr);
    const done = lines.flatMap((line) => /building (\d)\/4 derivations$/.exec(line)?.[1] ?? []);
    assert.deepEqual(done, ['1', '2', '3', '4'], entered.stderr);
    assert.equal(lines.length, 5, entered.stderr);
    // A fresh environment is served without nix: no progress at all.
    const again = await runCli(['env', dir, '--json'], env);
    assert.equal(again.stderr, '');
  });

  it('on a terminal, as one line rewritten in place and cleared at the end', async () => {
    const { dir } = await copyFixture('several-builds');
    const env = userEnvironment({ NIXSHELL_CACHE_DIR: await scratchDir('nixshell-cli-cache-') });
    const command = [process.execPath, cliPath, 'env', dir, '--json'].map((a) => `'${a}'`);
    // util-linux's script runs the CLI on a pseudo-terminal, as a user's shell would.
    const run = await execa('script', ['-qec', command.join(' '), '/dev/null'], {
      // script runs the command with $SHELL -c.
      env: { ...env, SHELL: '/bin/bash' },
      extendEnv: false,
    });
    const rewrites = run.stdout.split('\r\u001b[K');
    assert.ok(
      rewrites.some((text) => text === 'nixshell: building 2/4 derivations, building third-tool'),
      JSON.stringify(rewrites),
    );
    // Cleared before the environment is printed: stdout starts on a clean line.
    assert.match(rewrites.at(-1) ?? '', /^\{\r?\n/);
  });
});
