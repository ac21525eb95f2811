// GC roots on a multi-user install: an unprivileged user cannot write nix's roots directory,
// so the daemon must register every root a capture makes as an indirect root (a link under
// gcroots/auto to the user's own link). Only the daemon run of scripts/testNix.ts has a daemon
// and an unprivileged user; as root, nix writes the links itself and there is nothing to show.
import assert from 'node:assert/strict';
import { constants } from 'node:fs';
import { access, readFile, readdir, readlink, realpath, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { captureAndStore } from '../../src/core/engine';
import { fileSpec, flakeSpec, testContext, userEnvironment } from '../support/engineHarness';
import { commitAll, copyFixture } from '../support/fixtures';
import { nixTool, testRunsAsDaemonClient } from '../support/nixEnv';
import { runNixTool } from '../support/nixTools';

const autoRoots = '/nix/var/nix/gcroots/auto';

/** The user's links under `dir` that the daemon has registered as indirect roots. */
async function indirectRootsUnder(dir: string): Promise<string[]> {
  const links: string[] = [];
  for (const name of await readdir(autoRoots)) {
    const target = await readlink(path.join(autoRoots, name)).catch(() => undefined);
    if (target?.startsWith(`${dir}/`)) links.push(target);
  }
  return links;
}

async function deadPaths(): Promise<string[]> {
  const dead = await runNixTool(nixTool('nix-store'), ['--gc', '--print-dead'], userEnvironment());
  return dead.split('\n');
}

describe('GC roots as an unprivileged client of nix-daemon (the daemon run only)', function () {
  this.timeout(60_000);

  before(async function () {
    if (!testRunsAsDaemonClient()) this.skip();
    // The premise: this user cannot root anything by itself, so whatever is registered, the
    // daemon registered.
    assert.notEqual(process.getuid?.(), 0, 'the daemon run must not run as root');
    await assert.rejects(access(autoRoots, constants.W_OK), `${autoRoots} is writable`);
  });

  it('registers the roots of a nix-shell capture, which alone keep its packages', async () => {
    const { dir } = await copyFixture('stdenv-basic');
    const file = path.join(dir, 'shell.nix');
    // A tool of its own, so no other test's cache holds a root on it.
    const unique = `hello ${path.basename(path.dirname(dir))}`;
    await writeFile(file, (await readFile(file, 'utf8')).replace('hello from nix', unique));
    const context = await testContext();
    const entry = await captureAndStore(fileSpec(file), context);
    const tool = entry.storePaths.find((p) => p.endsWith('-greet'));
    assert.ok(tool, `no package among ${entry.storePaths.join(' ')}`);

    const links = await indirectRootsUnder(context.cache.directory);
    const rooted = await Promise.all(links.map((link) => realpath(link)));
    assert.ok(rooted.includes(tool), `no indirect root on ${tool} among ${links.join(' ')}`);
    assert.ok(!(await deadPaths()).includes(tool), `${tool} would be collected`);

    // Nothing else keeps it: without the user's links the daemon would collect it.
    await rm(path.join(context.cache.directory, 'roots'), { recursive: true, force: true });
    assert.ok((await deadPaths()).includes(tool), `${tool} is still alive without its roots`);
  });

  it("registers a flake capture's profile generation", async () => {
    const flake = await copyFixture('flake-two-shells', { git: true });
    const tools = path.join(flake.dir, 'nix/tools.nix');
    const unique = `building ${path.basename(flake.top)}`;
    await writeFile(tools, (await readFile(tools, 'utf8')).replace('building', unique));
    await commitAll(flake.top, 'a tool of its own');
    const context = await testContext();
    const entry = await captureAndStore(flakeSpec(flake.dir), context);
    assert.equal(entry.method, 'print-dev-env');
    assert.ok(entry.gcRoot, 'no GC root recorded');
    const envPath = entry.storePaths.at(-1) ?? '';
    assert.match(envPath, /-env$/);

    const generation = path.resolve(path.dirname(entry.gcRoot), await readlink(entry.gcRoot));
    const links = await indirectRootsUnder(context.cache.directory);
    assert.ok(links.includes(generation), `${generation} is not among ${links.join(' ')}`);
    assert.equal(await realpath(generation), envPath);
    assert.ok(!(await deadPaths()).includes(envPath), `${envPath} would be collected`);
  });

  it('says that the daemon ignores a binary cache the user may not add', async () => {
    const { dir } = await copyFixture('stdenv-basic');
    const base = userEnvironment({
      NIX_CONFIG: `${userEnvironment()['NIX_CONFIG'] ?? ''}\nextra-substituters = file://${dir}/cache`,
    });
    const entry = await captureAndStore(
      fileSpec(path.join(dir, 'shell.nix')),
      await testContext({ base }),
    );
    assert.ok(
      entry.warnings.some((w) =>
        /ignores the binary cache file:\/\/.*trusted-substituters/.test(w),
      ),
      `no warning among: ${entry.warnings.join('; ')}`,
    );
  });
});
