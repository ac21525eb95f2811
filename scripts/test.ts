// `npm test`: builds, checks, and runs every test there is, then prints one line for CI:
// "N passed, N failed, N skipped". Steps run in order; a failed check stops the run.
import { execa } from 'execa';

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

/** Mocha's spec summary ("12 passing", "1 failing", "2 pending"), or the harness's own line. */
function countsIn(output: string): Counts {
  const own = /(\d+) passed, (\d+) failed, (\d+) skipped\s*$/.exec(output.trim());
  if (own) return { passed: Number(own[1]), failed: Number(own[2]), skipped: Number(own[3]) };
  const number = (word: string) =>
    Number(new RegExp(`^\\s*(\\d+) ${word}`, 'm').exec(output)?.[1] ?? 0);
  return { passed: number('passing'), failed: number('failing'), skipped: number('pending') };
}

const checks = ['build', 'typecheck', 'lint', 'format:check'];
const suites = ['test:unit', 'test:nix', 'test:integration'];

const total: Counts = { passed: 0, failed: 0, skipped: 0 };
let ok = true;
for (const script of checks) {
  console.log(`\n> npm run ${script}`);
  const result = await execa('npm', ['run', '--silent', script], {
    stdio: 'inherit',
    reject: false,
  });
  if (result.exitCode !== 0) {
    console.log(`npm run ${script} failed`);
    ok = false;
    break;
  }
}
for (const script of ok ? suites : []) {
  console.log(`\n> npm run ${script}`);
  const run = execa('npm', ['run', '--silent', script], { all: true, reject: false });
  run.all.pipe(process.stdout);
  const result = await run;
  const counts = countsIn(result.all);
  if (result.exitCode !== 0 && counts.failed === 0) counts.failed = 1;
  total.passed += counts.passed;
  total.failed += counts.failed;
  total.skipped += counts.skipped;
  ok &&= result.exitCode === 0;
}
if (!ok && total.failed === 0) total.failed = 1;
console.log(`\n${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exitCode = ok ? 0 : 1;
