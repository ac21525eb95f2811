// The shell dump that ends every capture: a real bash writes its environment, functions, aliases
// and variables; the rc built from them defines the same things in another bash.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import {
  readShellDump,
  shellDumpScript,
  shellStateScript,
  type ShellDump,
} from '../../src/core/capture/shellDump';
import { NixShellError } from '../../src/core/errors';
import { tempDir } from '../support/temp';

const base = { PATH: '/usr/bin:/bin', HOME: '/home/u' };

/**
 * Runs `setup` in a clean bash, then the dump, and reads what it wrote. `oldBash`: without the
 * `mapfile` builtin, as in bash 3.2 (macOS's /bin/bash), so the dump reads its lists by line.
 */
async function dumpAfter(setup: string, oldBash = false): Promise<ShellDump> {
  const dir = await tempDir();
  const script = path.join(dir, 'script.sh');
  const asOldBash = oldBash ? 'builtin enable -n mapfile readarray\n' : '';
  await writeFile(script, `${asOldBash}${setup}\n${shellDumpScript(dir)}\n`);
  await execa('/bin/bash', ['--noprofile', '--norc', script], {
    env: base,
    extendEnv: false,
    reject: false,
  });
  return readShellDump(dir, 'the test shell');
}

describe('the shell dump', () => {
  for (const oldBash of [false, true]) {
    const as = oldBash ? ' (bash without mapfile, as 3.2)' : '';
    it(`writes exported variables byte for byte, and nothing bash keeps for itself${as}`, async () => {
      const { env, shell } = await dumpAfter(
        `export MULTI=$'a\\nb\\tc \\'"$x'; export EMPTY=; LOCAL_ONLY=1`,
        oldBash,
      );
      assert.equal(env['MULTI'], 'a\nb\tc \'"$x');
      assert.equal(env['EMPTY'], '');
      assert.equal(env['PATH'], '/usr/bin:/bin');
      assert.equal(env['LOCAL_ONLY'], undefined);
      assert.match(shell.variables, /^declare -- LOCAL_ONLY="1"$/m);
      for (const own of ['BASH_VERSINFO', 'PPID', 'IFS', 'SHELLOPTS', '__nixshell_name']) {
        assert.doesNotMatch(shell.variables, new RegExp(`\\b${own}=`), own);
      }
    });

    it(`keeps functions, exported functions, aliases and arrays${as}`, async () => {
      const { shell } = await dumpAfter(
        [
          'build() { echo "building $1"; }',
          'serve() { local port=${1:-8080}; echo "$port"; }',
          'export -f serve',
          "alias ll='ls -l'",
          "declare -a preHooks=(one 'two words')",
          'declare -A outputs=([out]=/nix/store/x [dev]=/nix/store/y)',
        ].join('\n'),
        oldBash,
      );
      assert.deepEqual(shell.functionNames, ['build', 'serve']);
      assert.deepEqual(shell.exportedFunctions, ['serve']);
      assert.deepEqual(shell.aliasNames, ['ll']);
      assert.match(shell.variables, /declare -a preHooks=/);
      assert.match(shell.variables, /declare -A outputs=/);
    });

    it(`is not fooled by a hook that redefines builtins, IFS or set -eu${as}`, async () => {
      const { env, shell } = await dumpAfter(
        [
          'printf() { :; }',
          'read() { return 1; }',
          'mapfile() { return 1; }',
          '[() { return 0; }',
          'declare() { :; }',
          'IFS=x',
          'set -eu',
          'export KEPT=yes',
          'LOCAL_KEPT=yes',
        ].join('\n'),
        oldBash,
      );
      assert.equal(env['KEPT'], 'yes');
      assert.match(shell.variables, /^declare -- LOCAL_KEPT="yes"$/m);
      assert.doesNotMatch(
        shell.variables,
        /^declare -x KEPT=/m,
        'exported: in the environment only',
      );
      assert.ok(shell.functionNames.includes('printf'));
    });
  }

  it('fails closed when the shell left no PATH', async () => {
    await assert.rejects(
      dumpAfter('unset PATH'),
      (error: unknown) => error instanceof NixShellError && /left no PATH/.test(error.message),
    );
  });

  it('fails closed when the shell exited before its dump', async () => {
    await assert.rejects(
      dumpAfter('exit 3'),
      (error: unknown) => error instanceof NixShellError && error.kind === 'hook-failed',
    );
  });

  it('gives an rc that defines the same functions, aliases and variables in another bash', async () => {
    const { shell } = await dumpAfter(
      [
        'build() { echo "built $PROJECT_NAME"; }',
        'helper() { echo helper; }',
        'export -f helper',
        "alias ll='echo listing'",
        'declare -a preHooks=(one "two words")',
        'declare -r FROZEN=1',
      ].join('\n'),
    );
    const dir = await tempDir();
    const rc = path.join(dir, 'rc');
    await writeFile(rc, shellStateScript(shell));
    const check = [
      `source '${rc}'`,
      `source '${rc}'`, // twice: read-only values must not make the second one fail
      'shopt -s expand_aliases',
      `eval 'll'`,
      'PROJECT_NAME=demo build',
      'echo "${#preHooks[@]}:${preHooks[1]}:$FROZEN"',
      `bash -c helper`,
    ].join('\n');
    const { stdout, stderr } = await execa('/bin/bash', ['--noprofile', '--norc', '-c', check], {
      env: base,
      extendEnv: false,
    });
    assert.equal(stderr, '');
    assert.deepEqual(stdout.split('\n'), ['listing', 'built demo', '2:two words:1', 'helper']);
  });
});
