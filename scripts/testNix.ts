// `npm run test:nix`: the real-nix suites (test/nix, test/pin) once on the system's Nix (Debian
// 12's 2.8), once on the modern Nix that test/nix-versions/install-nix.sh installs (Debian
// 13's 2.26), and once as an unprivileged user against the system's nix-daemon
// (test/nix-versions/daemon.sh), as on a multi-user install. Each run is mocha's own output;
// the last line sums the runs in the form scripts/test.ts reads ("N passed, N failed, N
// skipped"). Extra arguments go to mocha (for example one test file);
// NIXSHELL_TEST_NIX_VERSIONS picks runs by name, comma-separated (system, modern, daemon).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { modernNixBin } from '../test/support/modernNix';
import { Tally } from './tally';

const suites = process.argv.slice(2);
const files = suites.length > 0 ? suites : ['test/nix/**/*.test.ts', 'test/pin/**/*.test.ts'];
const versions = (process.env['NIXSHELL_TEST_NIX_VERSIONS'] ?? 'system,modern,daemon').split(',');
const unknown = versions.filter((name) => !['system', 'modern', 'daemon'].includes(name));
if (unknown.length > 0) throw new Error(`unknown NIXSHELL_TEST_NIX_VERSIONS: ${unknown.join()}`);

/** The unprivileged user of the daemon run; test/nix-versions/daemon.sh creates it. */
const daemonUser = 'nixshell-test';

interface Run {
  label: string;
  bin?: string;
  daemon?: boolean;
}

const runs: Run[] = [];
if (versions.includes('system')) runs.push({ label: 'the system Nix (/usr/bin)' });
if (versions.includes('modern')) {
  const bin = await modernNixBin();
  runs.push({ label: `the modern Nix (${bin})`, bin });
}
if (versions.includes('daemon')) {
  runs.push({ label: `the system nix-daemon, as ${daemonUser}`, daemon: true });
}

// The CLI the tests run is bundled here, once, rather than by each run: the daemon run's user
// cannot write into the checkout.
await execa('npm', ['run', '--silent', 'build'], { stdout: 'ignore', stderr: 'inherit' });

/** Mocha as `daemonUser` against the daemon, with a HOME and TMPDIR of that user's own. */
async function daemonCommand(): Promise<
  | { command: string[]; env?: Record<string, string>; cleanup: () => Promise<void> }
  | 'failed'
  | undefined
> {
  const daemon = 'test/nix-versions/daemon.sh';
  const start = await execa('bash', [daemon, 'start'], { reject: false });
  if (start.stderr) console.error(start.stderr);
  if (start.exitCode !== 0) {
    // Said in one line with the script's reason, so that the summary at the end of a long run
    // says why; counted as a failure, and the other runs' results still summed.
    const why = start.stderr.split('\n')[0] ?? '';
    console.log(
      `  ✗ the nix-daemon did not start (${daemon} start exited ${start.exitCode}): ${why}`,
    );
    return 'failed';
  }
  // A daemon that an earlier, still running test run started is that run's to stop.
  const ours = (start.stdout.trim().split('\n').at(-1) ?? '').startsWith('started ');
  const asUser = ['runuser', '-u', daemonUser, '--'];
  // The user runs the tests from this checkout: it must be able to read it and node_modules.
  const mocha = path.resolve('node_modules/.bin/mocha');
  const readable = await execa('runuser', [...asUser.slice(1), 'test', '-r', mocha], {
    reject: false,
  });
  if (readable.exitCode !== 0) {
    // Where the checkout lives is not the tests' to choose (a clone under /root): say so loudly
    // and run the rest, rather than fail every run made there.
    if (ours) await execa('bash', [daemon, 'stop'], { stdio: 'inherit' });
    console.log(
      `THE DAEMON RUN IS SKIPPED: ${daemonUser} cannot read ${mocha}; it needs the checkout ` +
        'readable by other users (a clone under /tmp or /work).',
    );
    return undefined;
  }
  const home = (await execa('getent', ['passwd', daemonUser])).stdout.split(':')[5] ?? '';
  const mktemp = ['mktemp', '-d', '/tmp/nixshell-daemon-XXXXXX'];
  const tmp = (await execa('runuser', [...asUser.slice(1), ...mktemp])).stdout;
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    await execa('rm', ['-rf', tmp]);
    if (ours) await execa('bash', [daemon, 'stop'], { stdio: 'inherit' });
  };
  // An interrupted run must not leave the daemon behind.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void cleanup().finally(() => process.exit(130)));
  }
  const command = [
    ...asUser,
    'env',
    '-i',
    `PATH=${path.resolve('node_modules/.bin')}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
    `HOME=${home}`,
    `TMPDIR=${tmp}`,
    'NIX_REMOTE=daemon',
    'NIXSHELL_TEST_CLI_BUILT=1',
    ...(process.env['LANG'] ? [`LANG=${process.env['LANG']}`] : []),
    'mocha',
    ...files,
  ];
  return { command, cleanup };
}

/**
 * Mocha as this user, with a TMPDIR of the run's own: mocha checks that the tests leave nothing
 * in it (test/support/runTmpdir.ts); this removes it also after a crash of mocha.
 */
async function ownCommand(): Promise<{
  command: string[];
  env: Record<string, string>;
  cleanup: () => Promise<void>;
}> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'nixshell-mocha-'));
  const cleanup = () => rm(tmp, { recursive: true, force: true });
  return { command: ['mocha', ...files], env: { TMPDIR: tmp }, cleanup };
}

const tally = new Tally();
for (const run of runs) {
  console.log(`\n> mocha on ${run.label}`);
  const started = Date.now();
  const prepared = run.daemon ? await daemonCommand() : await ownCommand();
  if (!prepared) continue;
  if (prepared === 'failed') {
    tally.add('', 1);
    continue;
  }
  const { command, cleanup } = prepared;
  const env: Record<string, string> = {
    NIXSHELL_TEST_NIX_BIN: run.bin ?? '',
    NIXSHELL_TEST_CLI_BUILT: '1',
    ...prepared.env,
  };
  const [file = '', ...args] = command;
  const mocha = execa(file, args, { all: true, reject: false, env, preferLocal: true });
  mocha.all.pipe(process.stdout);
  const result = await mocha.finally(cleanup);
  console.log(`(${run.label}: ${Math.round((Date.now() - started) / 1000)} s)`);
  tally.add(result.all, result.exitCode);
}
console.log(`\n${tally.line()}`);
process.exitCode = tally.ok ? 0 : 1;
