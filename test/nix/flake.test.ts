// A flake with two devShells, in a subdirectory of a git checkout (a monorepo), whose shared
// package set is a path input (anchors-envcapture.md §6, cases 23 and 24).
import assert from 'node:assert/strict';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { captureAndStore, lookup } from '../../src/core/engine';
import type { NixShellError } from '../../src/core/errors';
import {
  flakeSpec,
  testContext,
  userEnvironment,
  type TestContext,
} from '../support/engineHarness';
import {
  appliedEnvironment,
  assertSameEnvironment,
  expectedEnvironment,
  staleReason,
  stdenvVariables,
} from '../support/expectations';
import { commitAll, copyFixture, git, type FixtureCopy } from '../support/fixtures';
import { importUntrackedFile } from '../support/untrackedFile';
import { derivationEnv, runNixTool, testNixAtLeast } from '../support/nixTools';
import { listDevShells } from '../../src/core/nix/flake';
import { locateNix } from '../../src/core/nix/installation';
import { nixTool, testNixBin, testNixConfig } from '../support/nixEnv';
import { scratchDir } from '../support/scratch';

const fixture = 'flake-two-shells';

function shellEnv(flake: FixtureCopy, shell: string): Promise<Record<string, string>> {
  return derivationEnv([`${flake.dir}#devShells.x86_64-linux.${shell}`], userEnvironment());
}

/**
 * `name` as nix develop gives it depends on the version: the shell's own on 2.8, the `-env`
 * derivation's on 2.26. parity.test.ts compares it with nix develop itself.
 */
function withoutName(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => name !== 'name'));
}

/**
 * The files of the `path:../_lib` input that are inputs too: since Nix 2.26 (NixOS/nix PR
 * #10089) a relative path input is read from the flake's own checkout instead of a copy locked
 * by hash.
 */
async function libInputs(flake: FixtureCopy): Promise<string[]> {
  if (!(await testNixAtLeast('2.26'))) return [];
  return ['_lib/default.nix', '_lib/default-builder.sh', '_lib/stdenv/setup.sh'].map((file) =>
    path.join(flake.top, file),
  );
}

/** A checkout whose flake.lock is committed, as in any project past its first commit. */
async function lockedCheckout(): Promise<FixtureCopy> {
  const flake = await copyFixture(fixture, { git: true });
  await runNixTool(nixTool('nix'), ['flake', 'lock'], userEnvironment(), flake.dir);
  await commitAll(flake.top, 'lock');
  return flake;
}

describe('flakes', function () {
  this.timeout(60_000);

  let flake: FixtureCopy;
  let context: TestContext;

  beforeEach(async () => {
    flake = await lockedCheckout();
    context = await testContext();
  });

  it('captures the default devShell', async () => {
    const entry = await captureAndStore(flakeSpec(flake.dir), context);
    const drv = await shellEnv(flake, 'default');
    assert.equal(entry.method, 'print-dev-env');
    assertSameEnvironment(
      withoutName(appliedEnvironment(context.base, entry)),
      expectedEnvironment(userEnvironment(), drv, flake.dir, {
        ...stdenvVariables(drv, flake.dir),
        // nix develop exports what nix-shell's rc only sets; the shell sees it either way.
        dontAddDisableDepTrack: '1',
        name: undefined,
      }),
    );
  });

  it('captures another devShell, with its shellHook', async () => {
    const entry = await captureAndStore(flakeSpec(flake.dir, 'other'), context);
    const drv = await shellEnv(flake, 'other');
    assertSameEnvironment(
      withoutName(appliedEnvironment(context.base, entry)),
      expectedEnvironment(userEnvironment(), drv, flake.dir, {
        ...stdenvVariables(drv, flake.dir),
        dontAddDisableDepTrack: '1',
        name: undefined,
        OTHER_HOOK: 'ran',
      }),
    );
  });

  it('records the flake files and tracked imports as inputs', async () => {
    const entry = await captureAndStore(flakeSpec(flake.dir), context);
    const lib = await libInputs(flake);
    assert.deepEqual(
      entry.inputs.map((input) => input.path).sort(),
      [
        ...lib,
        ...['flake.lock', 'flake.nix', 'nix/tools.nix'].map((file) => path.join(flake.dir, file)),
      ].sort(),
    );
  });

  for (const file of ['flake.nix', 'nix/tools.nix', 'flake.lock']) {
    it(`goes stale when ${file} is edited, and fresh again when it is restored`, async () => {
      const spec = flakeSpec(flake.dir);
      await captureAndStore(spec, context);
      assert.deepEqual((await lookup(spec, context)).freshness, { fresh: true });
      const edited = path.join(flake.dir, file);
      const original = await readFile(edited, 'utf8');
      // A change nix would evaluate differently (or, for the lock, a reformatted file).
      await writeFile(
        edited,
        file === 'flake.lock' ? `${original.trim()}\n\n` : `${original}\n# edited\n`,
      );
      const reason = staleReason((await lookup(spec, context)).freshness);
      assert.match(reason, new RegExp(file.replace('.', '\\.')));
      await writeFile(edited, original);
      assert.deepEqual((await lookup(spec, context)).freshness, { fresh: true });
    });
  }

  it('points an evaluation error at the checkout, not at the store copy nix evaluated', async () => {
    const flakeNix = path.join(flake.dir, 'flake.nix');
    const lines = (await readFile(flakeNix, 'utf8')).split('\n');
    const broken = lines.findIndex((line) => line.includes('outputs'));
    lines.splice(broken + 1, 0, '    oops = ;');
    await writeFile(flakeNix, lines.join('\n'));
    await commitAll(flake.top, 'break the flake');
    const error = await captureAndStore(flakeSpec(flake.dir), context).then(
      () => assert.fail('the capture succeeded'),
      (thrown: unknown) => thrown as NixShellError,
    );
    assert.equal(error.kind, 'evaluation');
    assert.deepEqual(
      error.locations.map((l) => [l.file, l.line]),
      [[flakeNix, broken + 2]],
    );
  });

  it('names an imported file git does not track: untracked-file', async () => {
    await importUntrackedFile(flake.dir);
    await assert.rejects(captureAndStore(flakeSpec(flake.dir), context), (error: unknown) => {
      assert.equal((error as { kind?: unknown }).kind, 'untracked-file');
      assert.match((error as Error).message, /nix\/extra\.nix/);
      return true;
    });
  });
});

describe('a flake whose input is a flake', function () {
  this.timeout(60_000);

  it("records the checkout's files, not the input's at the same places", async () => {
    // Both trees have flake.nix at their top, and the input's lib.nix has no twin here: read
    // from the input's store copy, it is not a file of this checkout.
    const root = await scratchDir();
    const dep = path.join(root, 'dep');
    const app = path.join(root, 'app');
    await mkdir(dep);
    await mkdir(app);
    await writeFile(path.join(dep, 'flake.nix'), '{ outputs = _: { lib = import ./lib.nix; }; }\n');
    await writeFile(path.join(dep, 'lib.nix'), '{ greeting = "hello"; }\n');
    await writeFile(
      path.join(app, 'flake.nix'),
      `{
  inputs.dep.url = "path:${dep}";
  outputs = { self, dep }: {
    devShells.x86_64-linux.default = derivation {
      name = "app-shell";
      system = "x86_64-linux";
      builder = "/bin/bash";
      args = [ "-c" "echo declare -x out=$out > $out" ];
      outputs = [ "out" ];
      GREETING = dep.lib.greeting;
    };
  };
}
`,
    );
    await runNixTool(nixTool('nix'), ['flake', 'lock'], userEnvironment(), app);
    const entry = await captureAndStore(flakeSpec(app), await testContext());
    assert.deepEqual(
      entry.inputs.map((input) => input.path).sort(),
      ['flake.lock', 'flake.nix'].map((file) => path.join(app, file)),
    );
    assert.equal(appliedEnvironment(userEnvironment(), entry)['GREETING'], 'hello');
  });
});

describe("a flake nix's evaluation cache answers for", function () {
  this.timeout(120_000);

  /** What each capture of the same checkout, in a cache of its own, found. */
  async function captureIn(
    flake: FixtureCopy,
    machineDir?: string,
  ): Promise<{ inputs: string[]; log: string[]; context: TestContext }> {
    const context = await testContext();
    const withMachine = machineDir ? { ...context, machineDir } : context;
    const entry = await captureAndStore(flakeSpec(flake.dir), withMachine);
    return {
      inputs: entry.inputs.map((input) => input.path).sort(),
      log: context.logger.lines.filter((line) => line.includes('evaluation cache')),
      context: withMachine,
    };
  }

  it('keeps the inputs exact: remembered from the evaluation, or learnt by evaluating', async () => {
    const flake = await lockedCheckout();
    const expected = [
      ...(await libInputs(flake)),
      ...['flake.lock', 'flake.nix', 'nix/tools.nix'].map((file) => path.join(flake.dir, file)),
    ].sort();
    const machineDir = await scratchDir('nixshell-machine-');
    const recalledLine =
      "info: nix's evaluation cache answered; the inputs are those remembered from its evaluation";
    // Each capture, in a cache of environments of its own, has the evaluation's inputs: nix
    // evaluates, or answers from its cache (filled by this capture or an earlier test's) and
    // the inputs are learnt by evaluating again, then remembered for the next answer.
    let answered: Awaited<ReturnType<typeof captureIn>> | undefined;
    for (let attempt = 0; attempt < 3 && !answered; attempt++) {
      const capture = await captureIn(flake, machineDir);
      assert.deepEqual(capture.inputs, expected);
      if (capture.log.includes(recalledLine)) answered = capture;
    }
    assert.ok(answered, "nix's evaluation cache never answered with remembered inputs");
    assert.deepEqual(answered.log, [recalledLine]);
    // Remembered inputs are checked as any others: an edit makes the environment stale.
    const spec = flakeSpec(flake.dir);
    assert.deepEqual((await lookup(spec, answered.context)).freshness, { fresh: true });
    const tools = path.join(flake.dir, 'nix/tools.nix');
    await writeFile(tools, `${await readFile(tools, 'utf8')}\n# edited\n`);
    assert.match(staleReason((await lookup(spec, answered.context)).freshness), /tools\.nix/);
    await git(flake.top, 'checkout', '--quiet', '--', '.');

    // With nothing remembered (another machine's cache, or a wiped one), it evaluates again.
    const forgotten = await captureIn(flake, await scratchDir('nixshell-machine-'));
    assert.deepEqual(forgotten.inputs, expected);
    assert.deepEqual(forgotten.log, [
      "info: nix's evaluation cache answered; evaluating again to learn the inputs",
    ]);
  });
});

describe('a flake whose flake.nix git does not track', function () {
  this.timeout(60_000);

  it('is an untracked-file error naming flake.nix', async () => {
    const flake = await copyFixture(fixture, { git: true });
    await git(flake.top, 'rm', '--cached', '--quiet', path.join(flake.dir, 'flake.nix'));
    await git(flake.top, 'commit', '--quiet', '-m', 'untrack flake.nix');
    await assert.rejects(captureAndStore(flakeSpec(flake.dir), await testContext()), {
      kind: 'untracked-file',
      message: /^flake-two-shells\/flake\.nix is not tracked by git/,
    });
  });
});

describe('listing devShells', function () {
  this.timeout(60_000);

  it("lists the shells of the system nix reports, not of Node's platform", async () => {
    // A nix configured for another system (as an arm64 nix under an Intel editor on Rosetta).
    const dir = await scratchDir();
    await writeFile(
      path.join(dir, 'flake.nix'),
      '{ outputs = _: { devShells.aarch64-linux.arm = { }; devShells.x86_64-linux.intel = { }; }; }\n',
    );
    const env = userEnvironment({ NIX_CONFIG: `${testNixConfig()}\nsystem = aarch64-linux` });
    const nix = await locateNix(testNixBin, undefined);
    assert.deepEqual(await listDevShells(nix, dir, env), ['arm']);
    assert.deepEqual(await listDevShells(nix, dir, userEnvironment()), ['intel']);
  });
});

describe('a flake checked out without flake.lock', function () {
  this.timeout(60_000);

  it('writes the lock on the first capture, and the result is fresh at once', async () => {
    const flake = await copyFixture(fixture, { git: true });
    const context = await testContext();
    const spec = flakeSpec(flake.dir);
    await captureAndStore(spec, context);
    await stat(path.join(flake.dir, 'flake.lock'));
    // nix stages the lock it wrote; the capture must not count its own write as an edit.
    assert.match(
      await git(flake.top, 'status', '--porcelain'),
      /^ A flake-two-shells\/flake\.lock$/m,
    );
    assert.deepEqual((await lookup(spec, context)).freshness, { fresh: true });
  });

  it('still records the tracked imports of that first capture', async () => {
    const flake = await copyFixture(fixture, { git: true });
    const context = await testContext();
    const entry = await captureAndStore(flakeSpec(flake.dir), context);
    assert.deepEqual(
      entry.inputs.map((input) => input.path).sort(),
      [
        ...(await libInputs(flake)),
        ...['flake.lock', 'flake.nix', 'nix/tools.nix'].map((file) => path.join(flake.dir, file)),
      ].sort(),
    );
  });
});
