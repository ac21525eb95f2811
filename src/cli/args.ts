import { parseArgs, type ParseArgsConfig } from 'node:util';
import { NixShellError } from '../core/errors';

export function usageError(message: string, help = 'nixshell --help'): NixShellError {
  return new NixShellError('unsupported', `${message} (see ${help})`);
}

/**
 * Node's parseArgs explains its errors at length (and with an unbalanced quote); the CLI says
 * what was wrong in one line.
 */
export function argumentError(
  error: TypeError & { code?: unknown },
  help = 'nixshell --help',
): NixShellError {
  const option = /'(-[^' ]+)/.exec(error.message)?.[1];
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return usageError(`unknown option ${option ?? error.message}`, help);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return usageError(`${option ?? 'an option'} needs a value`, help);
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return usageError('too many arguments', help);
    default:
      return usageError(error.message.split('.')[0] ?? error.message, help);
  }
}

/** Node's parseArgs, throwing only our own error for a wrong command line. */
export function parseArgsOrUsage<T extends ParseArgsConfig>(
  config: T,
  help = 'nixshell --help',
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    if (error instanceof TypeError && 'code' in error) throw argumentError(error, help);
    throw error;
  }
}

/**
 * Pulls `--arg A B`, `--argstr A B` and `-I P` (nix's evaluation arguments) and `--option N V`
 * (nix settings) out first: parseArgs takes one value per flag.
 */
export function extractNixArgs(argv: readonly string[]): {
  rest: string[];
  nixArgs: string[];
  nixOptions: string[];
} {
  const rest: string[] = [];
  const nixArgs: string[] = [];
  const nixOptions: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const arity = ['--arg', '--argstr', '--option'].includes(arg) ? 2 : arg === '-I' ? 1 : 0;
    if (arity === 0) {
      rest.push(arg);
      continue;
    }
    const values = argv.slice(i + 1, i + 1 + arity);
    if (values.length < arity) throw usageError(`${arg} needs ${arity} value(s)`);
    (arg === '--option' ? nixOptions : nixArgs).push(arg, ...values);
    i += arity;
  }
  return { rest, nixArgs, nixOptions };
}

/** The command word, found the way parse() would find it, without rejecting pin's options. */
/** The commands on system configurations (src/cli/configs.ts), known here so it loads lazily. */
export const configCommands = ['configs', 'check', 'vm', 'compare'] as const;

export function isConfigCommand(name: string | undefined): boolean {
  return (configCommands as readonly (string | undefined)[]).includes(name);
}

export function commandOf(argv: readonly string[]): string | undefined {
  const { positionals } = parseArgs({
    args: extractNixArgs(argv).rest,
    allowPositionals: true,
    strict: false,
    options: Object.fromEntries(
      [
        'file',
        'dev-shell',
        'cache-dir',
        'nix',
        'timeout',
        'branch',
        'channel',
        'rev',
        'from',
        'config',
        'against',
        'to',
        'sign-key',
        'older-than',
      ].map((name) => [name, { type: 'string' as const }]),
    ),
  });
  return positionals[0];
}
