// The fixtures' stand-in for nixpkgs' stdenv (test/fixtures/_lib) under real nix-shell: it must
// behave as nixpkgs' generic setup does wherever a development shell can tell, or the fixtures
// would hide differences between the engine and nix-shell. Each fixture's shell.nix notes what
// nix-shell gives it; these tests hold the stand-in to that.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { userEnvironment, userPath } from '../support/engineHarness';
import { listAttribute, stdenvToolDirs } from '../support/expectations';
import { fixtureFile } from '../support/fixtures';
import { fileDerivationEnv, nixShellEnvironment, runNixTool } from '../support/nixTools';
import { nixTool } from '../support/nixEnv';
import { sharedHome } from '../support/scratch';

/** The stdout of `nix-shell FILE --run COMMAND`, started in the file's folder with `env`. */
function nixShellRun(
  file: string,
  command: string,
  env: Record<string, string> = userEnvironment(),
): Promise<string> {
  return runNixTool(
    nixTool('nix-shell'),
    [file, '--run', command],
    { ...env, NIX_BUILD_SHELL: '/bin/bash' },
    path.dirname(file),
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The one store path in a list attribute whose name ends with `suffix`. */
function input(drv: Record<string, string>, kind: string, suffix: string): string {
  const found = listAttribute(drv, kind).filter((p) => p.endsWith(suffix));
  assert.equal(found.length, 1, `one ${suffix} in ${kind}: ${drv[kind]}`);
  return found[0] ?? '';
}

describe('the stand-in stdenv under real nix-shell', function () {
  this.timeout(60_000);

  it('defines the functions of nixpkgs setup, and genericBuild runs the phases', async () => {
    const functions = [
      'genericBuild',
      'runPhase',
      'showPhaseHeader',
      'unpackPhase',
      'patchPhase',
      'configurePhase',
      'buildPhase',
      'checkPhase',
      'installPhase',
      'fixupPhase',
      'runHook',
      'runOneHook',
      'addEnvHooks',
      'findInputs',
      'activatePackage',
      '_addToEnv',
      'addToSearchPath',
      'addToSearchPathWithCustomDelimiter',
      'prependToVar',
      'appendToVar',
      'concatTo',
      'stripHash',
      'substitute',
      'substituteInPlace',
      'substituteAll',
      'isELF',
      'isScript',
      'patchShebangs',
    ];
    const types = await nixShellRun(
      fixtureFile('stdenv-basic'),
      `for f in ${functions.join(' ')}; do echo "$f $(type -t "$f")"; done`,
    );
    assert.deepEqual(
      types.trim().split('\n'),
      functions.map((name) => `${name} function`),
    );
    // nix-shell builds the inputs of search-path-order with genericBuild's phases:
    // installPhase writes the files, fixupPhase records libfoo's propagated libbar.
    await nixShellRun(fixtureFile('search-path-order'), 'true');
    const drv = await fileDerivationEnv(fixtureFile('search-path-order'), userEnvironment());
    const libfoo = input(drv, 'buildInputs', '-libfoo-1.0');
    assert.ok(existsSync(path.join(libfoo, 'lib/pkgconfig/foo.pc')));
    assert.match(
      readFileSync(path.join(libfoo, 'nix-support/propagated-build-inputs'), 'utf8'),
      /^\/nix\/store\/[0-9a-z]{32}-libbar-2\.1 $/,
    );
  });

  it('runs a hook, its hook array and string hooks in order, inside functions', async () => {
    const output = await nixShellRun(
      fixtureFile('stdenv-basic'),
      [
        // As in nixpkgs, only the registered hooks get the arguments: the hook's own function
        // and string hooks do not.
        'preDemoHook() { local inner=1; echo "implicit ${1-without arguments}"; return 0; echo unreachable; }',
        'registered() { echo "registered $1"; }',
        "preDemoHooks=(registered 'echo string')",
        'runHook preDemoHook arg',
        'echo "inner=${inner-unset}"',
        'missingHook=; runOneHook missingHook || echo "runOneHook: none succeeded"',
        'firstFails() { return 1; }; secondWorks() { echo "second $1"; }',
        'pickHooks=(firstFails secondWorks); runOneHook pickHook x && echo "runOneHook: one succeeded"',
      ].join('\n'),
    );
    assert.deepEqual(output.trim().split('\n'), [
      'implicit without arguments',
      'registered arg',
      'string',
      'inner=unset',
      'runOneHook: none succeeded',
      'second x',
      'runOneHook: one succeeded',
    ]);
  });

  it('assigns the outputs of a multiple-output derivation as nixpkgs does', async () => {
    const output = await nixShellRun(
      fixtureFile('structured-attrs'),
      'echo "$outputDev $outputBin $outputLib"; [ "$prefix" = "$out" ] && echo "prefix is out"',
    );
    assert.deepEqual(output.trim().split('\n'), ['dev out out', 'prefix is out']);
  });

  it('gives a setup hook the project folder as PWD and the user HOME', async () => {
    const file = fixtureFile('setup-hook-pwd');
    const { env } = await nixShellEnvironment(file, userEnvironment());
    assert.equal(env['HOOK_SAW_PWD'], path.dirname(file));
    assert.equal(env['HOOK_SAW_HOME'], sharedHome);
    assert.equal(env['PROJECT_CACHE'], path.join(sharedHome, '.cache/setup-hook-pwd'));
  });

  it('appends nix directories after the user search paths, and the hook PATH last', async () => {
    const file = fixtureFile('search-path-order');
    const user = {
      PKG_CONFIG_PATH: '/home/user/lib/pkgconfig',
      PYTHONPATH: '/home/user/lib/python',
      XDG_DATA_DIRS: '/usr/local/share:/usr/share',
    };
    const { env, buildShellDir } = await nixShellEnvironment(file, userEnvironment(user));
    const drv = await fileDerivationEnv(file, userEnvironment());
    const libfoo = input(drv, 'buildInputs', '-libfoo-1.0');
    const requests = input(drv, 'buildInputs', '-python3.11-requests-2.31.0');
    const libbar = readFileSync(path.join(libfoo, 'nix-support/propagated-build-inputs'), 'utf8')
      .trim()
      .split(' ')[0];
    assert.equal(
      env['PKG_CONFIG_PATH'],
      `${user.PKG_CONFIG_PATH}:${libfoo}/lib/pkgconfig:${libbar}/lib/pkgconfig`,
    );
    assert.equal(env['PYTHONPATH'], `${user.PYTHONPATH}:${requests}/lib/python3.11/site-packages`);
    assert.equal(env['XDG_DATA_DIRS'], `${user.XDG_DATA_DIRS}:${libfoo}/share`);
    // nix-shell: its bash, then setup's PATH (the propagated libbar's tools, the stdenv's),
    // then the user's; the hook appended the project's scripts after all of that.
    assert.equal(
      env['PATH'],
      [
        buildShellDir,
        `${libbar}/bin`,
        ...stdenvToolDirs(drv),
        userPath,
        path.join(path.dirname(file), 'scripts'),
      ].join(':'),
    );

    // Without user values, only nix's part: no empty entry in front.
    const bare = (await nixShellEnvironment(file, userEnvironment())).env;
    assert.equal(bare['PKG_CONFIG_PATH'], `${libfoo}/lib/pkgconfig:${libbar}/lib/pkgconfig`);
    assert.equal(bare['XDG_DATA_DIRS'], `${libfoo}/share`);
  });

  it('puts build-time inputs data before the user XDG_DATA_DIRS, and exports it empty', async () => {
    // nixpkgs' setup itself (not a hook) prepends each build-time input's share/, for shell
    // completions, and exports XDG_DATA_DIRS even when that leaves it empty.
    const file = fixtureFile('xdg-data-dirs');
    const drv = await fileDerivationEnv(file, userEnvironment());
    const themes = input(drv, 'nativeBuildInputs', '-themes');
    const withUser = userEnvironment({ XDG_DATA_DIRS: '/opt/share' });
    assert.equal(
      (await nixShellEnvironment(file, withUser)).env['XDG_DATA_DIRS'],
      `${themes}/share:/opt/share`,
    );
    assert.equal(
      (await nixShellEnvironment(file, userEnvironment())).env['XDG_DATA_DIRS'],
      `${themes}/share`,
    );
    const basic = await nixShellEnvironment(fixtureFile('stdenv-basic'), userEnvironment());
    assert.equal(basic.env['XDG_DATA_DIRS'], '');
  });

  it('lets a shellHook use local and return early', async () => {
    const { env } = await nixShellEnvironment(fixtureFile('hook-return'), userEnvironment());
    assert.equal(env['DATABASE_URL'], 'postgres://localhost/dev');
    assert.equal(env['SECRET_KEY'], 'not-a-real-secret');
    assert.equal(env['ENV_SOURCE'], '.env');
    assert.equal(env['DATABASE_URL_DEFAULTED'], undefined, 'the hook ran past its return');
    const local = await nixShellRun(fixtureFile('hook-return'), 'echo "${envFile-unset}"');
    assert.equal(local.trim(), 'unset');
  });

  it('passes a passAsFile attribute as a file the shellHook reads', async () => {
    const { env } = await nixShellEnvironment(fixtureFile('pass-as-file-hook'), userEnvironment());
    assert.equal(env['config'], undefined);
    assert.match(
      env['configPath'] ?? '',
      new RegExp(
        `^${escapeRegExp(userEnvironment()['TMPDIR'] ?? '')}/nix-shell-[0-9]+-[0-9]+/\\.attr-0$`,
      ),
    );
    // setup's EXIT trap replaces nix-shell's, which registered its clean-up in exitHooks.
    assert.equal(existsSync(env['configPath'] ?? ''), false, 'nix-shell left the file behind');
    assert.equal(env['APP_PORT'], '8080');
    assert.equal(env['APP_HOST'], 'localhost');
    assert.equal(env['CONFIG_LINES'], '3');
  });

  it('gives a shellHook structured attributes as bash arrays', async () => {
    const file = fixtureFile('structured-attrs-hook');
    const { env } = await nixShellEnvironment(file, userEnvironment());
    assert.equal(env['PORT_COUNT'], '2');
    assert.equal(env['FIRST_PORT'], '8080');
    assert.equal(env['DB_SERVICE'], 'postgres');
    assert.equal(env['ATTRS_JSON_SEEN'], 'yes');
    assert.equal(env['API_URL'], 'http://localhost:8080', 'setup exports the `env` attribute');
    // nix 2.8 exports the JSON too, and the attributes themselves stay shell variables.
    const json = JSON.parse(env['__json'] ?? '{}') as Record<string, unknown>;
    assert.equal(json['STRUCTURED_NAME'], 'api');
    assert.equal(env['STRUCTURED_NAME'], undefined);
    assert.match(env['NIX_ATTRS_SH_FILE'] ?? '', /\/nix-shell-[0-9]+-[0-9]+\/\.attrs\.sh$/);
    // setup exports the outputs from `outputs`, where nix-shell 2.8 put placeholders.
    assert.match(env['out'] ?? '', /^\/[0-9a-z]{52}$/);
  });

  it('derives -frandom-seed in NIX_CFLAGS_COMPILE from the shell output path', async () => {
    const file = fixtureFile('random-seed');
    const { env } = await nixShellEnvironment(file, userEnvironment());
    const drv = await fileDerivationEnv(file, userEnvironment());
    assert.equal(env['out'], drv['out']);
    const seed = createHash('sha256')
      .update(drv['out'] ?? '')
      .digest('hex')
      .slice(0, 10);
    assert.equal(env['NIX_CFLAGS_COMPILE'], `-O2 -frandom-seed=${seed}`);
    assert.equal(env['SEED_FLAG'], `-frandom-seed=${seed}`);
    // Like nixpkgs, every stdenv shell links against its own output's lib/ too.
    assert.equal(env['NIX_LDFLAGS'], `-rpath ${drv['out']}/lib `);
  });

  it('keeps the functions and aliases a shellHook defines in the shell', async () => {
    const file = fixtureFile('functions-aliases');
    const output = await nixShellRun(
      file,
      'for f in build serve check; do echo "$f $(type -t "$f")"; done; alias',
    );
    assert.deepEqual(output.trim().split('\n'), [
      'build function',
      'serve function',
      'check function',
      "alias ll='ls -l'",
    ]);
    // Child processes see only the exported function.
    const { env } = await nixShellEnvironment(file, userEnvironment());
    assert.match(env['BASH_FUNC_build%%'] ?? '', /make -C "\$PWD" "\$@"/);
    assert.equal(env['BASH_FUNC_serve%%'], undefined);
    assert.equal(env['PROJECT_COMMANDS'], 'build serve check');
  });
});
