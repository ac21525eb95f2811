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

async function leftovers(left: Left): Promise<string[]> {
  const temp = (await readdir(left.tmpdir)).filter((name) => /^nix(shell|-build)-/.test(name));
  return [...(await running(left)), ...temp.map((name) => path.join(left.tmpdir, name))];
}

export async function checkAfterShutdown(output: string): Promise<Omit<SuiteResult, 'ok'>> {
  const title = 'after the extension host stopped: no nix process and no temporary file is left';
  try {
    const left = JSON.parse(await readFile(path.join(output, 'shutdown.json'), 'utf8')) as Left;
    // VS Code gives deactivate 5 s before it ends the host.
    const deadline = Date.now() + 6000;
    let found = await leftovers(left);
    while (found.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      found = await leftovers(left);
    }
    if (found.length > 0) throw new Error(`left behind:\n${found.join('\n')}`);
    console.log(`${stamp()}  ✔ ${title}`);
    return { passes: 1, failures: 0, pending: 0 };
  } catch (error) {
    console.log(`${stamp()}  ✗ ${title}: ${String(error)}`);
    return { passes: 0, failures: 1, pending: 0 };
  }
}
