// The rc of "Nix shell" terminals, in a real interactive bash with a ~/.bashrc of its own.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { readShellDump, shellDumpScript } from '../../src/core/capture/shellDump';
import { applyMutations, diffEnvironments } from '../../src/core/env/mutations';
import { shellRc } from '../../src/core/shellRc';
import { tempDir } from '../support/temp';

describe('the rc of Nix shell terminals', () => {
  it("defines the shell's functions, aliases and variables after ~/.bashrc, with the project's PATH first", async () => {
    const dir = await tempDir();
    // The captured shell: a hook that defined a function, an alias and an array.
    const setup = [
      'build() { echo "building with $CC"; }',
      "alias ll='echo listing'",
      'declare -a preHooks=(one two)',
      'export CC=gcc-nix',
      'export PATH=/nix/store/tools/bin:$PATH:/proj/scripts',
      shellDumpScript(dir),
    ].join('\n');
    const user = { PATH: '/usr/bin:/bin', HOME: path.join(dir, 'home') };
    await execa('/bin/bash', ['--noprofile', '--norc', '-c', setup], {
      env: user,
      extendEnv: false,
    });
    const dump = await readShellDump(dir, 'the test shell');
    const mutations = diffEnvironments(user, dump.env);
    // The user's ~/.bashrc puts its own tool first and sets CC: nix's values must win, as in
    // nix-shell, whose rc sources ~/.bashrc before setup. It may define anything, even a
    // function named `[` that always succeeds, which the rc's own tests must not call.
    await mkdir(user.HOME);
    await writeFile(
      path.join(user.HOME, '.bashrc'),
      'export PATH=$HOME/.cargo/bin:$PATH\nexport CC=gcc-user\n[() { return 0; }\n',
    );
    const rc = path.join(dir, 'rc');
    await writeFile(rc, shellRc({ label: 'test', mutations, shell: dump.shell }));
    const terminal = applyMutations(user, mutations);
    const { stdout, stderr } = await execa('/bin/bash', ['--rcfile', rc, '-i'], {
      env: terminal,
      extendEnv: false,
      input: 'build\nll\necho "${preHooks[1]} $PATH"\nexit\n',
    });
    assert.doesNotMatch(stderr, /command not found|syntax error/);
    const lines = stdout.split('\n');
    assert.deepEqual(lines.slice(0, 2), ['building with gcc-nix', 'listing']);
    assert.equal(
      lines[2],
      `two /nix/store/tools/bin:${user.HOME}/.cargo/bin:/usr/bin:/bin:/proj/scripts`,
    );
  });
});
