import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { endAllProcesses, runInProcessGroup } from '../../src/core/process';
import { groupAlive } from '../support/processes';

const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin' };

describe('running a process group', () => {
  it('removes the temporary directories of a nix killed outright, by their names, and no others', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'nixshell-unit-kill-'));
    try {
      const other = path.join(tmp, 'nix-1-1');
      await mkdir(other);
      // A stand-in for nix: it makes its directories, named after its pid, and is killed.
      const result = await runInProcessGroup(
        'bash',
        [
          '-c',
          'mkdir "$TMPDIR/nix-$$-1" "$TMPDIR/nix-shell-$$-0" "$TMPDIR/nix-$$-x"; kill -KILL $$',
        ],
        { cwd: '/', env: { ...env, TMPDIR: tmp } },
      );
      assert.equal(result.signal, 'SIGKILL');
      const left = (await readdir(tmp)).sort();
      assert.equal(left.length, 2, left.join(' '));
      assert.ok(left.includes('nix-1-1'));
      assert.ok(
        left.some((name) => name.endsWith('-x')),
        'a name nix does not make is kept',
      );
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it('tells a missing working directory from a missing program', async () => {
    await assert.rejects(runInProcessGroup('true', [], { cwd: '/nonexistent/project', env }), {
      kind: 'no-environment',
      message: 'the directory /nonexistent/project does not exist',
    });
    await assert.rejects(runInProcessGroup('nix-shell-missing', [], { cwd: '/', env }), {
      kind: 'tool-missing',
    });
    await assert.rejects(runInProcessGroup('/nonexistent/bin/nix-shell', [], { cwd: '/', env }), {
      kind: 'nix-not-found',
    });
  });

  it('finishes when the program exits, not when a background child closes the pipes', async () => {
    const started = Date.now();
    const result = await runInProcessGroup('bash', ['-c', 'sleep 5 & echo done'], {
      cwd: '/',
      env,
      collectStdout: true,
    });
    assert.equal(result.stdout.trim(), 'done');
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
  });

  it('leaves nothing of the group running afterwards', async () => {
    let pid = 0;
    await runInProcessGroup('bash', ['-c', 'echo $$; sleep 30 &'], {
      cwd: '/',
      env,
      onStdoutLine: (line) => (pid = Number(line)),
    });
    assert.ok(pid > 0);
    assert.equal(await groupAlive(pid), false);
  });

  it('kills the whole group on cancel and says it was cancelled', async () => {
    const controller = new AbortController();
    let pid = 0;
    const run = runInProcessGroup('bash', ['-c', 'echo $$; sleep 30 & sleep 30'], {
      cwd: '/',
      env,
      signal: controller.signal,
      onStdoutLine: (line) => {
        pid = Number(line);
        controller.abort();
      },
    });
    await assert.rejects(run, { kind: 'cancelled' });
    assert.equal(await groupAlive(pid), false);
  });

  it('stops at the timeout', async () => {
    await assert.rejects(runInProcessGroup('sleep', ['30'], { cwd: '/', env, timeoutMs: 200 }), {
      kind: 'timeout',
    });
  });

  it('reports a missing program as nix-not-found', async () => {
    await assert.rejects(runInProcessGroup('/nonexistent/nix', [], { cwd: '/', env }), {
      kind: 'nix-not-found',
    });
  });

  it('keeps the end of stderr for error messages', async () => {
    const result = await runInProcessGroup('bash', ['-c', 'echo oops >&2; exit 4'], {
      cwd: '/',
      env,
    });
    assert.equal(result.exitCode, 4);
    assert.equal(result.stderrTail, 'oops');
  });
});

describe('ending every process group (the editor closing, the CLI interrupted)', () => {
  /**
   * Starts `trap` then `script` in a group and resolves with the group's id once it has said
   * it runs: only after the trap is set, so a signal cannot arrive before it.
   */
  function start(trap: string, script: string): { run: Promise<unknown>; pgid: Promise<number> } {
    let ready: (pid: number) => void = () => undefined;
    const pgid = new Promise<number>((resolve) => (ready = resolve));
    const run = runInProcessGroup('bash', ['-c', `${trap}; echo $$; ${script}`], {
      cwd: '/',
      env,
      onStdoutLine: (line) => ready(Number(line)),
    }).catch((error: unknown) => error);
    return { run, pgid };
  }

  it('asks first: a program that cleans up on SIGTERM does so, and its run ends as cancelled', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'nixshell-unit-'));
    const marker = path.join(dir, 'cleaned');
    const { run, pgid } = start(`trap 'touch ${marker}; exit 1' TERM`, 'sleep 30 & wait');
    const group = await pgid;
    const started = Date.now();
    await endAllProcesses([run], 5000);
    assert.ok(Date.now() - started < 1500, `took ${Date.now() - started} ms`);
    assert.equal(await groupAlive(group), false);
    assert.ok(existsSync(marker), 'the program did not get to clean up');
    assert.equal(((await run) as { kind?: string }).kind, 'cancelled');
    await rm(dir, { recursive: true });
  });

  it('kills what ignores SIGTERM after the grace period, and never waits past the limit', async () => {
    const { run, pgid } = start(`trap '' TERM`, 'sleep 30 & wait');
    const group = await pgid;
    const started = Date.now();
    const forever = new Promise(() => undefined);
    await endAllProcesses([forever], 2600);
    const took = Date.now() - started;
    assert.ok(took >= 1900 && took < 3500, `took ${took} ms`);
    assert.equal(await groupAlive(group), false);
    assert.equal(((await run) as { kind?: string }).kind, 'cancelled');
  });
});
