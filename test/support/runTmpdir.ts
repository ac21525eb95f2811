// Loaded by mocha before any test (.mocharc.json `require`): the run gets a TMPDIR of its own,
// so that everything the tests, the CLIs they start and the engine under test put in TMPDIR
// lands there. Once every test has run, the directories tempDir made are removed, and the run
// fails if anything else is left: a leak of a test or of the product, which would otherwise
// pile up in /tmp run after run.
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { removeTempDirs, removeTree } from './temp';

const runTmpdir = mkdtempSync(path.join(os.tmpdir(), 'nixshell-run-'));
process.env['TMPDIR'] = runTmpdir;
// Also when the hook below never runs (a test file that does not load, an interrupted run).
process.once('exit', () => rmSync(runTmpdir, { recursive: true, force: true }));

/** How long a process the last test ended may still take to remove its own scratch. */
const graceMs = 5000;

/** tsx's compile cache, when a test runs a script with tsx: the tool's, not a leak. */
const toolCaches = /^tsx-\d+$/;

async function leftovers(): Promise<string[]> {
  return (await readdir(runTmpdir)).filter((name) => !toolCaches.test(name)).sort();
}

export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(graceMs + 60_000);
    await removeTempDirs();
    const deadline = Date.now() + graceMs;
    let left = await leftovers();
    while (left.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      left = await leftovers();
    }
    await removeTree(runTmpdir);
    if (left.length > 0) {
      throw new Error(`the run left in its TMPDIR (${runTmpdir}):\n  ${left.join('\n  ')}`);
    }
  },
};
