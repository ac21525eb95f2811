// `nixshell`: the command-line front end on the same engine as the extension.
import { asNixShellError } from './core/errors';
import { killAllProcessGroups } from './core/process';
import { commandOf, usageError } from './cli/args';
import { parse, runEnv, runStatus } from './cli/env';
import { runPin } from './cli/pin';

async function main(argv: readonly string[]): Promise<void> {
  if (commandOf(argv) === 'pin') {
    await runPin(argv);
    return;
  }
  const { command, dir, options } = parse(argv);
  if (command === 'env') await runEnv(dir, options);
  else await runStatus(dir, options);
}

// 128 + the signal's number, as shells report a process a signal ended.
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  process.on(signal, () => {
    killAllProcessGroups();
    process.exit(code);
  });
}

main(process.argv.slice(2)).catch((thrown: unknown) => {
  const error =
    thrown instanceof TypeError && 'code' in thrown
      ? usageError(thrown.message)
      : asNixShellError(thrown);
  process.stderr.write(`nixshell: ${error.message.split('\n')[0] ?? 'failed'}\n`);
  process.exitCode = error.kind === 'unsupported' ? 2 : 1;
});
