// `npm run test:nix`: the real-nix suites (test/nix, test/pin) once on the system's Nix (Debian
// 12's 2.8) and once on the modern Nix that test/nix-versions/install-nix.sh installs (Debian
// 13's 2.26). Each run is mocha's own output; the last line sums both runs in the form
// scripts/test.ts reads ("N passed, N failed, N skipped"). Extra arguments go to mocha (for
// example one test file); NIXSHELL_TEST_NIX_VERSIONS=system or =modern runs one version only.
import { execa } from 'execa';
import { modernNixBin } from '../test/support/modernNix';
import { Tally } from './tally';

const suites = process.argv.slice(2);
const files = suites.length > 0 ? suites : ['test/nix/**/*.test.ts', 'test/pin/**/*.test.ts'];
const only = process.env['NIXSHELL_TEST_NIX_VERSIONS'];

const runs: { label: string; bin?: string }[] = [];
if (only !== 'modern') runs.push({ label: 'the system Nix (/usr/bin)' });
if (only !== 'system') {
  const bin = await modernNixBin();
  runs.push({ label: `the modern Nix (${bin})`, bin });
}

const tally = new Tally();
for (const run of runs) {
  console.log(`\n> mocha on ${run.label}`);
  const env: Record<string, string> = { NIXSHELL_TEST_NIX_BIN: run.bin ?? '' };
  const mocha = execa('mocha', files, { all: true, reject: false, env, preferLocal: true });
  mocha.all.pipe(process.stdout);
  const result = await mocha;
  tally.add(result.all, result.exitCode);
}
console.log(`\n${tally.line()}`);
process.exitCode = tally.ok ? 0 : 1;
