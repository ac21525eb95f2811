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

/**
 * A temporary directory nix names after its pid: a nix killed outright (by a test, as the OOM
 * killer would) cannot remove it. The engine removes those of the nix it ran itself
 * (src/core/process.ts); one a test's kill left elsewhere is nix's, reported, not failed.
 */
const nixOwn = /^nix-(\d+)-\d+$/;

/** The test that was running when each of nix's own directories appeared, to name it. */
let currentTest = '(before the first test)';
const firstSeenDuring = new Map<string, string>();
const watch = setInterval(() => {
  void readdir(runTmpdir)
    .then((names) => {
      for (const name of names)
        if (nixOwn.test(name) && !firstSeenDuring.has(name)) firstSeenDuring.set(name, currentTest);
    })
    .catch(() => {});
}, 250);
watch.unref();

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** What is left, but for tools' caches and what dead nix processes left (said, not failed). */
async function leftovers(sayNixOwn = false): Promise<string[]> {
  const left = (await readdir(runTmpdir)).filter((name) => !toolCaches.test(name)).sort();
  return left.filter((name) => {
    const pid = Number(nixOwn.exec(name)?.[1] ?? 0);
    if (pid === 0 || processAlive(pid)) return true;
    if (sayNixOwn) {
      const during = firstSeenDuring.get(name) ?? 'unknown';
      console.log(`note: a nix killed outright left ${name} (it appeared during "${during}")`);
    }
    return false;
  });
}

export const mochaHooks = {
  beforeEach(this: Mocha.Context): void {
    currentTest = this.currentTest?.fullTitle() ?? currentTest;
  },
  async afterAll(this: Mocha.Context): Promise<void> {
    clearInterval(watch);
    this.timeout(graceMs + 60_000);
    await removeTempDirs();
    const deadline = Date.now() + graceMs;
    let left = await leftovers();
    while (left.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      left = await leftovers();
    }
    left = await leftovers(true);
    await removeTree(runTmpdir);
    if (left.length > 0) {
      throw new Error(`the run left in its TMPDIR (${runTmpdir}):\n  ${left.join('\n  ')}`);
    }
  },
};
