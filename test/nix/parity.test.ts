// Every fixture against the ground truth, through the CLI: the environment, functions and aliases
// `nixshell env` gives equal what `nix-shell FILE` gives (Nix files) or `nix develop` (flakes),
// both started from the same user environment, less what belongs to the session.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { userEnvironment } from '../support/engineHarness';
import { assertSameEnvironment } from '../support/expectations';
import { copyFixture } from '../support/fixtures';
import { runCli } from '../support/cliRunner';
import { fixturesDir, nixTool } from '../support/nixEnv';
import {
  nixDevelopEnvironment,
  nixShellEnvironment,
  runNixTool,
  type ShellGroundTruth,
} from '../support/nixTools';
import { scratchDir } from '../support/scratch';

/** Fixtures no shell can be entered from, with why; each has tests of its own elsewhere. */
const cannotEnter: Record<string, string> = {
  'hook-loop': 'its shellHook never returns (capture.test.ts: the hook timeout)',
  'slow-build': 'a dependency builds for a minute (session.test.ts: cancel)',
  'busy-capture':
    'a dependency is built anew on every evaluation, so no two shells agree (chaos.test.ts)',
  'cannot-build': 'its tools are for another platform and a missing feature (plan.test.ts)',
  'nixos-configs': 'system configurations, no devShell (configs.test.ts)',
  'flake-cache':
    'its tool needs the binary cache and build counter its test sets up (flakeConfig.test.ts)',
};

/**
 * What the comparison leaves out, because it is the shell session's and not the project's:
 * - PWD, OLDPWD, SHLVL, `_`: the state of the one shell nix started;
 * - SHELL, NIX_BUILD_SHELL: nix sets SHELL to the bash it runs; the user keeps theirs;
 * - TMP, TMPDIR, TEMP, TEMPDIR, NIX_BUILD_TOP: a temporary directory nix deletes on exit, and
 *   the files in it that `passAsFile` (`<name>Path`) and structured attributes
 *   (NIX_ATTRS_SH_FILE, NIX_ATTRS_JSON_FILE) name;
 * - NIX_GCROOT: nix develop's root for the session;
 * - in PATH, the directory of the bash nix-shell runs (put first); in PATH and XDG_DATA_DIRS,
 *   empty entries, which nix leaves when it joins an empty value to the user's (an empty PATH
 *   entry means the current directory; anchors-envcapture.md §5 drops them);
 * - names a shell cannot hold (`configure-flags`) and values that are not UTF-8: dropped, and
 *   said in the log (no editor API can carry them);
 * - PATH where nix-shell left it unexported (a derivation without a stdenv): its commands still
 *   search it, and terminals keep the user's PATH.
 * Output paths (`$out`, and nix-shell's unsubstituted `placeholder "out"`) are compared as
 * `<root>/outputs/<name>`, where the engine points them, as nix develop does.
 */
function comparable(
  truth: Record<string, string>,
  outputs: ReadonlyMap<string, string>,
  buildShellDir?: string,
): Record<string, string> {
  const session = new Set([
    ...['PWD', 'OLDPWD', 'SHLVL', '_', 'SHELL', 'NIX_BUILD_SHELL', 'NIX_GCROOT'],
    ...['TMP', 'TMPDIR', 'TEMP', 'TEMPDIR', 'NIX_BUILD_TOP'],
    ...['NIX_ATTRS_SH_FILE', 'NIX_ATTRS_JSON_FILE'],
    ...(truth['passAsFile'] ?? '').split(/\s+/).map((name) => `${name}Path`),
  ]);
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(truth)) {
    if (session.has(name) || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) continue;
    if (value.includes('\uFFFD')) continue;
    let local = value;
    for (const [from, to] of outputs) local = local.split(from).join(to);
    result[name] = local;
  }
  for (const name of ['PATH', 'XDG_DATA_DIRS']) {
    const value = result[name];
    if (value === undefined) continue;
    result[name] = value
      .split(':')
      .filter((entry) => entry !== '' && entry !== buildShellDir)
      .join(':');
  }
  return result;
}

/** Each output's store path and placeholder, mapped to `<root>/outputs/<name>`. */
async function outputPaths(
  truth: Record<string, string>,
  root: string,
  env: Record<string, string>,
): Promise<Map<string, string>> {
  const structured = truth['__json']
    ? ((JSON.parse(truth['__json']) as { outputs?: string[] }).outputs ?? [])
    : [];
  const names = new Set([...(truth['outputs'] ?? 'out').split(/\s+/), ...structured]);
  const map = new Map<string, string>();
  for (const name of names) {
    const local = path.join(root, 'outputs', name);
    const placeholder = await runNixTool(
      nixTool('nix-instantiate'),
      ['--eval', '--expr', `builtins.placeholder "${name}"`],
      env,
    );
    map.set(JSON.parse(placeholder) as string, local);
    const storePath = truth[name];
    if (storePath?.startsWith('/nix/store/')) map.set(storePath, local);
  }
  return map;
}

/** What `eval "$(nixshell env DIR --functions)"` defines in a bash that had `env`. */
async function cliShell(
  dir: string,
  env: Record<string, string>,
  extraArgs: readonly string[] = [],
): Promise<ShellGroundTruth> {
  const json = await runCli(['env', dir, '--json', ...extraArgs], env);
  assert.equal(json.exitCode, 0, json.stderr);
  const script = await runCli(['env', dir, '--functions', ...extraArgs], env);
  assert.equal(script.exitCode, 0, script.stderr);
  const scratch = await scratchDir('nixshell-parity-');
  await writeFile(path.join(scratch, 'rc'), script.stdout);
  const { stdout } = await execa(
    '/bin/bash',
    ['--noprofile', '--norc', '-c', `source '${scratch}/rc'; declare -F; alias -p`],
    { env, extendEnv: false },
  );
  return {
    env: JSON.parse(json.stdout) as Record<string, string>,
    functions: stdout
      .split('\n')
      .filter((line) => line.startsWith('declare -f'))
      .map((line) => line.replace(/^declare -fx? /, '')),
    aliases: [...stdout.matchAll(/^alias ([^=]+)=/gm)].map((match) => match[1] ?? ''),
  };
}

async function userEnv(): Promise<Record<string, string>> {
  return userEnvironment({
    NIXSHELL_CACHE_DIR: await scratchDir('nixshell-cli-cache-'),
    // Search paths the user already has: nixpkgs' hooks append to them.
    PYTHONPATH: '/home/user/lib/python',
    PKG_CONFIG_PATH: '/home/user/lib/pkgconfig',
    XDG_DATA_DIRS: '/usr/local/share:/usr/share',
    LANG: 'C.UTF-8',
  });
}

function assertSameShell(
  ours: ShellGroundTruth,
  truth: ShellGroundTruth,
  options: { outputs: ReadonlyMap<string, string>; buildShellDir?: string; aliases: boolean },
): void {
  const expected = comparable(truth.env, options.outputs, options.buildShellDir);
  const actual = comparable(ours.env, new Map(), options.buildShellDir);
  if (expected['PATH'] === undefined) delete actual['PATH'];
  assertSameEnvironment(actual, expected);
  assert.deepEqual([...ours.functions].sort(), [...truth.functions].sort(), 'functions');
  if (options.aliases) {
    assert.deepEqual([...ours.aliases].sort(), [...truth.aliases].sort(), 'aliases');
  }
}

/** A fixture of `cannotEnter` is listed in the report, with why, instead of compared. */
function listedAsNotCompared(name: string): boolean {
  const why = cannotEnter[name];
  if (why) {
    it(`${name}: not compared, ${why}`, () => {
      assert.ok(existsSync(path.join(fixturesDir, name)));
    });
  }
  return why !== undefined;
}

function fixtureKinds(): { files: string[]; flakes: string[] } {
  const names = readdirSync(fixturesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== '_lib')
    .map((entry) => entry.name)
    .sort();
  const has = (name: string, file: string) => existsSync(path.join(fixturesDir, name, file));
  return {
    files: names.filter((name) => has(name, 'shell.nix') || has(name, 'default.nix')),
    flakes: names.filter((name) => has(name, 'flake.nix')),
  };
}

describe('every fixture against nix-shell and nix develop', function () {
  this.timeout(90_000);
  const { files, flakes } = fixtureKinds();

  for (const name of files) {
    if (listedAsNotCompared(name)) continue;
    it(`${name}: the shell nix-shell gives`, async () => {
      const env = await userEnv();
      const dir = path.join(fixturesDir, name);
      const file = path.join(
        dir,
        existsSync(path.join(dir, 'shell.nix')) ? 'shell.nix' : 'default.nix',
      );
      const truth = await nixShellEnvironment(file, env).catch((error: unknown) =>
        error instanceof Error ? error : new Error(String(error)),
      );
      if (truth instanceof Error) {
        // Where nix-shell fails (a hook that exits, a value too large to pass), so must we.
        const ours = await runCli(['env', dir, '--json'], env);
        assert.notEqual(
          ours.exitCode,
          0,
          `nix-shell failed but nixshell did not:\n${truth.message}`,
        );
        return;
      }
      const ours = await cliShell(dir, env);
      assertSameShell(ours, truth, {
        outputs: await outputPaths(truth.env, dir, env),
        buildShellDir: truth.buildShellDir,
        aliases: true,
      });
    });
  }

  for (const name of flakes) {
    if (listedAsNotCompared(name)) continue;
    it(`${name}: every devShell, the shell nix develop gives`, async () => {
      const env = await userEnv();
      const { dir } = await copyFixture(name, { git: true });
      const shells = JSON.parse(
        await runNixTool(
          nixTool('nix'),
          ['eval', '--json', `${dir}#devShells.x86_64-linux`, '--apply', 'builtins.attrNames'],
          env,
        ),
      ) as string[];
      assert.ok(shells.length > 0, 'no devShells');
      for (const shell of shells) {
        const truth = await nixDevelopEnvironment(dir, shell, env);
        // nix develop 2.8 sets XDG_DATA_DIRS to the builder's value (empty here); later
        // versions append the user's, as for PATH, and so does the engine on every version.
        if (truth.env['XDG_DATA_DIRS'] === '') {
          truth.env['XDG_DATA_DIRS'] = env['XDG_DATA_DIRS'] ?? '';
        }
        const ours = await cliShell(dir, env, ['--dev-shell', shell]);
        // nix develop --command execs the command after its rc, so its aliases cannot be seen.
        assertSameShell(ours, truth, {
          outputs: await outputPaths(truth.env, dir, env),
          aliases: false,
        });
      }
    });
  }
});
