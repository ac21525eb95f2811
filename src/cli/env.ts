import path from 'node:path';
import { EnvironmentCache } from '../core/cache/store';
import { defaultCacheDir } from '../core/cacheHome';
import { shellStateScript } from '../core/capture/shellDump';
import { shellQuote } from '../core/shellQuote';
import { resolveTarget, type ResolvedTarget } from '../core/discovery';
import { baseEnvironment, captureAndStore, lookup, type EngineContext } from '../core/engine';
import { applyMutations, type Mutation } from '../core/env/mutations';
import { NixShellError } from '../core/errors';
import { streamLogger } from '../core/logger';
import { envrcNoteText } from '../core/envrc/parse';
import { targetLabel, type TargetSpec } from '../core/target';
import { acceptFlakeConfig } from '../core/nix/flakeConfig';
import { extractNixArgs, parseArgsOrUsage, usageError } from './args';
import { progressLine } from './progressLine';
import { entriesByName } from '../core/order';

export const usage = `Usage: nixshell <command> [DIR] [options]

Commands:
  env [DIR]      the environment a new terminal in DIR gets, with the project's Nix env applied
                 (default: shell \`export\` lines; --json: every variable; --diff: the changes)
  status [DIR]   the chosen environment file and the state of its cache
  plan [DIR]     what entering would build and download, without building
  push [DIR] --to URL   copy what entering needs to a binary cache or store (nix copy)
  roots          the environments kept alive against nix's garbage collector, with sizes
  gc             drop environments of projects gone or unused, then collect garbage
                 (see nixshell gc --help)
  pin ...        pin nixpkgs for DIR in nixpkgs.lock.json (see nixshell pin --help)
  configs [DIR]  the NixOS, nix-darwin and home-manager configurations of DIR's flakes;
                 check, vm and compare them (see nixshell configs --help)
  help [COMMAND] this help, or a command's

Options:
  --json               print JSON
  --diff               (env) print the mutations as JSON: set, prepend, append, unset
  --functions          (env) also print the shell's variables, functions and aliases, as
                       bash: \`eval "$(nixshell env --functions)"\` in bash defines them too
  --file FILE          the .nix file or flake directory to use (default: discovered)
  --dev-shell NAME     the flake devShell to enter (default: default)
  --arg NAME EXPR      passed to nix, like --argstr NAME STRING and -I PATH (repeatable)
  --option NAME VALUE  a nix setting, for every nix run (extra-substituters URL,
                       extra-trusted-public-keys KEY, …; repeatable)
  --accept-flake-config  use the flake's nixConfig (its substituters and keys) as
                       nix's own --accept-flake-config does; otherwise it is ignored
  --to URL             (push) a store URL nix copy takes: file://DIR, ssh://HOST, s3://…
  --sign-key FILE      (push) sign what is copied with this secret key
                       (nix key generate-secret, or nix-store --generate-binary-cache-key)
  --refresh            capture again even if the cache is fresh
  --cache-dir DIR      where captured environments are kept
                       (default: $NIXSHELL_CACHE_DIR or $XDG_CACHE_HOME/nixshell)
  --nix PATH           the nix executable or its directory (default: on PATH)
  --timeout SECONDS    give up evaluating after this long (default: no limit)
  --verbose            log what nix does to stderr
  -h, --help           show this help
  -V, --version        show the version`;

export interface CliOptions {
  readonly json: boolean;
  readonly diff: boolean;
  readonly functions: boolean;
  readonly refresh: boolean;
  readonly verbose: boolean;
  readonly file: string | undefined;
  readonly devShell: string | undefined;
  readonly cacheDir: string | undefined;
  readonly nix: string | undefined;
  readonly timeout: string | undefined;
  readonly nixArgs: string[];
  readonly nixOptions: string[];
  readonly to: string | undefined;
  readonly signKey: string | undefined;
}

const commands = ['env', 'status', 'plan', 'push'] as const;

/** A command line of `env`, `status`, `plan` or `push`; `help` for `--help`, whose usage the caller prints. */
export type ParsedCommandLine =
  | { readonly command: 'help' }
  | {
      readonly command: (typeof commands)[number];
      readonly dir: string;
      readonly options: CliOptions;
    };

export function parse(argv: readonly string[]): ParsedCommandLine {
  const { rest, nixArgs, nixOptions } = extractNixArgs(argv);
  const { values, positionals } = parseArgsOrUsage({
    args: rest,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      diff: { type: 'boolean', default: false },
      functions: { type: 'boolean', default: false },
      refresh: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      'accept-flake-config': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      file: { type: 'string' },
      'dev-shell': { type: 'string' },
      'cache-dir': { type: 'string' },
      nix: { type: 'string' },
      timeout: { type: 'string' },
      to: { type: 'string' },
      'sign-key': { type: 'string' },
    },
  });
  const [command, dir, ...extra] = positionals;
  if (values.help) return { command: 'help' };
  const known = commands.find((name) => name === command);
  if (!known) throw usageError(`unknown command ${command ?? '(none)'}`);
  if (extra.length > 0) throw usageError(`unexpected argument ${extra[0]}`);
  if (command === 'push' && !values.to) throw usageError('push needs --to URL');
  return {
    command: known,
    dir: path.resolve(dir ?? '.'),
    options: {
      json: values.json,
      diff: values.diff,
      functions: values.functions,
      refresh: values.refresh,
      verbose: values.verbose,
      file: values.file,
      devShell: values['dev-shell'],
      cacheDir: values['cache-dir'],
      nix: values.nix,
      timeout: values.timeout,
      nixArgs,
      // nix's own flag: a flake's nixConfig (its binary caches) applies without asking.
      nixOptions: values['accept-flake-config']
        ? [...nixOptions, ...acceptFlakeConfig]
        : nixOptions,
      to: values.to,
      signKey: values['sign-key'],
    },
  };
}

export function engineContext(
  options: CliOptions,
  writeLog: (line: string) => void = (line) => process.stderr.write(line),
): EngineContext {
  const timeout = Number(options.timeout ?? 0);
  if (!Number.isFinite(timeout) || timeout < 0) throw usageError('--timeout takes seconds');
  return {
    cache: new EnvironmentCache(path.resolve(options.cacheDir ?? defaultCacheDir())),
    // With the compiled code (cliLoader.ts), wherever --cache-dir puts the environments.
    machineDir: defaultCacheDir(),
    base: baseEnvironment(process.env),
    logger: streamLogger(writeLog, options.verbose ? 'debug' : 'warn'),
    nixPath: options.nix,
    evaluationTimeoutMs: timeout * 1000,
    hookTimeoutMs: 30_000,
    client: 'nixshell env',
  };
}

export async function resolveSpec(
  dir: string,
  options: CliOptions,
): Promise<ResolvedTarget & { spec: TargetSpec }> {
  const resolved = await resolveTarget(
    dir,
    { file: options.file, devShell: options.devShell },
    options.nixArgs,
  );
  const { spec } = resolved;
  if (!spec) {
    throw new NixShellError('no-environment', `no flake.nix, shell.nix or default.nix in ${dir}`);
  }
  return { ...resolved, spec: { ...spec, options: options.nixOptions } };
}

export async function runEnv(
  dir: string,
  options: CliOptions,
  signal?: AbortSignal,
): Promise<void> {
  const progress = progressLine();
  // A log line starts on a line of its own, not after the progress line.
  const context = engineContext(options, (line) => {
    progress.end();
    process.stderr.write(line);
  });
  const { spec } = await resolveSpec(dir, options);
  const found = await lookup(spec, context);
  const cached = found.entry && found.freshness.fresh && !options.refresh ? found.entry : undefined;
  // What the capture dropped is said on every run that serves it, not only on the first.
  for (const warning of cached?.warnings ?? [])
    if (warning.startsWith('dropped variable')) context.logger.warn(warning);
  const entry =
    cached ??
    (await captureAndStore(spec, context, {
      signal,
      lookedUp: found,
      onProgress: progress.report,
      // One line, whatever the log level: a capture that waits must never look hung.
      onWait: (text) => {
        progress.end();
        process.stderr.write(`nixshell: ${text}\n`);
      },
    }).finally(progress.end));
  if (options.diff) {
    process.stdout.write(`${JSON.stringify(diffJson(entry.mutations), null, 2)}\n`);
  } else if (options.json) {
    const env = applyMutations(baseEnvironment(process.env), entry.mutations);
    process.stdout.write(`${JSON.stringify(sortKeys(env), null, 2)}\n`);
  } else {
    process.stdout.write(shellExports(entry.mutations));
    if (options.functions) process.stdout.write(shellStateScript(entry.shell));
  }
}

export async function runStatus(dir: string, options: CliOptions): Promise<void> {
  const context = engineContext(options);
  const { spec, source, envrc } = await resolveSpec(dir, options);
  const found = await lookup(spec, context);
  const status = {
    folder: dir,
    target: targetLabel(spec.target, dir),
    source,
    file: spec.target.kind === 'file' ? spec.target.file : path.join(spec.target.dir, 'flake.nix'),
    kind: spec.target.kind,
    ...(spec.target.kind === 'flake' ? { devShell: spec.target.devShell ?? 'default' } : {}),
    ...(spec.args.length > 0 ? { args: spec.args.join(' ') } : {}),
    ...(envrc && envrc.notes.length > 0 ? { envrcNotes: envrc.notes.map(envrcNoteText) } : {}),
    cache: !found.entry ? 'missing' : found.freshness.fresh ? 'fresh' : 'stale',
    ...(found.freshness.fresh ? {} : { reason: found.freshness.reason }),
    inputs: found.entry?.inputs.length ?? 0,
    variables: found.entry?.mutations.length ?? 0,
    ...(found.entry
      ? {
          capturedAt: found.entry.capturedAt,
          method: found.entry.method,
          nixVersion: found.entry.nixVersion,
        }
      : {}),
    cacheDir: context.cache.directory,
  };
  if (options.json) {
    process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
    return;
  }
  for (const [name, value] of Object.entries(status)) {
    const text = Array.isArray(value) ? value.join('\n  ') : String(value);
    process.stdout.write(`${name}: ${text}\n`);
  }
}

function diffJson(mutations: readonly Mutation[]): {
  set: Record<string, string>;
  prepend: Record<string, string>;
  append: Record<string, string>;
  unset: string[];
} {
  const result = {
    set: {} as Record<string, string>,
    prepend: {} as Record<string, string>,
    append: {} as Record<string, string>,
    unset: [] as string[],
  };
  for (const mutation of mutations) {
    if (mutation.kind === 'unset') result.unset.push(mutation.name);
    else result[mutation.kind][mutation.name] = mutation.value;
  }
  return result;
}

/** `eval "$(nixshell env)"` in a POSIX shell enters the environment. */
function shellExports(mutations: readonly Mutation[]): string {
  const env = applyMutations(baseEnvironment(process.env), mutations);
  const names = [...new Set(mutations.map((mutation) => mutation.name))];
  return names
    .map((name) => {
      const value = env[name];
      return value === undefined ? `unset ${name}\n` : `export ${name}=${shellQuote(value)}\n`;
    })
    .join('');
}

function sortKeys(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(entriesByName(env));
}
