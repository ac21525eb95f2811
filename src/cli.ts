// `nixshell`: the command-line front end on the same engine as the extension.
import { readFile } from 'node:fs/promises';
import { forgetLauncherEnvironment } from './core/cliLauncher';
import { asNixShellError } from './core/errors';
import { killAllProcessGroups } from './core/process';
import { argumentError, commandOf } from './cli/args';
import { parse, runEnv, runStatus, usage } from './cli/env';
import { pinUsage, runPin } from './cli/pin';

// Started by the launcher on PATH: its Electron-as-Node flag must not reach what the CLI prints.
forgetLauncherEnvironment(process.env);

/** Set when a signal asks the CLI to stop: a capture winds down and cleans up, then it exits. */
const interrupted = new AbortController();

/** The version in the package.json beside the bundle (dist/cli.js → ../package.json). */
async function version(): Promise<string> {
  const manifest = await readFile(new URL('../package.json', import.meta.url), 'utf8');
  return (JSON.parse(manifest) as { version?: string }).version ?? 'unknown';
}

async function main(argv: readonly string[]): Promise<void> {
  if (argv[0] === '--version' || argv[0] === '-V') {
    process.stdout.write(`nixshell ${await version()}\n`);
    return;
  }
  if (argv[0] === 'help') {
    // `nixshell help [COMMAND]`, as `nixshell [COMMAND] --help`.
    process.stdout.write(`${argv[1] === 'pin' ? pinUsage : usage}\n`);
    return;
  }
  if (commandOf(argv) === 'pin') {
    await runPin(argv);
    return;
  }
  const { command, dir, options } = parse(argv);
  if (command === 'env') await runEnv(dir, options, interrupted.signal);
  else await runStatus(dir, options);
}

// A closed terminal (SIGHUP), Ctrl-C or a kill: nix gets SIGTERM and a grace period to remove
// its own temporary files, ours are removed, and the exit status is 128 + the signal's number,
// as shells report it. A second signal, or a run that does not wind down, stops at once.
const graceMs = 5000;
for (const [signal, code] of [
  ['SIGHUP', 129],
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  process.on(signal, () => {
    process.exitCode = code;
    const now = () => {
      killAllProcessGroups();
      process.exit(code);
    };
    if (interrupted.signal.aborted) now();
    interrupted.abort();
    setTimeout(now, graceMs).unref();
  });
}

// `nixshell env | head` closes the pipe early: what the reader wanted, it has. Any other failure
// to write (a full disk) is one line, not a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  process.stderr.write(`nixshell: cannot write the output: ${error.code ?? error.message}\n`);
  process.exit(1);
});

main(process.argv.slice(2)).catch((thrown: unknown) => {
  if (interrupted.signal.aborted) return;
  const error =
    thrown instanceof TypeError && 'code' in thrown
      ? argumentError(
          thrown,
          commandOf(process.argv.slice(2)) === 'pin' ? 'nixshell pin --help' : undefined,
        )
      : asNixShellError(thrown);
  process.stderr.write(`nixshell: ${error.message.split('\n')[0] ?? 'failed'}\n`);
  process.exitCode = error.kind === 'unsupported' ? 2 : 1;
});
