// `nixshell`: the command-line front end on the same engine as the extension.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { forgetLauncherEnvironment } from './core/cliLauncher';
import { asNixShellError } from './core/errors';
import { redact } from './core/redact';
import { endAllProcesses, killAllProcessGroups } from './core/process';
import { commandOf, isConfigCommand } from './cli/args';
import { parse, runEnv, runStatus, usage } from './cli/env';

// Started by the launcher on PATH: its Electron-as-Node flag must not reach what the CLI prints.
forgetLauncherEnvironment(process.env);

/** Set when a signal asks the CLI to stop: a capture winds down and cleans up, then it exits. */
const interrupted = new AbortController();

/** The version in the package.json beside the bundle (dist/cliBundle.cjs → ../package.json). */
async function version(): Promise<string> {
  const manifest = await readFile(path.join(__dirname, '..', 'package.json'), 'utf8');
  return (JSON.parse(manifest) as { version?: string }).version ?? 'unknown';
}

/** The pin command and its dependencies load only for `nixshell pin`: `env` stays quick. */
const pinCommand = () => import('./cli/pin');
/** Likewise the system configurations' commands. */
const configsCommand = () => import('./cli/configs');
/** And the binary cache commands, `plan` and `push`. */
const storeCommand = () => import('./cli/store');
/** And the store hygiene commands, `roots` and `gc`. */
const gcCommand = () => import('./cli/gc');
const isGcCommand = (name: string | undefined) => name === 'roots' || name === 'gc';

async function main(argv: readonly string[]): Promise<void> {
  if (argv[0] === '--version' || argv[0] === '-V') {
    process.stdout.write(`nixshell ${await version()}\n`);
    return;
  }
  if (argv[0] === 'help') {
    // `nixshell help [COMMAND]`, as `nixshell [COMMAND] --help`.
    const topic = argv[1] ?? '';
    const text =
      topic === 'pin'
        ? (await pinCommand()).pinUsage
        : isConfigCommand(topic)
          ? (await configsCommand()).configsUsage
          : isGcCommand(topic)
            ? (await gcCommand()).gcUsage
            : usage;
    process.stdout.write(`${text}\n`);
    return;
  }
  if (commandOf(argv) === 'pin') {
    await (await pinCommand()).runPin(argv);
    return;
  }
  if (isConfigCommand(commandOf(argv))) {
    await (await configsCommand()).runConfigs(argv, interrupted.signal);
    return;
  }
  if (isGcCommand(commandOf(argv))) {
    await (await gcCommand()).runGcCommand(argv, interrupted.signal);
    return;
  }
  const parsed = parse(argv);
  if (parsed.command === 'help') process.stdout.write(`${usage}\n`);
  else if (parsed.command === 'env') await runEnv(parsed.dir, parsed.options, interrupted.signal);
  else if (parsed.command === 'plan' || parsed.command === 'push') {
    const store = await storeCommand();
    const run = parsed.command === 'plan' ? store.runPlan : store.runPush;
    await run(parsed.dir, parsed.options, interrupted.signal);
  } else await runStatus(parsed.dir, parsed.options);
}

// A closed terminal (SIGHUP), Ctrl-C or a kill: nix gets SIGTERM and a grace period to remove
// its own temporary files, ours are removed, and the exit status is 128 + the signal's number,
// as shells report it. A second signal, or a run that does not wind down, stops at once.
const graceMs = 5000;
let running: Promise<void> = Promise.resolve();
for (const [signal, code] of [
  ['SIGHUP', 129],
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  process.on(signal, () => {
    process.exitCode = code;
    if (interrupted.signal.aborted) {
      killAllProcessGroups();
      process.exit(code);
    }
    interrupted.abort();
    void endAllProcesses([running], graceMs).then(() => process.exit(code));
  });
}

// `nixshell env | head` closes the pipe early: what the reader wanted, it has. Any other failure
// to write (a full disk) is one line, not a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  process.stderr.write(`nixshell: cannot write the output: ${error.code ?? error.message}\n`);
  process.exit(1);
});

running = main(process.argv.slice(2)).catch((thrown: unknown) => {
  if (interrupted.signal.aborted) return;
  const error = asNixShellError(thrown);
  process.stderr.write(`nixshell: ${redact(error.message.split('\n')[0] ?? 'failed')}\n`);
  process.exitCode = error.kind === 'unsupported' ? 2 : 1;
});
