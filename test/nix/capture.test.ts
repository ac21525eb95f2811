// Captures of Nix files, through nix-shell itself, against real nix, checking the
// exact environment a new process gets (anchors-envcapture.md §6, cases 1–11, 14–16, 18, 20,
// 29, 30).
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { captureAndStore, lookup } from '../../src/core/engine';
import {
  fileSpec,
  nixBuilderVariables,
  testContext,
  userEnvironment,
  userPath,
  type TestContext,
} from '../support/engineHarness';
import {
  appliedEnvironment,
  assertSameEnvironment,
  expectedEnvironment,
  listAttribute,
  setupPath,
  stdenvToolDirs,
  stdenvVariables,
} from '../support/expectations';
import { copyFixture, fixtureFile } from '../support/fixtures';
import { fileDerivationEnv, processesMatching } from '../support/nixTools';
import { groupAlive } from '../support/processes';
import { scratchDir, sharedHome } from '../support/scratch';

/** Captures a fixture; returns the entry, the applied environment and the derivation's env. */
async function capture(name: string, context?: TestContext, file = fixtureFile(name)) {
  const ctx = context ?? (await testContext());
  const entry = await captureAndStore(fileSpec(file), ctx);
  return {
    entry,
    env: appliedEnvironment(ctx.base, entry),
    drv: await fileDerivationEnv(file, ctx.base),
    root: path.dirname(file),
    context: ctx,
  };
}

describe('capture of a Nix file through nix-shell', function () {
  this.timeout(60_000);

  it('gives a stdenv shell its variables and nix tools before the user PATH', async () => {
    const { entry, env, drv, root } = await capture('stdenv-basic');
    assert.equal(entry.method, 'nix-shell');
    // mkShell's packages are build-time inputs, as in nixpkgs.
    assert.match(drv['nativeBuildInputs'] ?? '', /^\/nix\/store\/[0-9a-z]{32}-greet$/);
    // HOME, TMPDIR, SHELL and TERM stay the user's: the builder's values never leak.
    assertSameEnvironment(
      env,
      expectedEnvironment(userEnvironment(), drv, root, {
        ...stdenvVariables(drv, root),
        PATH: `${drv['nativeBuildInputs']}/bin:${stdenvToolDirs(drv).join(':')}:${userPath}`,
      }),
    );
    assert.equal(env['FOO'], 'foo from nix');
    assert.deepEqual(entry.warnings, []);
  });

  it('sends shellHook output to the log and keeps it out of the environment', async () => {
    const { env, drv, root, context } = await capture('hook-output');
    assertSameEnvironment(
      env,
      expectedEnvironment(userEnvironment(), drv, root, { ...stdenvVariables(drv, root) }),
    );
    // stdout and stderr are two pipes: their lines keep their order within each, not across.
    const hookLines = context.logger.lines.filter((line) => line.includes('shellHook: '));
    assert.deepEqual(hookLines.sort(), [
      'info: shellHook: EVIL=1\0PATH=/nowhere\0',
      'info: shellHook: Welcome to the dev shell',
      'info: shellHook: warning: the database is not running',
    ]);
  });

  it('runs the hook in the project directory and ignores where it cd-s to', async () => {
    // A real user's shell has a PWD; it must stay theirs, whatever the hook's cd did.
    const base = userEnvironment({ PWD: '/home/user/elsewhere', OLDPWD: '/home/user' });
    const { env, drv, root } = await capture('hook-cd', await testContext({ base }));
    assertSameEnvironment(
      env,
      expectedEnvironment(base, drv, root, {
        ...stdenvVariables(drv, root),
        X: path.join(root, 'bin'),
      }),
    );
  });

  it('keeps a PATH the hook prepended to first, without duplicates', async () => {
    const { env, drv, root } = await capture('hook-path');
    const expectedPath = [path.join(root, 'bin'), setupPath(drv), userPath].join(':');
    assertSameEnvironment(
      env,
      expectedEnvironment(userEnvironment(), drv, root, {
        ...stdenvVariables(drv, root),
        PATH: expectedPath,
      }),
    );
    const entries = (env['PATH'] ?? '').split(':');
    assert.equal(new Set(entries).size, entries.length, `duplicates in ${env['PATH']}`);
  });

  it('lets the hook move an entry of the user PATH in front of nix tools', async () => {
    const cargoBin = path.join(sharedHome, '.cargo/bin');
    const base = userEnvironment({ PATH: `${userPath}:${cargoBin}` });
    const { env, drv, root } = await capture('hook-user-path', await testContext({ base }));
    // In nix-shell and nix develop the hook's PATH decides which `cargo` runs: the user's.
    const expectedPath = [cargoBin, setupPath(drv), userPath].join(':');
    assertSameEnvironment(
      env,
      expectedEnvironment(base, drv, root, { ...stdenvVariables(drv, root), PATH: expectedPath }),
    );
  });

  it('records a variable the hook unset as unset', async () => {
    const base = userEnvironment({ PYTHONPATH: '/home/user/lib/python' });
    const { entry, env, drv, root } = await capture('hook-unset', await testContext({ base }));
    assert.deepEqual(
      entry.mutations.filter((m) => m.name === 'PYTHONPATH'),
      [{ kind: 'unset', name: 'PYTHONPATH' }],
    );
    assertSameEnvironment(
      env,
      expectedEnvironment(base, drv, root, {
        ...stdenvVariables(drv, root),
        PYTHONPATH: undefined,
      }),
    );
  });

  it('does not wait for a background job the hook started', async () => {
    const context = await testContext();
    const started = Date.now();
    const { env, drv, root } = await capture('hook-background', context);
    const elapsed = Date.now() - started;
    // The hook's `sleep 4 &` holds the pipes for 4 s; the capture must end when bash exits.
    assert.ok(elapsed < 2000, `capture took ${elapsed} ms`);
    assertSameEnvironment(
      env,
      expectedEnvironment(userEnvironment(), drv, root, { ...stdenvVariables(drv, root) }),
    );
  });

  it('gives a hook that reads stdin an empty stdin instead of hanging', async () => {
    const { env, drv, root } = await capture('hook-read');
    assertSameEnvironment(
      env,
      expectedEnvironment(userEnvironment(), drv, root, {
        ...stdenvVariables(drv, root),
        ANSWER: 'none',
      }),
    );
  });

  it('fails with hook-failed when the hook exits, and stores nothing', async () => {
    const context = await testContext();
    const spec = fileSpec(fixtureFile('hook-exit'));
    await assert.rejects(captureAndStore(spec, context), { kind: 'hook-failed' });
    assert.equal((await lookup(spec, context)).entry, undefined);
    assert.ok(context.logger.lines.includes('info: shellHook: error: run ./configure first'));
  });

  it('keeps the last good environment when the hook starts exiting', async () => {
    const { dir } = await copyFixture('hook-exit');
    const file = path.join(dir, 'shell.nix');
    const failing = await readFile(file, 'utf8');
    await writeFile(file, failing.replace('exit 3', 'export CONFIGURED=yes'));
    const context = await testContext();
    const spec = fileSpec(file);
    const good = await captureAndStore(spec, context);
    await writeFile(file, failing);
    await assert.rejects(captureAndStore(spec, context), { kind: 'hook-failed' });
    const found = await lookup(spec, context);
    assert.deepEqual(found.entry, good);
    assert.equal(found.freshness.fresh, false);
  });

  it('stops a hook that never returns at the hook timeout, killing its processes', async () => {
    const context = await testContext({ hookTimeoutMs: 1500 });
    const spec = fileSpec(fixtureFile('hook-loop'));
    const groups = new Set<number>();
    const capturing = new AbortController();
    // nix-shell runs `bash /tmp/nix-shell-…/rc`; note its process group while it loops.
    const watch = (async () => {
      while (!capturing.signal.aborted) {
        // Only this process's own: another run of the suites may be capturing the same fixture.
        for (const p of await processesMatching(/nix-shell-[0-9-]+\/rc/)) {
          if (p.ppid === process.pid) groups.add(p.pgid);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const started = Date.now();
    await assert.rejects(captureAndStore(spec, context), { kind: 'hook-failed' });
    const elapsed = Date.now() - started;
    capturing.abort();
    await watch;
    assert.ok(elapsed < 6000, `gave up after ${elapsed} ms`);
    assert.ok(groups.size > 0, 'never saw the shell running');
    for (const pgid of groups) assert.equal(await groupAlive(pgid), false, `group ${pgid} alive`);
    assert.equal((await lookup(spec, context)).entry, undefined);
  });

  it('never interprets values that look like shell code or more variables', async () => {
    const marker = '/tmp/nixshell-injected';
    await rm(marker, { force: true });
    const { env, drv, root } = await capture('injection');
    assertSameEnvironment(
      env,
      expectedEnvironment(userEnvironment(), drv, root, { ...stdenvVariables(drv, root) }),
    );
    assert.equal(env['EVIL'], undefined);
    assert.equal(env['X'], undefined);
    await assert.rejects(stat(marker), { code: 'ENOENT' });
  });

  it('drops attributes whose names a shell cannot export', async () => {
    const { entry, env, drv, root } = await capture('invalid-name');
    assert.equal(entry.method, 'nix-shell');
    assertSameEnvironment(
      env,
      expectedEnvironment(userEnvironment(), drv, root, {
        ...stdenvVariables(drv, root),
        'foo-bar': undefined,
        'with.dot': undefined,
      }),
    );
  });

  it('leaves no passAsFile path pointing into the deleted build directory', async () => {
    const { env, drv, root } = await capture('pass-as-file');
    // nix passes `config` as a file only; `configPath` named a file in the build directory.
    assertSameEnvironment(
      env,
      expectedEnvironment(userEnvironment(), drv, root, {
        ...stdenvVariables(drv, root),
        config: undefined,
      }),
    );
    assert.equal(env['configPath'], undefined);
  });

  it('runs no shellHook for a derivation without a stdenv, as nix-shell does', async () => {
    // nix-shell runs the hook through setup.sh's runHook; without a stdenv there is none.
    const { entry, env, drv, root } = await capture('no-stdenv');
    assert.equal(entry.method, 'nix-shell');
    assertSameEnvironment(env, expectedEnvironment(userEnvironment(), drv, root, {}));
    assert.equal(env['HOOK_RAN'], undefined);
  });

  it('keeps the user SHELL when the derivation sets SHELL', async () => {
    const { env, drv, root } = await capture('nologin-shell');
    assert.equal(drv['SHELL'], '/usr/sbin/nologin');
    assertSameEnvironment(
      env,
      expectedEnvironment(userEnvironment(), drv, root, {
        ...stdenvVariables(drv, root),
        SHELL: '/usr/bin/fish',
      }),
    );
  });

  it('keeps the XDG defaults after nix data dirs when the user has no XDG_DATA_DIRS', async () => {
    const { env, drv, root } = await capture('xdg-data-dirs');
    const themes = drv['nativeBuildInputs'] ?? '';
    assertSameEnvironment(
      env,
      expectedEnvironment(userEnvironment(), drv, root, {
        ...stdenvVariables(drv, root),
        PATH: `${themes}/bin:${stdenvToolDirs(drv).join(':')}:${userPath}`,
        XDG_DATA_DIRS: `${themes}/share:/usr/local/share:/usr/share`,
      }),
    );
  });

  it("puts build inputs' data dirs before the user's XDG_DATA_DIRS, as nixpkgs' setup does", async () => {
    const base = userEnvironment({ XDG_DATA_DIRS: '/opt/share' });
    const { env, drv } = await capture('xdg-data-dirs', await testContext({ base }));
    assert.equal(env['XDG_DATA_DIRS'], `${drv['nativeBuildInputs']}/share:/opt/share`);
  });

  it('evaluates with inNixShell = true and IN_NIX_SHELL set, as nix-shell does', async () => {
    const { env, drv, root } = await capture('in-nix-shell');
    assertSameEnvironment(
      env,
      expectedEnvironment(userEnvironment(), drv, root, {
        ...stdenvVariables(drv, root),
        ARG_IN_NIX_SHELL: 'true',
        LIB_IN_NIX_SHELL: 'true',
        IN_NIX_SHELL_SEEN: 'impure',
      }),
    );
  });

  it('points every mention of an output at <root>/outputs, as nix develop does', async () => {
    const { env, drv, root } = await capture('placeholder-out');
    // nix develop rewrites the output paths wherever they occur, not only in `out`.
    assertSameEnvironment(
      env,
      expectedEnvironment(userEnvironment(), drv, root, {
        ...stdenvVariables(drv, root),
        makeFlags: `PREFIX=${root}/outputs/out`,
        INSTALL_DIR: `${root}/outputs/out/share/app`,
      }),
    );
  });

  it('captures __structuredAttrs with every output under <root>/outputs', async () => {
    const { entry, env, drv, root } = await capture('structured-attrs');
    assert.equal(entry.method, 'nix-shell');
    const [migrate] = listAttribute(drv, 'nativeBuildInputs');
    assert.match(migrate ?? '', /^\/nix\/store\/[0-9a-z]{32}-migrate$/);
    // With structured attributes nix exports no attribute; the stdenv turns them into shell
    // variables (STRUCTURED stays one, as in `nix develop`) and exports the outputs. What the
    // hook saw is checked by the next test.
    const { HOOK_SAW_DEV: hookSawDev, ...rest } = env;
    assert.notEqual(hookSawDev, undefined);
    assertSameEnvironment(rest, {
      ...userEnvironment(),
      ...nixBuilderVariables(),
      ...stdenvVariables(drv, root),
      out: path.join(root, 'outputs/out'),
      dev: path.join(root, 'outputs/dev'),
      // nix-shell 2.8 exports the attributes as JSON; the files it names are the session's.
      __json: drv['__json'] ?? '',
    });
    assert.deepEqual(
      Object.keys(env).filter((name) => name.startsWith('NIX_ATTRS_')),
      [],
    );
  });

  it('runs the shellHook with the outputs the environment ends up with', async () => {
    // nix-shell 2.8 gives the hook output placeholders, which become <root>/outputs like every
    // other mention of an output; a hook deriving paths from $dev must agree with $dev.
    const { env, root } = await capture('structured-attrs');
    assert.equal(env['dev'], path.join(root, 'outputs/dev'));
    assert.equal(env['HOOK_SAW_DEV'], env['dev']);
  });

  /**
   * Captures stdenv-basic with a stand-in `tool` (a script) first on the user's PATH, and checks
   * the environment is exactly the one without it.
   */
  async function assertUnaffectedBy(tool: string, script: string): Promise<void> {
    const bin = path.join(await scratchDir('nixshell-stand-in-'), 'bin');
    await mkdir(bin);
    await writeFile(path.join(bin, tool), script, { mode: 0o755 });
    const base = userEnvironment({ PATH: `${bin}:${userPath}` });
    const { env, drv, root } = await capture('stdenv-basic', await testContext({ base }));
    assertSameEnvironment(
      env,
      expectedEnvironment(base, drv, root, {
        ...stdenvVariables(drv, root, `${bin}:${userPath}`),
      }),
    );
  }

  it('needs no `env` that knows -0: the shell dumps itself with bash builtins', async () => {
    // Older macOS has an `env` without -0; an empty dump once unset every variable.
    await assertUnaffectedBy('env', '#!/bin/sh\necho "env: illegal option -- 0" >&2\nexit 1\n');
  });

  it("runs the shell in the environment's own bash, not a bash 3.2 first on PATH", async () => {
    // macOS's /bin/bash is 3.2, which nixpkgs' setup refuses; nix-shell runs bashInteractive.
    await assertUnaffectedBy(
      'bash',
      '#!/bin/sh\necho "GNU bash, version 3.2.57(1)-release" >&2\nexit 2\n',
    );
  });

  it('refuses a variable over 128 KiB with too-large and applies nothing', async () => {
    const context = await testContext();
    const spec = fileSpec(fixtureFile('too-large'));
    await assert.rejects(captureAndStore(spec, context), { kind: 'too-large' });
    const found = await lookup(spec, context);
    assert.equal(found.entry, undefined);
  });
});

describe('hard values', function () {
  this.timeout(60_000);

  it('come back byte for byte, each exactly as nix passed it to the builder', async () => {
    const { entry, env, drv } = await capture('hard-values');
    assert.equal(entry.method, 'nix-shell');
    const names = [
      'MULTILINE',
      'QUOTES',
      'DOLLAR',
      'BACKTICKS',
      'BACKSLASH',
      'TAB',
      'UNICODE',
      'EQUALS',
      'EMPTY',
      'SPACES',
      'TRAILING_NEWLINE',
    ];
    // The fixture's values, spelled out independently of nix.
    assert.equal(drv['TAB'], 'a\tb');
    assert.equal(drv['UNICODE'], 'é✓ 日本 🚀');
    assert.equal(drv['EQUALS'], 'a=b=c');
    assert.equal(drv['EMPTY'], '');
    assert.equal(drv['BACKSLASH'], 'C:\\new\\table \\\\ \\');
    assert.equal(drv['MULTILINE'], 'first line\n  indented second line\n\nafter a blank line');
    for (const name of names) {
      const expected = Buffer.from(drv[name] ?? '<missing from the derivation>', 'utf8');
      const actual = env[name] === undefined ? undefined : Buffer.from(env[name], 'utf8');
      assert.deepEqual(actual, expected, `${name} differs`);
    }
  });
});
