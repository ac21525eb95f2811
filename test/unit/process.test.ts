import assert from 'node:assert/strict';
import { runInProcessGroup } from '../../src/core/process';
import { groupAlive } from '../support/processes';

const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin' };

describe('running a process group', () => {
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
