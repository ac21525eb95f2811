// The cache against real nix: the warm path starts no nix process, inputs decide staleness
// by content, NIX_PATH targets are part of the key, GC roots keep entries usable, and a broken
// file leaves the last good entry (anchors-envcapture.md §6, cases 21, 22, 25, 26, 28).
import assert from 'node:assert/strict';
import {
  lstat,
  mkdir,
  lutimes,
  readFile,
  readdir,
  rm,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import path from 'node:path';
import { EnvironmentCache } from '../../src/core/cache/store';
import { captureAndStore, lookup } from '../../src/core/engine';
import { NixShellError } from '../../src/core/errors';
import { fileSpec, testContext, userEnvironment, userPath } from '../support/engineHarness';
import { appliedEnvironment, staleReason } from '../support/expectations';
import { copyFixture } from '../support/fixtures';
import { createNixShim } from '../support/nixShim';
import { nixTool } from '../support/nixEnv';
import { evaluations, processesMatching, runNixTool, waitFor } from '../support/nixTools';
import { scratchDir } from '../support/scratch';

const later = () => new Date(Date.now() + 10_000);

describe('the cache against real nix', function () {
  this.timeout(60_000);

  it('answers an unchanged project from the cache without starting nix', async () => {
    const shim = await createNixShim(await scratchDir('nixshell-shim-'));
    const base = userEnvironment({ PATH: `${shim.dir}:${userPath}` });
    const context = await testContext({ base });
    const { dir } = await copyFixture('stdenv-basic');
    const spec = fileSpec(path.join(dir, 'shell.nix'));
    const entry = await captureAndStore(spec, context);
    const afterCapture = await shim.calls();
    assert.equal(evaluations(afterCapture).length, 1, afterCapture.join('\n'));
    const found = await lookup(spec, context);
    assert.deepEqual(found.freshness, { fresh: true });
    assert.deepEqual(found.entry, entry);
    assert.deepEqual(await shim.calls(), afterCapture, 'lookup started a nix process');
  });

  it("drops the entry and roots a new key supersedes, and keeps other projects' entries", async () => {
    const context = await testContext();
    const [one, other] = await Promise.all([
      copyFixture('stdenv-basic'),
      copyFixture('stdenv-basic'),
    ]);
    const spec = fileSpec(path.join(one.dir, 'shell.nix'));
    const first = await captureAndStore(spec, context);
    const kept = await captureAndStore(fileSpec(path.join(other.dir, 'shell.nix')), context);
    // Another NIX_PATH is another key for the same target: its capture supersedes the first.
    const moved = { ...context, base: { ...context.base, NIX_PATH: `elsewhere=${other.dir}` } };
    const second = await captureAndStore(spec, moved);
    assert.notEqual(second.key, first.key);
    assert.deepEqual((await context.cache.keys()).sort(), [kept.key, second.key].sort());
    const roots = await readdir(path.join(context.cache.directory, 'roots'));
    assert.ok(!roots.some((name) => name.startsWith(first.key)), roots.join('\n'));
    assert.ok(
      roots.some((name) => name.startsWith(kept.key)),
      roots.join('\n'),
    );
  });

  it('runs one capture for two windows capturing the same project at once', async () => {
    const shim = await createNixShim(await scratchDir('nixshell-shim-'));
    const base = userEnvironment({ PATH: `${shim.dir}:${userPath}` });
    const first = await testContext({ base });
    // A second window: its own context and cache object, the same cache directory.
    const second = { ...first, cache: new EnvironmentCache(first.cache.directory) };
    const { dir } = await copyFixture('stdenv-basic');
    const spec = fileSpec(path.join(dir, 'shell.nix'));
    const [a, b] = await Promise.all([captureAndStore(spec, first), captureAndStore(spec, second)]);
    assert.deepEqual(a, b);
    assert.equal(evaluations(await shim.calls()).length, 1);
  });

  it('goes stale when an imported file or the src directory changes, not on touch', async () => {
    const { top, dir } = await copyFixture('imports');
    const context = await testContext();
    const spec = fileSpec(path.join(dir, 'shell.nix'));
    const entry = await captureAndStore(spec, context);
    assert.deepEqual(
      entry.inputs.map((input) => input.path),
      [
        path.join(top, '_lib/default-builder.sh'),
        path.join(top, '_lib/default.nix'),
        path.join(top, '_lib/stdenv/setup.sh'),
        path.join(dir, 'nix/tools.nix'),
        path.join(dir, 'shell.nix'),
        path.join(dir, 'sub'),
      ],
    );
    const freshness = async () => (await lookup(spec, context)).freshness;
    const tools = path.join(dir, 'nix/tools.nix');
    const original = await readFile(tools, 'utf8');

    await utimes(tools, later(), later());
    await utimes(path.join(dir, 'sub/main.rs'), later(), later());
    assert.deepEqual(await freshness(), { fresh: true }, 'touch alone made it stale');

    await writeFile(tools, original.replace('echo linting', 'echo linting --strict'));
    assert.match(staleReason(await freshness()), /nix\/tools\.nix/);

    await writeFile(tools, original);
    assert.deepEqual(await freshness(), { fresh: true }, 'the original content is not stale');

    await writeFile(path.join(dir, 'sub/new.rs'), 'fn new() {}');
    assert.match(staleReason(await freshness()), /sub/);
  });

  for (const via of ['NIX_PATH', '-I'] as const) {
    it(`treats a retargeted ${via} entry as a different key, keeping the old entry`, async () => {
      const { top, dir } = await copyFixture('nix-path');
      const link = path.join(top, 'devpkgs');
      await symlink(path.join(dir, 'channel-a'), link);
      const searchPath = `devpkgs=${link}`;
      const base = userEnvironment(via === 'NIX_PATH' ? { NIX_PATH: searchPath } : {});
      const context = await testContext({ base });
      const spec = fileSpec(path.join(dir, 'shell.nix'), via === '-I' ? ['-I', searchPath] : []);
      const first = await captureAndStore(spec, context);
      assert.equal(appliedEnvironment(base, first)['CHANNEL'], 'channel-a');
      assert.deepEqual((await lookup(spec, context)).freshness, { fresh: true });

      await rm(link);
      await symlink(path.join(dir, 'channel-b'), link);
      const found = await lookup(spec, context);
      assert.notEqual(found.keys.key, first.key);
      assert.deepEqual(found.entry, first, 'the last entry is applied while re-capturing');
      assert.equal(found.freshness.fresh, false);

      const second = await captureAndStore(spec, context);
      assert.equal(second.key, found.keys.key);
      assert.equal(appliedEnvironment(base, second)['CHANNEL'], 'channel-b');
      assert.deepEqual((await lookup(spec, context)).freshness, { fresh: true });
    });
  }

  it('reports a syntax error at its file and line, keeping the last good entry', async () => {
    const { dir } = await copyFixture('stdenv-basic');
    const file = path.join(dir, 'shell.nix');
    const context = await testContext();
    const spec = fileSpec(file);
    const good = await captureAndStore(spec, context);
    const source = await readFile(file, 'utf8');
    const lines = source.split('\n');
    const fooLine = lines.findIndex((line) => line.includes('FOO = '));
    // Drop FOO's semicolon: the parser stops at the `=` of the next line.
    lines.splice(fooLine, 1, '  FOO = "foo from nix"', '  BAR = 1;');
    await writeFile(file, lines.join('\n'));

    const error = await captureAndStore(spec, context).then(
      () => assert.fail('a broken file captured'),
      (thrown: unknown) => thrown,
    );
    assert.ok(error instanceof NixShellError);
    assert.equal(error.kind, 'evaluation');
    assert.match(error.message, /syntax error/);
    const location = error.locations.find((l) => !l.file.startsWith('/nix/store/'));
    assert.deepEqual(location, { file, line: fooLine + 2, column: 7 });
    const found = await lookup(spec, context);
    assert.deepEqual(found.entry, good);
    assert.equal(found.freshness.fresh, false);
  });

  it('points a syntax error in an imported file at that file', async () => {
    const { dir } = await copyFixture('imports');
    const context = await testContext();
    const spec = fileSpec(path.join(dir, 'shell.nix'));
    await captureAndStore(spec, context);
    const tools = path.join(dir, 'nix/tools.nix');
    // An extra `)` on line 3: every nix version stops there (a missing `]` would be reported at
    // the end of the file, which versions count differently).
    await writeFile(
      tools,
      '{ pkgs }:\n[\n  (pkgs.writeShellScriptBin "lint" "echo linting"))\n]\n',
    );
    const error = await captureAndStore(spec, context).then(
      () => assert.fail('a broken import captured'),
      (thrown: unknown) => thrown,
    );
    assert.ok(error instanceof NixShellError);
    assert.equal(error.kind, 'evaluation');
    const location = error.locations.find((l) => !l.file.startsWith('/nix/store/'));
    assert.equal(location?.file, tools);
    assert.equal(location.line, 3);
  });

  it('reports the message and the error site of a traced error, in a folder with a space', async () => {
    const dir = path.join(await scratchDir(), 'my project');
    await mkdir(dir);
    const file = path.join(dir, 'shell.nix');
    // Nix ≥2.13 prints a bare `error:`, the trace (line 4 here), then the message and its site.
    await writeFile(file, 'let\n  f = x: x.missing;\nin\n{ a = f { b = 1; }; }.a\n');
    const error = await captureAndStore(fileSpec(file), await testContext()).then(
      () => assert.fail('a broken file captured'),
      (thrown: unknown) => thrown,
    );
    assert.ok(error instanceof NixShellError);
    assert.equal(error.kind, 'evaluation');
    assert.equal(error.message, "attribute 'missing' missing");
    assert.deepEqual(error.locations[0], { file, line: 2, column: 10 });
  });

  it('keeps the environment alive with GC roots, and notices when it was collected', async () => {
    const { dir } = await copyFixture('stdenv-basic');
    const file = path.join(dir, 'shell.nix');
    // A tool of its own, so no other test's cache holds a root on it.
    const unique = `hello ${path.basename(path.dirname(dir))}`;
    await writeFile(file, (await readFile(file, 'utf8')).replace('hello from nix', unique));
    const context = await testContext();
    const spec = fileSpec(file);
    const entry = await captureAndStore(spec, context);
    const tool = entry.storePaths.find((p) => p.endsWith('-greet'));
    assert.ok(tool, `no package among ${entry.storePaths.join(' ')}`);
    assert.ok(entry.gcRoot, 'no GC root recorded');

    const nixEnv = userEnvironment();
    const roots = await runNixTool(nixTool('nix-store'), ['--gc', '--print-roots'], nixEnv);
    assert.ok(
      roots.split('\n').some((line) => line.startsWith(entry.gcRoot ?? '') && line.endsWith(tool)),
      `${tool} has no root under ${entry.gcRoot}:\n${roots}`,
    );
    const dead = await runNixTool(nixTool('nix-store'), ['--gc', '--print-dead'], nixEnv);
    assert.ok(!dead.split('\n').includes(tool), `${tool} would be collected`);

    await rm(path.join(context.cache.directory, 'roots'), { recursive: true, force: true });
    await runNixTool(nixTool('nix-store'), ['--delete', tool], nixEnv);
    const found = await lookup(spec, context);
    assert.equal(found.entry, undefined);
    assert.equal(found.freshness.fresh, false);
  });
});

describe('GC roots on use', function () {
  this.timeout(60_000);

  it('are touched whenever the entry is used, so age-based cleaners keep them', async () => {
    const { dir } = await copyFixture('stdenv-basic');
    const context = await testContext();
    const spec = fileSpec(path.join(dir, 'shell.nix'));
    const entry = await captureAndStore(spec, context);
    assert.ok(entry.gcRoot, 'no GC root recorded');
    // A nix-shell capture roots each store path it refers to, as links in one directory.
    const gcRoot = entry.gcRoot;
    const links = (await readdir(gcRoot)).map((name) => path.join(gcRoot, name));
    assert.ok(links.length > 0, `no roots in ${gcRoot}`);
    const longAgo = new Date('2001-01-01T00:00:00Z');
    for (const link of links) await lutimes(link, longAgo, longAgo);

    const before = Date.now() - 1000;
    assert.deepEqual((await lookup(spec, context)).freshness, { fresh: true });
    for (const link of links) {
      const { mtimeMs } = await lstat(link);
      assert.ok(mtimeMs >= before, `${link} was not touched (${new Date(mtimeMs).toISOString()})`);
    }
  });
});

describe('the cache around a capture', function () {
  this.timeout(60_000);

  it('marks an entry whose input was edited during the capture as unverified', async () => {
    const { top, dir } = await copyFixture('slow-build');
    const file = path.join(dir, 'shell.nix');
    // A build of a couple of seconds, new to the store on every run.
    const slow = `/bin/sleep 2 # ${path.basename(top)}`;
    await writeFile(file, (await readFile(file, 'utf8')).replace('/bin/sleep 60', slow));
    const context = await testContext();
    const spec = fileSpec(file);
    const capturing = captureAndStore(spec, context);
    await waitFor('the slow build', async () =>
      (await processesMatching(/^\/bin\/sleep 2$/)).length > 0 ? true : undefined,
    );
    await writeFile(file, `${await readFile(file, 'utf8')}# edited while building\n`);
    const entry = await capturing;
    assert.equal(entry.unverified, true);
    const found = await lookup(spec, context);
    assert.equal(found.freshness.fresh, false);
  });

  it('keeps the packages of a nix-shell capture alive through a GC', async () => {
    // A package unique to this run must be GC-rooted.
    const { top, dir } = await copyFixture('control-bytes');
    const file = path.join(dir, 'shell.nix');
    const migrate = `(pkgs.writeShellScriptBin "migrate" "echo migrating ${path.basename(top)}")`;
    await writeFile(
      file,
      (await readFile(file, 'utf8')).replace(
        'PLAIN = "plain";',
        `PLAIN = "plain";\n  packages = [ ${migrate} ];`,
      ),
    );
    const context = await testContext();
    const spec = fileSpec(file);
    const entry = await captureAndStore(spec, context);
    assert.equal(entry.method, 'nix-shell');
    const migratePath = entry.storePaths.find((p) => p.endsWith('-migrate'));
    assert.ok(migratePath, `no package among ${entry.storePaths.join(' ')}`);
    const dead = await runNixTool(
      nixTool('nix-store'),
      ['--gc', '--print-dead'],
      userEnvironment(),
    );
    assert.ok(!dead.split('\n').includes(migratePath), `${migratePath} would be garbage-collected`);
  });
});
