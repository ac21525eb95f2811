// What the `shutdown` suite leaves for the harness to check once its extension host has
// stopped (test/integration/shutdown.test.ts): the capture it left running was ended by the
// extension's deactivation, gently, and nothing of it is left.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { stamp, type SuiteResult } from './report';

interface Left {
  readonly sleep: string;
  readonly tmpdir: string;
  readonly nixShell: string;
}

/** Live processes whose command line is, or contains, what the suite named. */
async function running(left: Left): Promise<string[]> {
  const { stdout } = await execa('ps', ['-eo', 'stat=,args=']);
  return stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => !line.startsWith('Z'))
    .filter(
      (line) => line.endsWith(` ${left.sleep}`) || line.includes(`nix-shell ${left.nixShell}`),
    );
}

/** What the extension, nix or the tests put in a TMPDIR: other tools' names are theirs. */
async function ourTemporaryFiles(tmpdir: string): Promise<string[]> {
  const names = await readdir(tmpdir).catch(() => []);
  return names.filter((name) => /^nix(shell|-build)-/.test(name)).map((n) => path.join(tmpdir, n));
}

async function leftovers(left: Left): Promise<string[]> {
  return [...(await running(left)), ...(await ourTemporaryFiles(left.tmpdir))];
}

/** Polls `find` until it finds nothing or `graceMs` passes; what it found last. */
async function settled(find: () => Promise<string[]>, graceMs: number): Promise<string[]> {
  const deadline = Date.now() + graceMs;
  let found = await find();
  while (found.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    found = await find();
  }
  return found;
}

/** One check of the harness, printed as mocha prints a test, counted as one. */
async function harnessCheck(
  title: string,
  check: () => Promise<void>,
): Promise<Omit<SuiteResult, 'ok'>> {
  try {
    await check();
    console.log(`${stamp()}  ✔ ${title}`);
    return { passes: 1, failures: 0, pending: 0 };
  } catch (error) {
    console.log(`${stamp()}  ✗ ${title}: ${String(error)}`);
    return { passes: 0, failures: 1, pending: 0 };
  }
}

/**
 * Every suite's extension host has its own TMPDIR (test/harness/runSuites.ts): once the host
 * has stopped, nothing of the extension's, nix's or the tests' may be left in it.
 */
export function checkTmpdirLeftClean(tmpdir: string): Promise<Omit<SuiteResult, 'ok'>> {
  return harnessCheck(
    'after the extension host stopped: its TMPDIR holds nothing of ours',
    async () => {
      // VS Code gives deactivate 5 s before it ends the host.
      const found = await settled(() => ourTemporaryFiles(tmpdir), 6000);
      if (found.length > 0) throw new Error(`left behind:\n${found.join('\n')}`);
    },
  );
}

export function checkAfterShutdown(output: string): Promise<Omit<SuiteResult, 'ok'>> {
  const title = 'after the extension host stopped: no nix process and no temporary file is left';
  return harnessCheck(title, async () => {
    const left = JSON.parse(await readFile(path.join(output, 'shutdown.json'), 'utf8')) as Left;
    // VS Code gives deactivate 5 s before it ends the host.
    const found = await settled(() => leftovers(left), 6000);
    if (found.length > 0) throw new Error(`left behind:\n${found.join('\n')}`);
  });
}
