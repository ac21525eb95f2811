// The mocha entry point inside the extension host, with the run() contract of
// @vscode/test-electron. Runs the test files of one suite, chosen by NIXSHELL_SUITE (a file
// name prefix), or all of them. Mocha's report goes to the console and, under code-server
// where console output is forwarded unformatted, to the file E2E_REPORT_FILE as well.
import { appendFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';
import { removeTempDirs } from '../support/temp';

export async function run(): Promise<void> {
  const reportFile = process.env['E2E_REPORT_FILE'];
  if (reportFile) writeFileSync(reportFile, '');
  Mocha.reporters.Base.consoleLog = (...args: unknown[]) => {
    const line = format(...args);
    console.log(line);
    if (reportFile) appendFileSync(reportFile, `${line}\n`);
  };
  const suite = process.env['NIXSHELL_SUITE'];
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 120_000, reporter: 'spec' });
  for (const file of readdirSync(__dirname).sort()) {
    if (file.endsWith('.test.cjs') && (!suite || file.startsWith(`${suite}.`))) {
      mocha.addFile(path.join(__dirname, file));
    }
  }
  const failures = await new Promise<number>((resolve) => {
    const runner = mocha.run((failures) => {
      const {
        passes,
        failures: failed,
        pending,
      } = runner.stats ?? { passes: 0, failures: 0, pending: 0 };
      Mocha.reporters.Base.consoleLog(`${passes} passed, ${failed} failed, ${pending} skipped`);
      if (reportFile) {
        writeFileSync(`${reportFile}.json`, JSON.stringify({ passes, failures: failed, pending }));
      }
      resolve(failures);
    });
  });
  // What the tests made with test/support (fixture copies, nix's HOME): the harness checks
  // that the host leaves nothing in its TMPDIR.
  await removeTempDirs();
  if (failures > 0) throw new Error(`${failures} tests failed`);
}
