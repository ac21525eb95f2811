import path from 'node:path';
import { runNix, type StepContext } from '../capture/run';
import { evaluationError } from '../capture/failure';
import { nixCommandFlags, nixLogFlags } from '../nix/command';
import { readDerivationInputs, realisableInputs } from '../nix/derivation';
import { flakeRef } from '../nix/flake';
import { acceptsFlakeConfig, flakeCacheOptions } from '../nix/flakeConfig';
import { nixSystem, type NixInstallation } from '../nix/installation';
import { targetRoot, type TargetSpec } from '../target';

/** Where nix runs for a spec, and with what: the environment evaluation sees. */
export interface NixInvocation {
  readonly spec: TargetSpec;
  readonly nix: NixInstallation;
  readonly env: Record<string, string>;
  readonly context: StepContext;
}

/**
 * The shell's derivation, instantiated as entering would: a Nix file as nix-shell evaluates it
 * (`inNixShell`, its attribute), a flake's `devShells.<system>.<name>` as `nix develop` does.
 */
export async function shellDerivation(invocation: NixInvocation): Promise<string> {
  const { spec, nix, env, context } = invocation;
  const { target } = spec;
  const options = spec.options ?? [];
  const installable =
    target.kind === 'file'
      ? [
          '--impure',
          '-f',
          target.file,
          '--arg',
          'inNixShell',
          'true',
          ...spec.args,
          target.attr ? `${target.attr}.drvPath` : 'drvPath',
        ]
      : [
          // A cached drvPath may name a .drv since collected; and a capture may be writing
          // flake.lock right now (the editor plans beside it): this run never writes it.
          '--option',
          'eval-cache',
          'false',
          '--no-write-lock-file',
          ...spec.args,
          `${flakeRef(target.dir)}#devShells.${JSON.stringify(await nixSystem(nix, env))}.${JSON.stringify(target.devShell ?? 'default')}.drvPath`,
        ];
  const run = await runNix(
    nix.nix,
    [...nixCommandFlags, 'eval', '--raw', ...nixLogFlags, ...options, ...installable],
    {
      cwd: targetRoot(target),
      env: { ...env, IN_NIX_SHELL: 'impure' },
      collectStdout: true,
      onStdoutLine: () => undefined,
    },
    context,
  );
  const drvPath = run.result.stdout.trim();
  if (run.result.exitCode !== 0 || !path.isAbsolute(drvPath)) throw evaluationError(run);
  return drvPath;
}

/**
 * The invocation with an accepted flake's cache settings spelled out, for the nix runs on
 * store paths that never read the flake (a dry run, `nix copy`): as nix develop would
 * substitute from them, so do these.
 */
export async function withAcceptedFlakeConfig(invocation: NixInvocation): Promise<NixInvocation> {
  const { spec, nix, env, context } = invocation;
  const options = spec.options ?? [];
  if (spec.target.kind !== 'flake' || !acceptsFlakeConfig(options)) return invocation;
  const flakeOptions = await flakeCacheOptions(nix, spec.target.dir, {
    env,
    signal: context.signal,
  });
  return { ...invocation, spec: { ...spec, options: [...options, ...flakeOptions] } };
}

/** What entering realises before the shell starts: the shell derivation's inputs. */
export async function shellInputs(invocation: NixInvocation): Promise<string[]> {
  return realisableInputs(await readDerivationInputs(await shellDerivation(invocation)));
}

/** A store path's name: `/nix/store/<hash>-hello-2.12.drv` → `hello-2.12` (for a drv). */
export function storePathName(storePath: string): string {
  return path
    .basename(storePath)
    .replace(/^[0-9a-z]{32}-/, '')
    .replace(/\.drv$/, '');
}
