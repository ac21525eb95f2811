// `nixshell env` when a file it needs is broken: one line naming the file, a non-zero exit,
// never a raw EISDIR/ENOTDIR text or a stack trace.
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { userEnvironment } from '../support/engineHarness';
import { commitAll, copyFixture } from '../support/fixtures';
import { runCli, type CliResult } from '../support/cliRunner';
import { scratchDir } from '../support/scratch';

/** A failure: exit 1 and exactly one `nixshell:` line on stderr, which is returned. */
function oneLineFailure(result: CliResult): string {
  assert.equal(result.exitCode, 1, `stdout: ${result.stdout}\nstderr: ${result.stderr}`);
  assert.equal(result.stdout, '');
  const lines = result.stderr.split('\n').filter((line) => line !== '');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${result.stderr}`);
  assert.doesNotMatch(lines[0] ?? '', /EISDIR|ENOTDIR|illegal operation|\bat .*\.js:\d+/);
  return lines[0] ?? '';
}

describe('nixshell env with a broken file in its way', function () {
  this.timeout(60_000);

  it('names a cache directory that is a file', async () => {
    const { dir } = await copyFixture('stdenv-basic');
    const cacheFile = path.join(await scratchDir('nixshell-faults-'), 'cache');
    await writeFile(cacheFile, 'not a directory');
    const line = oneLineFailure(
      await runCli(['env', dir], userEnvironment({ NIXSHELL_CACHE_DIR: cacheFile })),
    );
    assert.equal(line, `nixshell: ${cacheFile}: is a file, not a directory`);
  });

  it('names a nixpkgs.lock.json that is truncated, and one that is a directory', async () => {
    const { dir } = await copyFixture('stdenv-basic');
    const env = userEnvironment({ NIXSHELL_CACHE_DIR: await scratchDir('nixshell-faults-') });
    const lockFile = path.join(dir, 'nixpkgs.lock.json');
    await writeFile(lockFile, '{"version": 1, "original": {"type": "gi');
    assert.match(
      oneLineFailure(await runCli(['env', dir], env)),
      new RegExp(`^nixshell: ${lockFile}: not valid JSON, truncated or corrupt \\(`),
    );
    await writeFile(lockFile, '');
    assert.equal(
      oneLineFailure(await runCli(['env', dir], env)),
      `nixshell: ${lockFile}: not valid JSON, truncated or corrupt (it is empty)`,
    );
    await rm(lockFile);
    await mkdir(lockFile);
    assert.equal(
      oneLineFailure(await runCli(['env', dir], env)),
      `nixshell: ${lockFile}: cannot be read: it is a directory, not a file`,
    );
  });
});

describe('nixshell env with a value that is not UTF-8', function () {
  this.timeout(60_000);

  it('drops it from a Nix file, naming it on every run, with no nix parse error', async () => {
    const { dir } = await copyFixture('invalid-utf8');
    const env = userEnvironment({ NIXSHELL_CACHE_DIR: await scratchDir('nixshell-faults-') });
    // The first run captures; the second serves the cache, and must still say what is missing.
    for (const run of ['capture', 'cache']) {
      const result = await runCli(['env', dir, '--json'], env);
      assert.equal(result.exitCode, 0, result.stderr);
      // Besides the CLI's progress line of a first build, only the warning.
      const said = result.stderr
        .split('\n')
        .filter((line) => !/^nixshell: (building|downloading) /.test(line));
      assert.deepEqual(
        said,
        ['warn: dropped variable LEGACY_NAME: value is not valid UTF-8'],
        `${run}: ${result.stderr}`,
      );
      const values = JSON.parse(result.stdout) as Record<string, string>;
      assert.equal(values['FINE'], 'still here');
      assert.equal(values['LEGACY_NAME'], undefined);
    }
  });

  it('says in words why a flake cannot carry it, as nix develop cannot either', async () => {
    const { top, dir } = await copyFixture('invalid-utf8', { git: true });
    await writeFile(
      path.join(dir, 'flake.nix'),
      `{
  inputs.helpers = { url = "path:../_lib"; flake = false; };
  outputs = { self, helpers }: {
    devShells = builtins.listToAttrs (map (system: {
      name = system;
      value.default = (import helpers { inherit system; }).mkShell {
        LEGACY_NAME = builtins.readFile ./latin1-name.txt;
        FINE = "still here";
      };
    }) [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ]);
  };
}
`,
    );
    await commitAll(top, 'a flake');
    const env = userEnvironment({ NIXSHELL_CACHE_DIR: await scratchDir('nixshell-faults-') });
    const result = await runCli(['env', dir, '--json'], env);
    assert.equal(result.exitCode, 1, result.stderr);
    assert.equal(result.stdout, '');
    const last = result.stderr.split('\n').at(-1) ?? '';
    assert.match(last, /^nixshell: a variable's value is not valid UTF-8 \("caf\?"\): /);
    assert.doesNotMatch(last, /json\.exception/);
  });
});
