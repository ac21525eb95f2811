// `npm test`: builds, checks, and runs every test there is, then prints one line for CI:
// "N passed, N failed, N skipped". Steps run in order; a failed check stops the run.
import { execa } from 'execa';
import { Tally } from './tally';

const checks = ['build', 'typecheck', 'lint', 'format:check'];
const suites = ['test:unit', 'test:nix', 'test:bench', 'test:integration'];

const tally = new Tally();
for (const script of checks) {
  console.log(`\n> npm run ${script}`);
  const result = await execa('npm', ['run', '--silent', script], {
    stdio: 'inherit',
    reject: false,
  });
  if (result.exitCode !== 0) {
    console.log(`npm run ${script} failed`);
    tally.ok = false;
    break;
  }
}
for (const script of tally.ok ? suites : []) {
  console.log(`\n> npm run ${script}`);
  const run = execa('npm', ['run', '--silent', script], { all: true, reject: false });
  run.all.pipe(process.stdout);
  const result = await run;
  tally.add(result.all, result.exitCode, script);
}
console.log(`\n${tally.summary()}${tally.line()}`);
process.exitCode = tally.ok ? 0 : 1;
