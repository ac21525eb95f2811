// The capture lock through the CLI on real nix: a lock left by a dead holder, or naming a PID
// that is another process now, is taken over at once; a live holder is waited for, and the CLI
// says for whom; a holder on another host is judged by its heartbeat.
import assert from 'node:assert/strict';
import { readFile, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { processIdentity } from '../../src/core/cache/processIdentity';
import { heartbeatMs } from '../../src/core/cache/lock';
import { userEnvironment } from '../support/engineHarness';
import { copyFixture } from '../support/fixtures';
import { cliPath, runCli } from '../support/cliRunner';
import { waitFor } from '../support/nixTools';
import { scratchDir } from '../support/scratch';

interface Project {
  readonly dir: string;
  readonly env: Record<string, string>;
  readonly lockFile: string;
}

/** A project captured once, so the key (and the lock file's name) of its next capture is known. */
async function capturedProject(fixture = 'stdenv-basic'): Promise<Project> {
  const { dir } = await copyFixture(fixture);
  const cache = await scratchDir('nixshell-lock-cache-');
  const env = userEnvironment({ NIXSHELL_CACHE_DIR: cache });
  const first = await runCli(['env', dir, '--json'], env);
  assert.equal(first.exitCode, 0, first.stderr);
  const [entry] = await readdir(path.join(cache, 'envs'));
  assert.ok(entry, 'the first capture stored an entry');
  return { dir, env, lockFile: path.join(cache, 'locks', entry.replace(/\.json$/, '.lock')) };
}

function startCli(project: Project): ResultPromise<{ reject: false; extendEnv: false }> {
  return execa(process.execPath, [cliPath, 'env', project.dir, '--json', '--refresh'], {
    env: project.env,
    extendEnv: false,
    reject: false,
  });
}

/** Stderr so far, read while the CLI runs. */
function stderrOf(cli: ResultPromise): () => string {
  let text = '';
  cli.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return () => text;
}

describe('the capture lock, through the CLI', function () {
  this.timeout(60_000);
  const sleepers: ResultPromise[] = [];
  afterEach(() => {
    for (const sleeper of sleepers.splice(0)) sleeper.kill('SIGKILL');
  });

  /** A live process unrelated to any capture, as a reused PID would be. */
  function liveStranger(): number {
    const sleeper = execa('sleep', ['120'], { reject: false });
    sleepers.push(sleeper);
    assert.ok(sleeper.pid);
    return sleeper.pid;
  }

  it('takes over at once a lock whose PID now belongs to another process', async () => {
    const project = await capturedProject();
    const pid = liveStranger();
    const identity = await processIdentity(pid);
    assert.ok(identity, 'this machine has /proc');
    // The holder that wrote this lock had the same PID, but started at another time.
    const wrongStart = { ...identity, startTime: String(Number(identity.startTime) + 1) };
    await writeFile(
      project.lockFile,
      JSON.stringify({ pid, host: os.hostname(), since: Date.now(), identity: wrongStart }),
    );
    const started = Date.now();
    const result = await startCli(project);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /waiting/);
    // Taken over at its first look: no wait (the old rule waited a day), on a loaded machine too.
    assert.ok(Date.now() - started < 45_000);
    await assert.rejects(stat(project.lockFile), /ENOENT/, 'the lock is released');
  });

  it('waits for a live holder, says for whom, and goes on once it is gone', async () => {
    const project = await capturedProject();
    const pid = liveStranger();
    await writeFile(
      project.lockFile,
      JSON.stringify({
        pid,
        host: os.hostname(),
        since: Date.now() - 12_000,
        identity: await processIdentity(pid),
        client: 'nixshell env',
      }),
    );
    const cli = startCli(project);
    const stderr = stderrOf(cli);
    const line = await waitFor('the waiting line', () =>
      stderr().includes('\n') ? (stderr().split('\n')[0] ?? '') : undefined,
    );
    assert.match(
      line,
      new RegExp(
        `^nixshell: waiting for the capture of PID ${pid} \\(nixshell env, started (1[2-9]|[2-5]\\d) s ago\\) to finish…$`,
      ),
    );
    // The holder dies: the lock it left is taken over within a poll.
    process.kill(pid, 'SIGKILL');
    const result = await cli;
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(stderr().split('\n').filter(Boolean).length, 1, stderr());
  });

  it('trusts a holder on another host while its heartbeat goes on, and not after', async () => {
    const project = await capturedProject();
    await writeFile(
      project.lockFile,
      JSON.stringify({ pid: 4242, host: 'elsewhere.invalid', since: Date.now() }),
    );
    const cli = startCli(project);
    const stderr = stderrOf(cli);
    await waitFor('the waiting line', () =>
      /PID 4242 on elsewhere\.invalid \(started \d+ s ago\)/.test(stderr()) ? true : undefined,
    );
    // Its heartbeat stops: the lock file has not been touched for a minute.
    const minuteAgo = new Date(Date.now() - 60_000);
    await utimes(project.lockFile, minuteAgo, minuteAgo);
    const result = await cli;
    assert.equal(result.exitCode, 0, result.stderr);
  });

  it('keeps its own lock alive with a heartbeat while it captures', async () => {
    const { dir } = await copyFixture('stdenv-basic');
    // A shellHook that takes longer than a heartbeat, so one must happen during the capture.
    const seconds = Math.ceil(heartbeatMs / 1000) + 2;
    await writeFile(
      path.join(dir, 'shell.nix'),
      `(import ../_lib { }).mkShell { shellHook = "sleep ${seconds}"; }\n`,
    );
    const cache = await scratchDir('nixshell-lock-cache-');
    const cli = execa(process.execPath, [cliPath, 'env', dir, '--json'], {
      env: userEnvironment({ NIXSHELL_CACHE_DIR: cache }),
      extendEnv: false,
      reject: false,
    });
    const lockFile = await waitFor('the lock', async () => {
      const [name] = await readdir(path.join(cache, 'locks')).catch(() => []);
      if (!name) return undefined;
      const file = path.join(cache, 'locks', name);
      // The lock is created, then its holder written: its mtime counts from the write.
      const content = await readFile(file, 'utf8').catch(() => '');
      return content.endsWith('}') ? file : undefined;
    });
    const created = (await stat(lockFile)).mtimeMs;
    const touched = await waitFor(
      'a heartbeat',
      async () => {
        const now = (await stat(lockFile).catch(() => undefined))?.mtimeMs;
        return now !== undefined && now > created ? now : undefined;
      },
      heartbeatMs + 5_000,
      100,
    );
    assert.ok(touched - created >= heartbeatMs - 1_000, `touched after ${touched - created} ms`);
    const result = await cli;
    assert.equal(result.exitCode, 0, result.stderr);
  });
});
