import { evaluationError } from '../capture/failure';
import { inFlakeCheckout, localInputs } from '../capture/inputs';
import { runNix, type NixRun, type StepContext } from '../capture/run';
import { NixShellError } from '../errors';
import { nixCommandFlags, nixLogFlagsFor } from '../nix/command';
import { flakeRef } from '../nix/flake';
import type { NixInstallation } from '../nix/installation';
import { systemAttr, type SystemConfiguration } from './kinds';

/** What evaluating or building a configuration needs: the nix, its environment, and a step's. */
export interface ConfigurationContext extends StepContext {
  readonly nix: NixInstallation;
  readonly env: Record<string, string>;
}

export interface CheckResult {
  readonly config: SystemConfiguration;
  /** The derivation of what a switch would activate: the configuration evaluates. */
  readonly drvPath: string;
  /** The local files evaluation read, to know which saves can change the result. */
  readonly inputs: readonly string[];
}

/**
 * Evaluates a configuration as far as `nixos-rebuild build` would before building: to the
 * derivation of its system (`config.system.build.toplevel.drvPath` and the equivalents), which
 * forces every option the system uses. Nothing is built. An evaluation error points at the
 * checkout's file and line, not at the flake's store copy.
 */
export async function checkConfiguration(
  config: SystemConfiguration,
  context: ConfigurationContext,
): Promise<CheckResult> {
  const run = await runOnFlake(config, ['eval', '--raw'], `${systemAttr(config)}.drvPath`, context);
  return {
    config,
    drvPath: run.result.stdout.trim(),
    inputs: await localInputs({ kind: 'flake', dir: config.flakeDir }, run.readFiles),
  };
}

/** Builds one attribute of a configuration (its system, its VM) and returns the output path. */
export async function buildConfigurationAttr(
  config: SystemConfiguration,
  attr: string,
  context: ConfigurationContext,
): Promise<string> {
  const run = await runOnFlake(config, ['build', '--no-link', '--json'], attr, context);
  const out = builtOutput(run.result.stdout);
  if (!out) {
    throw new NixShellError('evaluation', `nix built ${attr} but did not say where it is`, {
      details: run.result.stdout,
    });
  }
  return out;
}

/** `nix build --json`'s first output path (`[{"drvPath":…,"outputs":{"out":…}}]`). */
export function builtOutput(json: string): string | undefined {
  try {
    const built: unknown = JSON.parse(json);
    const first: unknown = Array.isArray(built) ? built[0] : undefined;
    const outputs = (first as { outputs?: Record<string, unknown> } | undefined)?.outputs;
    const out = outputs?.['out'] ?? Object.values(outputs ?? {})[0];
    return typeof out === 'string' ? out : undefined;
  } catch {
    return undefined;
  }
}

async function runOnFlake(
  config: SystemConfiguration,
  command: readonly string[],
  attr: string,
  context: ConfigurationContext,
): Promise<NixRun> {
  const run = await runNix(
    context.nix.nix,
    [
      ...nixCommandFlags,
      ...command,
      ...nixLogFlagsFor(context.nix.identity),
      // A module's mistake is deep in the trace, which nix ≥2.20 truncates without this flag.
      '--show-trace',
      // With the eval cache, nix logs no `evaluating file` lines, and errors lose their files.
      '--option',
      'eval-cache',
      'false',
      `${flakeRef(config.flakeDir)}#${attr}`,
    ],
    { cwd: config.flakeDir, env: context.env, collectStdout: true },
    context,
  );
  if (run.result.exitCode !== 0) {
    throw await inFlakeCheckout(evaluationError(run), config.flakeDir, run.readFiles);
  }
  return run;
}
