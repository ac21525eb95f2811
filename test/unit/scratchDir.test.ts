// Scratch directories: always removed by their owner, and by the next capture when their
// owner was killed outright.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { withScratchDir } from '../../src/core/capture/run';

describe('scratch directories', () => {
  let tmp = '';
  const saved = process.env['TMPDIR'];
  beforeEach(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'nixshell-unit-tmp-'));
    process.env['TMPDIR'] = tmp;
  });
  afterEach(async () => {
    if (saved === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = saved;
    await rm(tmp, { recursive: true, force: true });
  });

  it('are named after their owner, and removed afterwards even when the work fails', async () => {
    let seen = '';
    await assert.rejects(
      withScratchDir((dir) => {
        seen = dir;
        return Promise.reject(new Error('failed'));
      }),
    );
    assert.match(path.basename(seen), new RegExp(`^nixshell-${process.pid}-[A-Za-z0-9]{6}$`));
    assert.equal(existsSync(seen), false);
  });

  it('hand their removal to deferCleanup when given, on success and on failure alike', async () => {
    const cleanups: Promise<unknown>[] = [];
    const defer = (cleanup: Promise<unknown>) => cleanups.push(cleanup);
    let kept = '';
    const result = await withScratchDir(async (dir) => {
      kept = dir;
      await mkdir(path.join(dir, 'dump'));
      return 'done';
    }, defer);
    let failed = '';
    await assert.rejects(
      withScratchDir((dir) => {
        failed = dir;
        return Promise.reject(new Error('failed'));
      }, defer),
    );
    assert.equal(result, 'done');
    assert.equal(cleanups.length, 2);
    await Promise.all(cleanups);
    assert.equal(existsSync(kept), false);
    assert.equal(existsSync(failed), false);
  });

  it("removes those whose owner is gone, and keeps a live process's and other names", async () => {
    // A pid that was just in use and is now free: a process killed before it cleaned up.
    const child = execa('true');
    const dead = child.pid ?? 0;
    await child;
    const abandoned = path.join(tmp, `nixshell-${dead}-Ab12Cd`);
    const live = path.join(tmp, `nixshell-${process.ppid}-Xy34Zw`);
    const other = path.join(tmp, 'nixshell-format-Qr56St');
    for (const dir of [abandoned, live, other])
      await mkdir(path.join(dir, 'dump'), { recursive: true });
    await withScratchDir(() => Promise.resolve());
    assert.deepEqual(
      (await readdir(tmp)).sort(),
      [path.basename(live), path.basename(other)].sort(),
    );
  });
});
