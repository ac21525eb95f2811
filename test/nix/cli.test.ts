// The CLI (dist/cli.cjs, bundled by the root hook in setup.test.ts) against real nix: its
// environment equals nix-shell's own, and a second run on an unchanged project starts no nix.
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { userEnvironment, userPath } from '../support/engineHarness';
import { assertSameEnvironment } from '../support/expectations';
import { copyFixture, fixtureFile } from '../support/fixtures';
import { cliPath, runCli } from '../support/cliRunner';
import { groupAlive } from '../support/processes';
import { createNixShim } from '../support/nixShim';
import {
  evaluations,
  nixShellEnvironment,
  parseEnvZero,
  processesMatching,
  waitFor,
  type NixShellDump,
} from '../support/nixTools';
import { repoRoot } from '../support/nixEnv';
import { scratchDir } from '../support/scratch';

/**
 * What is compared between `nixshell env --json` and `nix-shell --run 'env -0'`, both started
 * with the same environment. Left out, because they are the shell session's or nix-shell's own,
 * not the project's:
 * - PWD, OLDPWD, SHLVL, `_`: state of the shell nix-shell started;
 * - SHELL, NIX_BUILD_SHELL: nix-shell sets SHELL to the bash it runs; the user keeps theirs;
 * - TMP, TMPDIR, TEMP, TEMPDIR, NIX_BUILD_TOP: nix-shell points them at a temporary
 *   directory it deletes on exit;
 * - output variables (`out`, … as listed in `outputs`): nix-shell gives unbuilt store paths,
 *   the engine `<root>/outputs/<name>`, like `nix develop`; and so, in other values, the
 *   output paths nix-shell's setup wrote (NIX_LDFLAGS's `-rpath $out/lib`) are compared as
 *   `<root>/outputs/<name>`;
 * - in PATH, the directory of NIX_BUILD_SHELL, which nix-shell puts first (a directory of its
 *   own here, so it is found wherever the shellHook moved it), and empty entries, which
 *   nix-shell leaves when it joins an empty nix PATH to the user's (an empty entry means the
 *   current directory; anchors-envcapture.md §5 drops them);
 * - an empty XDG_DATA_DIRS: nixpkgs' setup exports it even when no build-time input has a
 *   `share/` (the stand-in stdenv too); the XDG spec reads empty as unset, and the engine leaves
 *   it unset.
 * Everything else must be equal byte for byte, the rest of PATH and multi-line values included.
 */
function comparable(
  env: Record<string, string>,
  root: string,
  buildShellDir?: string,
): Record<string, string> {
  const session = ['PWD', 'OLDPWD', 'SHLVL', '_', 'SHELL', 'NIX_BUILD_SHELL'];
  const temp = ['TMP', 'TMPDIR', 'TEMP', 'TEMPDIR', 'NIX_BUILD_TOP'];
  const outputs = (env['outputs'] ?? 'out').split(' ');
  const outputPaths = outputs
    .map((name) => [env[name] ?? '', path.join(root, 'outputs', name)] as const)
    .filter(([storePath]) => storePath.startsWith('/nix/store/'));
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if ([...session, ...temp, ...outputs].includes(name)) continue;
    result[name] = outputPaths.reduce((text, [from, to]) => text.replaceAll(from, to), value);
  }
  if (result['XDG_DATA_DIRS'] === '') delete result['XDG_DATA_DIRS'];
  if (result['PATH'] !== undefined) {
    result['PATH'] = result['PATH']
      .split(':')
      .filter((entry) => entry !== '' && entry !== buildShellDir)
      .join(':');
  }
  return result;
}

async function cliEnvironment(dir: string, env: Record<string, string>) {
  const result = await runCli(['env', dir, '--json'], env);
  assert.equal(result.exitCode, 0, result.stderr);
  return JSON.parse(result.stdout) as Record<string, string>;
}

describe('the CLI against real nix', function () {
  this.timeout(60_000);

  // Fixtures whose environment nix-shell and the engine must agree on. Not here, because the
  // engine differs from nix-shell on purpose (and tests that elsewhere): dashed names
  // (invalid-name, sh-builder), passAsFile paths (pass-as-file, no-outputs), a hook without a
  // stdenv (no-stdenv), non-UTF-8 values, XDG defaults, and the user's SHELL.
  const parityFixtures = [
    'stdenv-basic',
    'hook-cd',
    'hook-path',
    'hook-unset',
    'hook-output',
    'hard-values',
    'injection',
    'control-bytes',
    'in-nix-shell',
    'imports',
  ];

  for (const name of parityFixtures) {
    it(`gives ${name} the environment nix-shell gives it`, async () => {
      const cache = await scratchDir('nixshell-cli-cache-');
      const env = userEnvironment({
        NIXSHELL_CACHE_DIR: cache,
        PYTHONPATH: '/home/user/lib/python',
        LANG: 'C.UTF-8',
      });
      const file = fixtureFile(name);
      const ours = await cliEnvironment(path.dirname(file), env);
      const theirs: NixShellDump = await nixShellEnvironment(file, env);
      const root = path.dirname(file);
      assertSameEnvironment(
        comparable(ours, root),
        comparable(theirs.env, root, theirs.buildShellDir),
      );
    });
  }

  for (const name of ['hard-values', 'hook-unset', 'control-bytes']) {
    it(`prints export lines for ${name} that recreate its JSON environment in bash`, async () => {
      const env = userEnvironment({
        NIXSHELL_CACHE_DIR: await scratchDir('nixshell-cli-cache-'),
        PYTHONPATH: '/home/user/lib/python',
      });
      const dir = path.dirname(fixtureFile(name));
      const json = await cliEnvironment(dir, env);
      const exports = await runCli(['env', dir], env);
      assert.equal(exports.exitCode, 0, exports.stderr);
      // `eval "$(nixshell env DIR)"` in the user's shell, then what a child process sees.
      const scratch = await scratchDir('nixshell-cli-eval-');
      const script = path.join(scratch, 'exports.sh');
      const dump = path.join(scratch, 'env');
      await writeFile(script, exports.stdout);
      await execa(
        '/bin/bash',
        ['--noprofile', '--norc', '-c', `source '${script}'; env -0 > '${dump}'`],
        {
          env,
          extendEnv: false,
        },
      );
      const session = ['PWD', 'SHLVL', '_'];
      const evaluated = parseEnvZero(await readFile(dump));
      for (const name of session) delete evaluated[name];
      assertSameEnvironment(evaluated, json);
    });
  }

  it('reports the cache state with status --json', async () => {
    const { dir } = await copyFixture('stdenv-basic');
    const env = userEnvironment({ NIXSHELL_CACHE_DIR: await scratchDir('nixshell-cli-cache-') });
    const status = async () => {
      const result = await runCli(['status', dir, '--json'], env);
      assert.equal(result.exitCode, 0, result.stderr);
      return JSON.parse(result.stdout) as Record<string, unknown>;
    };
    assert.equal((await status())['cache'], 'missing');
    await cliEnvironment(dir, env);
    const fresh = await status();
    assert.equal(fresh['cache'], 'fresh');
    assert.equal(fresh['method'], 'nix-shell');
    assert.equal(fresh['file'], path.join(dir, 'shell.nix'));
    const file = path.join(dir, 'shell.nix');
    await writeFile(file, (await readFile(file, 'utf8')).replace('foo from nix', 'foo edited'));
    const stale = await status();
    assert.equal(stale['cache'], 'stale');
    assert.match(String(stale['reason']), /shell\.nix/);
  });

  it('starts no nix process on the second run over an unchanged project', async () => {
    const shim = await createNixShim(await scratchDir('nixshell-shim-'));
    const { dir } = await copyFixture('stdenv-basic');
    const env = userEnvironment({
      PATH: `${shim.dir}:${userPath}`,
      NIXSHELL_CACHE_DIR: await scratchDir('nixshell-cli-cache-'),
    });
    const first = await cliEnvironment(dir, env);
    const afterFirst = await shim.calls();
    assert.equal(evaluations(afterFirst).length, 1, afterFirst.join('\n'));
    const second = await cliEnvironment(dir, env);
    assert.deepEqual(await shim.calls(), afterFirst, 'the second run started nix');
    assert.deepEqual(second, first);
    assert.equal(first['FOO'], 'foo from nix');
  });

  it('asks nix its version once for the machine, whatever --cache-dir each run names', async () => {
    const shim = await createNixShim(await scratchDir('nixshell-shim-'));
    const home = await scratchDir('nixshell-cli-home-');
    const env = userEnvironment({ PATH: `${shim.dir}:${userPath}`, NIXSHELL_CACHE_DIR: home });
    const versionAsked = async () =>
      (await shim.calls()).filter((call) => call.endsWith(' --version')).length;
    for (const name of ['stdenv-basic', 'hook-path']) {
      const { dir } = await copyFixture(name);
      const cacheDir = await scratchDir('nixshell-cli-envs-');
      const result = await runCli(['env', dir, '--json', '--cache-dir', cacheDir], env);
      assert.equal(result.exitCode, 0, result.stderr);
      assert.deepEqual(await readdir(cacheDir).then((n) => n.includes('nix-versions.json')), false);
    }
    assert.equal(await versionAsked(), 1, (await shim.calls()).join('\n'));
    assert.ok((await readdir(home)).includes('nix-versions.json'));
  });

  it('reports a broken file on stderr with exit status 1', async () => {
    const { dir } = await copyFixture('stdenv-basic');
    await writeFile(path.join(dir, 'shell.nix'), '{ broken\n');
    const env = userEnvironment({ NIXSHELL_CACHE_DIR: await scratchDir('nixshell-cli-cache-') });
    const result = await runCli(['env', dir, '--json'], env);
    assert.equal(result.exitCode, 1);
    assert.equal(result.stdout, '');
    // The last line is the CLI's one-line summary; nix's own message comes before it.
    assert.match(result.stderr, /\nnixshell: syntax error[^\n]*$/);
  });

  it('ends its capture gently on SIGHUP: nix, its build and every temporary file are gone', async () => {
    const { dir } = await copyFixture('slow-build');
    const file = path.join(dir, 'shell.nix');
    // A build of its own, new to the store on every run, and easy to find among processes.
    const sleep = `/bin/sleep 59.${Date.now() % 10_000_000}${process.pid % 10}`;
    await writeFile(file, (await readFile(file, 'utf8')).replace('/bin/sleep 60', sleep));
    const tmp = await scratchDir('nixshell-cli-tmp-');
    const env = userEnvironment({
      NIXSHELL_CACHE_DIR: await scratchDir('nixshell-cli-cache-'),
      TMPDIR: tmp,
    });
    const cli = execa(process.execPath, [cliPath, 'env', dir, '--json'], {
      env,
      extendEnv: false,
      reject: false,
    });
    const building = waitFor('the slow build', async () => {
      const found = await processesMatching(new RegExp(`^${sleep.replace('.', '\\.')}$`));
      return found.length > 0 ? found : undefined;
    });
    // A CLI that ends before the build starts says why, instead of a wait that times out.
    void building.catch(() => undefined);
    const first = await Promise.race([building, cli]);
    if (!Array.isArray(first)) assert.fail(`the CLI ended before the build: ${first.stderr}`);
    const [builder] = first;
    assert.ok(builder);
    cli.kill('SIGHUP');
    const result = await cli;
    assert.equal(result.exitCode, 129, result.stderr);
    assert.equal(await groupAlive(builder.pgid), false, 'the build is still running');
    assert.deepEqual(await readdir(tmp), [], 'temporary files were left');
  });

  it('stops quietly when its reader goes away, and in one line when it cannot write', async () => {
    const { dir } = await copyFixture('stdenv-basic');
    const env = userEnvironment({ NIXSHELL_CACHE_DIR: await scratchDir('nixshell-cli-cache-') });
    const cli = `'${process.execPath}' '${cliPath}' env '${dir}'`;
    const head = await execa(
      '/bin/bash',
      // `true` reads nothing and exits long before node writes: the write meets a closed pipe.
      ['-c', `${cli} --json | true; echo "\${PIPESTATUS[0]}"`],
      { env, extendEnv: false },
    );
    assert.equal(head.stdout, '0');
    // Only the progress of builds, where the store lacks the fixture's (a line per build).
    const said = head.stderr
      .split('\n')
      .filter((line) => line !== '' && !/^nixshell: (building|downloading) /.test(line));
    assert.deepEqual(said, [], head.stderr);
    const full = await execa('/bin/bash', ['-c', `${cli} --json > /dev/full`], {
      env,
      extendEnv: false,
      reject: false,
    });
    assert.equal(full.exitCode, 1);
    assert.equal(full.stderr, 'nixshell: cannot write the output: ENOSPC');
  });

  it('answers --version, help and a wrong option each in the way a user expects', async () => {
    const env = userEnvironment();
    const manifest = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as {
      version: string;
    };
    const version = await runCli(['--version'], env);
    assert.equal(version.stdout, `nixshell ${manifest.version}`);
    const help = await runCli(['help'], env);
    assert.equal(help.exitCode, 0);
    assert.match(help.stdout, /^Usage: nixshell <command>/);
    assert.match((await runCli(['help', 'pin'], env)).stdout, /nixshell pin update/);
    for (const [args, line] of [
      [['env', '--bogus'], 'nixshell: unknown option --bogus (see nixshell --help)'],
      [['env', '--file'], 'nixshell: --file needs a value (see nixshell --help)'],
      [['pin', '--frob'], 'nixshell: unknown option --frob (see nixshell pin --help)'],
    ] as const) {
      const result = await runCli(args, env);
      assert.equal(result.exitCode, 2, args.join(' '));
      assert.equal(result.stderr, line);
    }
  });
});
