import path from 'node:path';
import { execa } from 'execa';
import {
  AmbiguousConfiguration,
  assertHasVm,
  buildVm,
  checkConfiguration,
  compareWithRunning,
  configurationAttr,
  configurationKinds,
  configurationRef,
  discoverInFolder,
  requireConfiguration,
  vmPlatformWarning,
  type ConfigurationContext,
  type SystemConfiguration,
} from '../core/configs';
import { baseEnvironment } from '../core/engine';
import { asNixShellError, NixShellError, userLocation } from '../core/errors';
import { streamLogger, type Logger } from '../core/logger';
import { locateNix } from '../core/nix/installation';
import { configCommands, parseArgsOrUsage, usageError } from './args';

export const configsUsage = `Usage: nixshell configs [DIR] [--json]
       nixshell check [DIR] [--config NAME] [--json]
       nixshell vm [DIR] --config NAME
       nixshell compare [DIR] --config NAME [--against PATH]

The NixOS, nix-darwin and home-manager configurations of the flakes in DIR (its flake.nix and
those one level down; default: the current directory).

Commands:
  configs    list them, without evaluating any
  check      evaluate each (or NAME) to the derivation of its system, as a rebuild does before
             building; an error names the file and line it comes from; exits 1 if one fails
  vm         build NAME's VM (config.system.build.vm), as \`nixos-rebuild build-vm\`, then run
             its bin/run-*-vm here, in the foreground (its disk image: $NIX_DISK_IMAGE, else
             ./HOST.qcow2 in the current directory)
  compare    build NAME's system and show what switching to it would change
             (\`nix store diff-closures\` against /run/current-system)

Options:
  --config NAME      laptop, or nixosConfigurations.laptop where kinds share a name
  --against PATH     (compare) the system to compare with, instead of the running one
  --json             print JSON
  --nix PATH         the nix executable or its directory (default: on PATH)
  --timeout SECONDS  give up evaluating or building after this long (default: no limit)
  --verbose          log what nix does to stderr
  -h, --help         show this help`;

interface ConfigsOptions {
  readonly command: (typeof configCommands)[number];
  readonly dir: string;
  readonly config: string | undefined;
  readonly against: string | undefined;
  readonly json: boolean;
  readonly nix: string | undefined;
  readonly timeout: string | undefined;
  readonly verbose: boolean;
}

function parse(argv: readonly string[]): ConfigsOptions {
  const { values, positionals } = parseArgsOrUsage(
    {
      args: [...argv],
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        against: { type: 'string' },
        json: { type: 'boolean', default: false },
        nix: { type: 'string' },
        timeout: { type: 'string' },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    },
    'nixshell configs --help',
  );
  if (values.help) {
    process.stdout.write(`${configsUsage}\n`);
    process.exit(0);
  }
  const [command, dir, ...extra] = positionals;
  const known = configCommands.find((c) => c === command);
  if (!known) throw usageError(`unknown command ${command ?? '(none)'}`, 'nixshell configs --help');
  if (extra.length > 0)
    throw usageError(`unexpected argument ${extra[0]}`, 'nixshell configs --help');
  if ((known === 'vm' || known === 'compare') && !values.config) {
    throw usageError(`${known} needs --config NAME`, 'nixshell configs --help');
  }
  return {
    command: known,
    dir: path.resolve(dir ?? '.'),
    config: values.config,
    against: values.against,
    json: values.json,
    nix: values.nix,
    timeout: values.timeout,
    verbose: values.verbose,
  };
}

export async function runConfigs(argv: readonly string[], signal: AbortSignal): Promise<void> {
  const options = parse(argv);
  const context = await configurationContext(options, signal);
  const all = await discoverInFolder(context.nix, options.dir, context);
  if (options.command === 'configs') return listConfigurations(all, options);
  const chosen = options.config ? [resolve(all, options.config, options.dir)] : all;
  if (chosen.length === 0) {
    throw new NixShellError(
      'no-environment',
      `no NixOS, nix-darwin or home-manager configuration in ${options.dir}`,
    );
  }
  if (options.command === 'check') return checkAll(chosen, context, options.json);
  const [config] = chosen as [SystemConfiguration];
  if (options.command === 'vm') return runVm(config, context, signal);
  const comparison = await compareWithRunning(config, context, options.against);
  if (comparison.kind === 'nothing-running') {
    throw new NixShellError('no-environment', comparison.message);
  }
  process.stdout.write(
    comparison.text === ''
      ? `no changes between ${comparison.current} and ${comparison.next}\n`
      : `${comparison.text}\n`,
  );
}

async function configurationContext(
  options: ConfigsOptions,
  signal: AbortSignal,
): Promise<ConfigurationContext> {
  const timeout = Number(options.timeout ?? 0);
  if (!Number.isFinite(timeout) || timeout < 0) throw usageError('--timeout takes seconds');
  const env = baseEnvironment(process.env);
  return {
    nix: await locateNix(options.nix, env['PATH']),
    env,
    signal,
    logger: quietErrors(
      streamLogger((line) => process.stderr.write(line), options.verbose ? 'debug' : 'warn'),
      options.verbose,
    ),
    evaluationTimeoutMs: timeout * 1000,
    hookTimeoutMs: 0,
  };
}

/** Nix's own error text is for --verbose: the CLI says each failure once, with its position. */
function quietErrors(logger: Logger, verbose: boolean): Logger {
  return verbose ? logger : { ...logger, error: () => undefined };
}

function resolve(
  all: readonly SystemConfiguration[],
  wanted: string,
  dir: string,
): SystemConfiguration {
  try {
    return requireConfiguration(all, wanted, dir);
  } catch (error) {
    if (error instanceof AmbiguousConfiguration)
      throw usageError(error.message, 'nixshell configs --help');
    throw error;
  }
}

function listConfigurations(all: readonly SystemConfiguration[], options: ConfigsOptions): void {
  if (options.json) {
    const rows = all.map((c) => ({
      kind: c.kind,
      name: c.name,
      attr: configurationAttr(c),
      flake: path.join(c.flakeDir, 'flake.nix'),
    }));
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  for (const c of all) {
    process.stdout.write(
      `${c.name}\t${configurationKinds[c.kind].label}\t${configurationRef(c, options.dir)}\n`,
    );
  }
}

/** Checks one after the other; every failure is reported, and any makes the exit status 1. */
async function checkAll(
  chosen: readonly SystemConfiguration[],
  context: ConfigurationContext,
  json: boolean,
): Promise<void> {
  const results = [];
  for (const config of chosen) {
    const attr = configurationAttr(config);
    try {
      const { drvPath } = await checkConfiguration(config, context);
      results.push({ attr, ok: true, drvPath });
      if (!json) process.stdout.write(`ok\t${attr}\t${drvPath}\n`);
    } catch (thrown) {
      const error = asNixShellError(thrown);
      if (error.kind === 'cancelled' || error.kind === 'nix-not-found') throw error;
      const at = userLocation(error.locations);
      const where = at ? `${at.file}:${at.line}:${at.column}` : undefined;
      results.push({ attr, ok: false, error: error.message, ...(at ? { location: at } : {}) });
      if (!json)
        process.stderr.write(`nixshell: ${attr}: ${where ? `${where}: ` : ''}${error.message}\n`);
    }
  }
  if (json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  if (results.some((r) => !r.ok)) process.exitCode = 1;
}

/**
 * Builds the VM and runs it here, as `nixos-rebuild build-vm` then `./result/bin/run-*-vm`:
 * in the foreground, with the terminal (QEMU's console) and the current directory.
 */
async function runVm(
  config: SystemConfiguration,
  context: ConfigurationContext,
  signal: AbortSignal,
): Promise<void> {
  assertHasVm(config);
  const warning = await vmPlatformWarning();
  if (warning) process.stderr.write(`nixshell: warning: ${warning}\n`);
  process.stderr.write(`nixshell: building the VM of ${config.name}\n`);
  const vm = await buildVm(config, context);
  process.stderr.write(`nixshell: running ${vm.runScript}\n`);
  const result = await execa(vm.runScript, [], {
    stdio: 'inherit',
    env: process.env,
    reject: false,
    cancelSignal: signal,
    forceKillAfterDelay: 5000,
  });
  if (result.exitCode !== 0 && !signal.aborted) {
    process.exitCode = result.exitCode ?? 1;
    process.stderr.write(
      `nixshell: the VM exited with ${result.exitCode ?? result.signal ?? 'an error'}\n`,
    );
  }
}
