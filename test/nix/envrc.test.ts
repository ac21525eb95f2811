// A project's `.envrc` chooses what the CLI enters (never run, only read), through the real
// CLI (dist/cli.cjs) and real nix.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli } from '../support/cliRunner';
import { userEnvironment } from '../support/engineHarness';
import { copyFixture } from '../support/fixtures';
import { scratchDir } from '../support/scratch';

async function cli(args: string[], env: Record<string, string>): Promise<Record<string, unknown>> {
  const result = await runCli([...args, '--json'], env);
  assert.equal(result.exitCode, 0, result.stderr);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

describe('the CLI reads .envrc', function () {
  this.timeout(120_000);

  it('`use flake .#other` selects that devShell', async () => {
    const flake = await copyFixture('flake-two-shells', { git: true });
    const env = userEnvironment({ NIXSHELL_CACHE_DIR: await scratchDir('nixshell-cli-cache-') });
    assert.equal((await cli(['status', flake.dir], env))['devShell'], 'default');
    await writeFile(path.join(flake.dir, '.envrc'), 'use flake .#other\n');
    const status = await cli(['status', flake.dir], env);
    assert.equal(status['source'], 'envrc');
    assert.equal(status['devShell'], 'other');
    assert.equal(status['target'], 'flake.nix#other');
    const entered = await cli(['env', flake.dir], env);
    assert.equal(entered['SHELL_NAME'], 'other');
    assert.equal(entered['OTHER_HOOK'], 'ran');
    // An explicit choice still wins over the .envrc.
    const explicit = await cli(['status', flake.dir, '--dev-shell', 'default'], env);
    assert.equal(explicit['source'], 'setting');
    assert.equal(explicit['devShell'], 'default');
  });

  it('`use nix FILE -A ATTR --argstr`: that shell, with the argument; a watched file is an input', async () => {
    const { dir } = await copyFixture('stdenv-basic');
    const env = userEnvironment({ NIXSHELL_CACHE_DIR: await scratchDir('nixshell-cli-cache-') });
    await writeFile(path.join(dir, 'extra.txt'), 'one\n');
    // A file that takes an argument and has two shells: the .envrc picks one and passes it.
    await writeFile(
      path.join(dir, 'shells.nix'),
      [
        '{ who ? "nobody" }:',
        'let pkgs = import ../_lib { }; in {',
        '  dev = pkgs.mkShell { WHO = who; SHELL_ATTR = "dev"; };',
        '  ci = pkgs.mkShell { WHO = who; SHELL_ATTR = "ci"; };',
        '}',
      ].join('\n'),
    );
    await writeFile(
      path.join(dir, '.envrc'),
      'nix_direnv_watch_file extra.txt\nuse nix shells.nix -A dev --argstr who "the team"\ndotenv\n',
    );
    const before = await cli(['status', dir], env);
    assert.equal(before['source'], 'envrc');
    assert.equal(before['file'], path.join(dir, 'shells.nix'));
    assert.equal(before['target'], 'shells.nix (dev)');
    assert.equal(before['args'], '--argstr who the team');
    assert.deepEqual(before['envrcNotes'], [
      '.envrc line 3 not understood: dotenv (only `use nix`, `use flake` and watched files are read)',
    ]);
    const entered = await cli(['env', dir], env);
    assert.equal(entered['WHO'], 'the team');
    assert.equal(entered['SHELL_ATTR'], 'dev');
    assert.equal((await cli(['status', dir], env))['cache'], 'fresh');
    await writeFile(path.join(dir, 'extra.txt'), 'two\n');
    const stale = await cli(['status', dir], env);
    assert.equal(stale['cache'], 'stale');
    assert.match(String(stale['reason']), /extra\.txt/);
  });

  it('`use nix -p` is said not understood, and discovery decides', async () => {
    const { dir } = await copyFixture('stdenv-basic');
    const env = userEnvironment({ NIXSHELL_CACHE_DIR: await scratchDir('nixshell-cli-cache-') });
    await writeFile(path.join(dir, '.envrc'), 'use nix -p hello\n');
    const result = await runCli(['status', dir], env);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^source: discovered$/m);
    assert.match(result.stdout, /^envrcNotes: \.envrc line 1 not understood: use nix -p hello/m);
  });
});
