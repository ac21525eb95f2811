// `nixshell plan` and `nixshell push` against real nix and a real file:// binary cache (also
// served over HTTP on 127.0.0.1): what entering would build, pushing it signed, and then entering
// by downloading instead of building.
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { EnvironmentSession } from '../../src/core/session';
import { NixLogParser } from '../../src/core/nix/log';
import { planInWords } from '../../src/core/store/enterPlan';
import { DryRunListing } from '../../src/core/store/plan';
import { fileSpec, testContext, userEnvironment } from '../support/engineHarness';
import { processesMatching } from '../support/nixTools';
import { commitAll, copyFixture } from '../support/fixtures';
import { runCli } from '../support/cliRunner';
import { nixTool, testRunsAsDaemonClient } from '../support/nixEnv';
import { scratchDir } from '../support/scratch';
import { builds, signingKey, teamProject } from '../support/teamCache';
import { serveDirectory } from '../support/staticServer';

interface PlanJson {
  build: Array<{ name: string; drvPath: string; fixedOutput: boolean }>;
  cannotBuild: Array<{ name: string; path: string; reason: string }>;
  fetch: Array<{ name: string; path: string; downloadSize: number | null; narSize: number | null }>;
}

async function plan(dir: string, env: Record<string, string>, options: string[] = []) {
  const result = await runCli(['plan', dir, '--json', ...options], env);
  assert.equal(result.exitCode, 0, result.stderr);
  return { ...(JSON.parse(result.stdout) as PlanJson), stderr: result.stderr };
}

describe('team binary caches (plan, push, --option)', function () {
  this.timeout(120_000);

  it('plans a build, pushes it signed, then plans and enters it as a download', async () => {
    const { top, dir, counter } = await teamProject();
    const cache = path.join(top, 'cache');
    const env = userEnvironment({ NIXSHELL_CACHE_DIR: await scratchDir('nixshell-cli-cache-') });

    const before = await plan(dir, env);
    const tool = before.build.find((b) => b.name === 'team-tool');
    assert.ok(tool, `team-tool is not to be built: ${JSON.stringify(before)}`);
    assert.equal(await builds(counter), 0, 'plan built the tool');
    const human = await runCli(['plan', dir], env);
    assert.match(human.stdout, /^builds \d+\n {2}build {2}team-tool$/m);

    const nixEnv = { ...env, PATH: env['PATH'] ?? '' };
    const { file: key, publicKey } = await signingKey(path.join(top, 'key.sec'), nixEnv);

    const pushed = await runCli(['push', dir, '--to', `file://${cache}`, '--sign-key', key], env);
    assert.equal(pushed.exitCode, 0, pushed.stderr);
    assert.equal(await builds(counter), 1, 'push did not build the tool exactly once');
    const copied = /^copied (\d+) paths \(([\d.]+ [KMG]?i?B)\)/.exec(pushed.stdout);
    assert.ok(copied && Number(copied[1]) > 0, pushed.stdout);

    const toolOut = (
      await execa(nixTool('nix-store'), ['--query', '--outputs', tool.drvPath], {
        env: nixEnv,
        extendEnv: false,
      })
    ).stdout.trim();
    const narinfo = path.join(cache, `${path.basename(toolOut).slice(0, 32)}.narinfo`);
    const info = await readFile(narinfo, 'utf8');
    assert.match(info, new RegExp(`^StorePath: ${toolOut}$`, 'm'));
    assert.match(info, /^Sig: team-1:/m);
    const narinfos = (await readdir(cache)).filter((name) => name.endsWith('.narinfo'));
    assert.equal(narinfos.length, Number(copied[1]));

    // Pushing again copies nothing.
    const again = await runCli(['push', dir, '--to', `file://${cache}`], env);
    assert.match(again.stdout, /^copied 0 paths/);

    await execa(nixTool('nix-store'), ['--delete', toolOut], { env: nixEnv, extendEnv: false });
    const substituters = ['--option', 'substituters', `file://${cache}`];
    const trusted = ['--option', 'trusted-public-keys', publicKey];

    if (testRunsAsDaemonClient()) {
      // The daemon does not let an untrusted user add a substituter: said, with the fix.
      const ignored = await plan(dir, env, [...substituters, ...trusted]);
      assert.ok(ignored.build.some((b) => b.name === 'team-tool'));
      assert.match(ignored.stderr, /ignores the binary cache file:\/\/.*trusted-substituters/);
      return;
    }
    // Without the cache, nix would build it again: the --option settings reach nix.
    const uncached = await plan(dir, env);
    assert.ok(uncached.build.some((b) => b.name === 'team-tool'));
    assert.deepEqual(uncached.fetch, []);

    const cached = await plan(dir, env, [...substituters, ...trusted]);
    assert.deepEqual(cached.build, []);
    const fetched = cached.fetch.find((f) => f.path === toolOut);
    assert.ok(fetched, `team-tool is not to be fetched: ${JSON.stringify(cached)}`);
    assert.equal(fetched.name, 'team-tool');
    assert.ok(
      (fetched.downloadSize ?? 0) > 0 && (fetched.narSize ?? 0) > 0,
      JSON.stringify(fetched),
    );

    // The same cache served over HTTP by a real server: entering downloads the tool from it.
    const server = await serveDirectory(cache);
    // Closed by the test itself: a hook added while it runs may never run after a failure.
    try {
      const served = ['--option', 'substituters', server.url];
      const overHttp = await plan(dir, env, [...served, ...trusted]);
      assert.deepEqual(overHttp.build, []);
      assert.ok(
        overHttp.fetch.some((f) => f.path === toolOut),
        JSON.stringify(overHttp),
      );
      const entered = await runCli(['env', dir, '--json', ...served, ...trusted], env);
      assert.equal(entered.exitCode, 0, entered.stderr);
      // The CLI's progress counts the download as it finishes.
      assert.match(
        entered.stderr,
        /^nixshell: (building \d+\/\d+ derivations, )?downloading 1\/\d+ paths$/m,
        entered.stderr,
      );
      const shellPath = (JSON.parse(entered.stdout) as Record<string, string>)['PATH'] ?? '';
      assert.ok(shellPath.split(':').includes(`${toolOut}/bin`), shellPath);
      assert.equal(await builds(counter), 1, 'entering built the tool instead of downloading it');
      const nar = server.requests.filter((r) => /^GET \/nar\/.* 200$/.test(r));
      assert.ok(nar.length > 0, `no NAR was downloaded: ${server.requests.join(', ')}`);
    } finally {
      await server.close();
    }
  });

  it('says what entering costs while the first capture runs, and stops planning with it', async () => {
    const { dir, counter } = await teamProject(3);
    const context = await testContext();
    const session = new EnvironmentSession({
      engine: () => context,
      autoReload: () => false,
      unapplyOnFailure: () => false,
    });
    const progress: string[] = [];
    session.onDidChange((state) => {
      if (state.kind === 'loading') progress.push(state.progress);
    });
    let entered;
    try {
      await session.enter(fileSpec(path.join(dir, 'shell.nix')));
      await session.settled();
      entered = session.state;
    } finally {
      session.dispose();
    }
    assert.equal(entered.kind, 'active', JSON.stringify(entered));
    assert.equal(await builds(counter), 1);
    assert.ok(
      progress.some((text) => /^builds 1 · /.test(text)),
      `no plan in the progress: ${progress.join(' | ')}`,
    );
    assert.ok(
      context.logger.lines.includes('info: entering builds 1'),
      context.logger.lines.join('\n'),
    );
    assert.deepEqual(await processesMatching(/--dry-run/), [], 'a plan outlived the capture');
  });

  it("plans a flake's devShell, and pushes its captured -env once entered", async () => {
    const flake = await copyFixture('flake-two-shells', { git: true });
    const tools = path.join(flake.dir, 'nix/tools.nix');
    const unique = `building ${path.basename(flake.top)}`;
    await writeFile(tools, (await readFile(tools, 'utf8')).replace('building', unique));
    await commitAll(flake.top, 'a tool of its own');
    const env = userEnvironment({ NIXSHELL_CACHE_DIR: await scratchDir('nixshell-cli-cache-') });
    const planned = await plan(flake.dir, env);
    assert.equal(planned.build.length, 1, JSON.stringify(planned));
    assert.deepEqual((await plan(flake.dir, env, ['--dev-shell', 'other'])).build, []);

    const cache = `file://${path.join(flake.top, 'cache')}`;
    const first = await runCli(['push', flake.dir, '--to', cache], env);
    assert.match(first.stdout, /^copied [1-9]\d* paths .*; 0 were already there$/m, first.stderr);
    assert.deepEqual((await plan(flake.dir, env)).build, [], 'push built the inputs');
    const entered = await runCli(['env', flake.dir], env);
    assert.equal(entered.exitCode, 0, entered.stderr);
    const second = await runCli(['push', flake.dir, '--to', cache], env);
    assert.match(second.stdout, /^copied [1-9]\d* paths/m, 'the -env was not pushed');
    const narinfos = await readdir(path.join(flake.top, 'cache'));
    const infos = await Promise.all(
      narinfos
        .filter((name) => name.endsWith('.narinfo'))
        .map((name) => readFile(path.join(flake.top, 'cache', name), 'utf8')),
    );
    assert.ok(
      infos.some((info) => /^StorePath: \S+-env$/m.test(info)),
      'no -env in the cache',
    );
  });

  it('says what nix can neither download nor build here, before entering', async () => {
    const { dir } = await copyFixture('cannot-build');
    const env = userEnvironment({ NIXSHELL_CACHE_DIR: await scratchDir('nixshell-cli-cache-') });
    const planned = await plan(dir, env);
    assert.deepEqual(
      planned.build
        .map((b) => b.name)
        .filter((name) => name.endsWith('-tool'))
        .sort(),
      ['buildable-tool', 'fetched-tool'],
      JSON.stringify(planned),
    );
    const fixed = Object.fromEntries(planned.build.map((b) => [b.name, b.fixedOutput]));
    assert.deepEqual([fixed['buildable-tool'], fixed['fetched-tool']], [false, true]);
    const reasons = Object.fromEntries(planned.cannotBuild.map((c) => [c.name, c.reason]));
    assert.match(
      reasons['foreign-tool'] ?? '',
      /^needs a mips64-plan9 builder \(this machine builds /,
    );
    assert.match(reasons['featured-tool'] ?? '', /^needs the system feature quantum-annealer /);
    assert.equal(planned.cannotBuild.length, 2, JSON.stringify(planned.cannotBuild));

    const human = await runCli(['plan', dir], env);
    assert.match(
      human.stdout,
      /^cannot build (foreign|featured)-tool \(.*\) and 1 more, builds \d+$/m,
    );
    assert.match(human.stdout, /^ {2}cannot build {2}foreign-tool: needs a mips64-plan9 builder/m);
    assert.match(human.stdout, /^ {2}build {2}fetched-tool \(its builder downloads it\)$/m);

    // The user's settings are nix's: a machine that offers the feature builds that tool.
    const offered = await plan(dir, env, ['--option', 'system-features', 'quantum-annealer']);
    assert.deepEqual(
      offered.cannotBuild.map((c) => c.name),
      ['foreign-tool'],
    );
    assert.ok(offered.build.some((b) => b.name === 'featured-tool'));

    // The editor's plan, shown while entering, says so first.
    const words = await planInWords(
      fileSpec(path.join(dir, 'shell.nix')),
      await testContext(),
      new AbortController().signal,
    );
    assert.match(words.words ?? '', /^cannot build (foreign|featured)-tool \(needs /);
  });

  it("reads the paths nix's dry run does not know how to build", async () => {
    const missing = '/nix/store/00000000000000000000000000000000-nowhere-1.0';
    const listing = new DryRunListing();
    const parser = new NixLogParser((event) => listing.read(event));
    const env = userEnvironment();
    const run = await execa(
      nixTool('nix-store'),
      ['--realise', '--dry-run', '-vv', '--log-format', 'internal-json', missing],
      { env, extendEnv: false, reject: false },
    );
    for (const line of run.stderr.split('\n')) parser.push(line);
    assert.deepEqual(listing.listed.unknown, [missing], run.stderr);
    assert.deepEqual(listing.listed.build, []);
  });
});
