// `nixshell push` to stores over SSH, served by a real OpenSSH server on 127.0.0.1 (key-only,
// a port of its own): `ssh://` (nix-store --serve) and `ssh-ng://` (nix-daemon --stdio), each
// into a store of its own on the far side (`remote-store`), then entering from the latter.
import assert from 'node:assert/strict';
import { access, chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { runCli } from '../support/cliRunner';
import { userEnvironment } from '../support/engineHarness';
import { nixTool, testNixConfig, testRunsAsDaemonClient } from '../support/nixEnv';
import { scratchDir } from '../support/scratch';
import { sshd, startSshServer, type SshServer } from '../support/sshServer';
import { builds, signingKey, teamProject } from '../support/teamCache';

describe('team binary caches over SSH (a real sshd on 127.0.0.1)', function () {
  this.timeout(180_000);

  let server: SshServer | undefined;
  before(async function () {
    // sshd logs in only the user it runs as, unless root; the daemon run's user is not.
    const present = await access(sshd).then(
      () => true,
      () => false,
    );
    if (!present || testRunsAsDaemonClient() || process.getuid?.() !== 0) this.skip();
    server = await startSshServer(await scratchDir('nixshell-sshd-'));
  });
  after(() => server?.close());

  it('pushes to ssh:// and ssh-ng:// stores, and enters by substituting from one', async () => {
    const { top, dir, counter } = await teamProject();
    const sshOpts = server?.sshOpts ?? '';
    const env = userEnvironment({
      NIXSHELL_CACHE_DIR: await scratchDir('nixshell-cli-cache-'),
      NIX_SSHOPTS: sshOpts,
    });
    const nixEnv = { ...env, PATH: env['PATH'] ?? '' };
    const key = await signingKey(path.join(top, 'key.sec'), nixEnv);
    // The far side's nix: the nix under test, with the tests' settings and the team's key
    // (an SSH login does not carry NIX_CONFIG).
    const remote = (program: string) => {
      const file = path.join(top, `remote-${program}`);
      const config = `${testNixConfig()}\ntrusted-public-keys = ${key.publicKey}`;
      return {
        file,
        write: async () => {
          await writeFile(
            file,
            `#!/bin/bash\nexport NIX_CONFIG=${shellQuoted(config)}\nexec ${nixTool(program)} "$@"\n`,
          );
          await chmod(file, 0o755);
        },
      };
    };
    const serve = remote('nix-store');
    const daemon = remote('nix-daemon');
    await Promise.all([serve.write(), daemon.write()]);
    const served = path.join(top, 'served-store');
    const daemonStore = path.join(top, 'daemon-store');
    const sshUrl = `ssh://root@127.0.0.1?remote-store=${served}&remote-program=${serve.file}`;
    const ngUrl = `ssh-ng://root@127.0.0.1?remote-store=${daemonStore}&remote-program=${daemon.file}`;

    const drvPath = await toolDerivation(dir, env);
    const overSsh = await runCli(['push', dir, '--to', sshUrl], env);
    assert.equal(overSsh.exitCode, 0, overSsh.stderr);
    assert.match(overSsh.stdout, /^copied [1-9]\d* paths /, overSsh.stdout);
    assert.equal(await builds(counter), 1);
    const tool = (
      await execa(nixTool('nix-store'), ['--query', '--outputs', drvPath], {
        env: nixEnv,
        extendEnv: false,
      })
    ).stdout.trim();
    // The far store holds it now (read here, as the store's own files).
    await pathInfo(served, tool, nixEnv);

    // nix-daemon takes only signed paths from a client it does not trust: sign them.
    const overNg = await runCli(['push', dir, '--to', ngUrl, '--sign-key', key.file], env);
    assert.equal(overNg.exitCode, 0, overNg.stderr);
    assert.match(overNg.stdout, /^copied [1-9]\d* paths /, overNg.stdout);
    await pathInfo(daemonStore, tool, nixEnv);

    // Gone from the local store, the tool is fetched over SSH: planned so, and no build.
    await execa(nixTool('nix-store'), ['--delete', tool], { env: nixEnv, extendEnv: false });
    const options = [
      ...['--option', 'substituters', ngUrl],
      ...['--option', 'trusted-public-keys', key.publicKey],
    ];
    const planned = await runCli(['plan', dir, '--json', ...options], env);
    assert.equal(planned.exitCode, 0, planned.stderr);
    const plan = JSON.parse(planned.stdout) as { fetch: Array<{ path: string }> };
    assert.ok(
      plan.fetch.some((f) => f.path === tool),
      planned.stdout,
    );
    const entered = await runCli(['env', dir, '--json', '--refresh', ...options], env);
    assert.equal(entered.exitCode, 0, entered.stderr);
    await access(tool);
    assert.equal(await builds(counter), 1, 'entering built the tool instead of fetching it');
  });
});

function shellQuoted(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The derivation of the fixture's tool, as `plan` lists it (entering would root its output). */
async function toolDerivation(dir: string, env: Record<string, string>): Promise<string> {
  const planned = await runCli(['plan', dir, '--json'], env);
  assert.equal(planned.exitCode, 0, planned.stderr);
  const plan = JSON.parse(planned.stdout) as { build: Array<{ name: string; drvPath: string }> };
  const drvPath = plan.build.find((b) => b.name === 'team-tool')?.drvPath;
  assert.ok(drvPath, planned.stdout);
  return drvPath;
}

/** Fails unless the store rooted at `root` holds `storePath`. */
async function pathInfo(root: string, storePath: string, env: Record<string, string>) {
  const result = await execa(nixTool('nix'), ['path-info', '--store', root, storePath], {
    env,
    extendEnv: false,
    reject: false,
  });
  assert.equal(result.exitCode, 0, `${root} lacks ${storePath}: ${result.stderr}`);
}
