// `nixshell roots` and `nixshell gc` against real nix: a deleted project's environment is
// collected, a live one's stays a cache hit that starts no nix. The collection is scoped to
// what the dropped environments held (--only-dropped): the store is shared by other runs.
import assert from 'node:assert/strict';
import {
  access,
  chmod,
  lutimes,
  mkdtemp,
  readdir,
  readFile,
  rm,
  writeFile,
} from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { runCli } from '../support/cliRunner';
import { userEnvironment, userPath } from '../support/engineHarness';
import { copyFixture } from '../support/fixtures';
import { createNixShim, type NixShim } from '../support/nixShim';
import { scratchDir } from '../support/scratch';

interface Kept {
  key: string;
  project: string | null;
  target: string | null;
  projectExists: boolean;
  lastUsed: string;
  closureSize: number;
}

interface GcJson {
  dropped: Array<Kept & { reason: string }>;
  kept: Kept[];
  deletedPaths: number | null;
  freedBytes: number | null;
}

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

async function cli(args: string[], env: Record<string, string>): Promise<string> {
  const result = await runCli(args, env);
  assert.equal(result.exitCode, 0, `nixshell ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** A copy of the team-cache fixture, whose tool is a store path of its own; and where it is. */
async function projectWithOwnTool(env: Record<string, string>) {
  const { top, dir } = await copyFixture('team-cache');
  const countDir = await mkdtemp('/tmp/nixshell-builds-');
  after(() => rm(countDir, { recursive: true, force: true }));
  const counter = path.join(countDir, 'builds.log');
  await writeFile(path.join(dir, 'counter'), `${counter}\n`);
  await writeFile(counter, '');
  await chmod(counter, 0o666);
  await chmod(countDir, 0o755);
  const variables = JSON.parse(await cli(['env', dir, '--json'], env)) as Record<string, string>;
  const tool = /\/nix\/store\/[0-9a-z]{32}-team-tool/.exec(variables['PATH'] ?? '')?.[0];
  assert.ok(tool, `no team-tool on PATH: ${variables['PATH']}`);
  return { top, dir, tool, counter };
}

async function builds(counter: string): Promise<number> {
  return (await readFile(counter, 'utf8')).split('\n').filter((line) => line === 'built').length;
}

describe('store hygiene (roots, gc)', function () {
  this.timeout(120_000);

  let shim: NixShim;
  let cacheDir: string;
  let env: Record<string, string>;

  beforeEach(async () => {
    shim = await createNixShim(await scratchDir('nixshell-shim-'));
    cacheDir = await scratchDir('nixshell-cli-cache-');
    env = userEnvironment({ PATH: `${shim.dir}:${userPath}`, NIXSHELL_CACHE_DIR: cacheDir });
  });

  it("frees a deleted project's closure and keeps a live one's warm", async () => {
    const gone = await projectWithOwnTool(env);
    const live = await projectWithOwnTool(env);

    const roots = JSON.parse(await cli(['roots', '--json'], env)) as Kept[];
    assert.deepEqual(roots.map((r) => r.project).sort(), [gone.dir, live.dir].sort());
    for (const root of roots) {
      assert.equal(root.target, 'shell.nix');
      assert.ok(root.closureSize > 0, `no closure size: ${JSON.stringify(root)}`);
      assert.ok(Date.now() - Date.parse(root.lastUsed) < 60_000, root.lastUsed);
    }

    await rm(gone.top, { recursive: true, force: true });
    const human = await cli(['roots'], env);
    assert.match(human, new RegExp(`^${gone.dir} shell.nix \\(folder gone\\)$`, 'm'));

    const result = JSON.parse(await cli(['gc', '--only-dropped', '--json'], env)) as GcJson;
    assert.deepEqual(
      result.dropped.map((d) => [d.project, d.reason]),
      [[gone.dir, 'its folder is gone']],
    );
    assert.deepEqual(
      result.kept.map((k) => k.project),
      [live.dir],
    );
    assert.ok((result.deletedPaths ?? 0) >= 1, JSON.stringify(result));
    assert.ok((result.freedBytes ?? 0) > 0, JSON.stringify(result));
    assert.equal(await exists(gone.tool), false, `${gone.tool} was not collected`);
    assert.equal(await exists(live.tool), true, `${live.tool} of the live project was collected`);
    const left = JSON.parse(await cli(['roots', '--json'], env)) as Kept[];
    assert.deepEqual(
      left.map((r) => r.project),
      [live.dir],
    );

    // The live project's next entry is a cache hit: no nix process, no build.
    shim = await createNixShim(shim.dir);
    await cli(['env', live.dir], env);
    assert.deepEqual(await shim.calls(), [], 'entering the live project started nix');
    assert.equal(await builds(live.counter), 1);
  });

  it('deletes what a dropped environment held even when dead paths still refer to it', async () => {
    const gone = await projectWithOwnTool(env);
    // An old build made with the project's tool and no longer rooted: nix refuses to delete the
    // tool alone while this refers to it.
    const build = await execa(
      'nix-build',
      [
        '--no-out-link',
        '-E',
        `derivation {
          name = "uses-team-tool";
          system = builtins.currentSystem;
          builder = "/bin/bash";
          args = [ "-c" "echo \${builtins.storePath ${JSON.stringify(gone.tool)}} > $out" ];
        }`,
      ],
      { env },
    );
    const referrer = build.stdout.trim();
    assert.match(referrer, /^\/nix\/store\/[0-9a-z]{32}-uses-team-tool$/);
    await rm(gone.top, { recursive: true, force: true });

    const result = JSON.parse(await cli(['gc', '--only-dropped', '--json'], env)) as GcJson;
    assert.deepEqual(
      result.dropped.map((d) => d.project),
      [gone.dir],
    );
    assert.equal(await exists(gone.tool), false, `${gone.tool} was not collected`);
    assert.equal(await exists(referrer), false, `${referrer}, which refers to it, was kept`);
    assert.ok((result.deletedPaths ?? 0) >= 2, JSON.stringify(result));
  });

  it('drops environments unused for --older-than days; --dry-run deletes nothing', async () => {
    const idle = await projectWithOwnTool(env);
    // Last entered ten days ago, as touchRoots would have left its roots.
    const tenDaysAgo = new Date(Date.now() - 10 * 24 * 60 * 60 * 1000);
    const rootsDir = path.join(cacheDir, 'roots');
    for (const name of await readdir(rootsDir)) {
      const inner = await readdir(path.join(rootsDir, name)).catch(() => []);
      for (const link of inner)
        await lutimes(path.join(rootsDir, name, link), tenDaysAgo, tenDaysAgo);
      await lutimes(path.join(rootsDir, name), tenDaysAgo, tenDaysAgo);
    }
    const envsBefore = await readdir(path.join(cacheDir, 'envs'));
    const rootsBefore = await readdir(rootsDir);

    const dry = JSON.parse(
      await cli(['gc', '--dry-run', '--older-than', '5', '--json'], env),
    ) as GcJson;
    assert.deepEqual(
      dry.dropped.map((d) => [d.project, d.reason]),
      [[idle.dir, 'not used for 10 days']],
    );
    assert.equal(dry.deletedPaths, null);
    assert.deepEqual(await readdir(path.join(cacheDir, 'envs')), envsBefore);
    assert.deepEqual(await readdir(rootsDir), rootsBefore);
    assert.equal(await exists(idle.tool), true, 'the dry run deleted the tool');

    const recent = JSON.parse(
      await cli(['gc', '--only-dropped', '--older-than', '30', '--json'], env),
    ) as GcJson;
    assert.deepEqual(recent.dropped, []);
    assert.equal(await exists(idle.tool), true, 'an environment used 10 days ago was collected');

    const old = JSON.parse(
      await cli(['gc', '--only-dropped', '--older-than', '0', '--json'], env),
    ) as GcJson;
    assert.deepEqual(
      old.dropped.map((d) => d.project),
      [idle.dir],
    );
    assert.equal(await exists(idle.tool), false, `${idle.tool} was not collected`);
    assert.deepEqual(await readdir(path.join(cacheDir, 'envs')), []);
  });

  it('rejects --delete-old with --only-dropped, and a wrong --older-than', async () => {
    for (const args of [
      ['gc', '--delete-old', '--only-dropped'],
      ['gc', '--older-than', 'soon'],
    ]) {
      const result = await runCli(args, env);
      assert.equal(result.exitCode, 2, result.stderr);
      assert.match(result.stderr, /^nixshell: .*\(see nixshell gc --help\)$/);
    }
  });
});
