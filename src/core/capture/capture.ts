import { diffEnvironments, type Environment, type Mutation } from '../env/mutations';
import { NixShellError } from '../errors';
import { evaluationError, printDevEnvCannotWork } from './failure';
import { nixCommandFlags, nixLogFlags } from '../nix/command';
import { flakeRef } from '../nix/flake';
import { nixVersion, type NixInstallation } from '../nix/installation';
import { existingPaths, referencedStorePaths } from '../cache/store';
import { targetRoot, type TargetSpec } from '../target';
import { parseDevEnv, replayScript, type DevEnv } from './devEnv';
import { captureWithNixShell } from './nixShell';
import { flakeSourceMapper, localInputs } from './inputs';
import { findBash } from './bash';
import { readsSearchPathNixpkgs } from './nixpkgs';
import { runNix, runReplay, type StepContext } from './run';

export type CaptureMethod = 'print-dev-env' | 'nix-shell';

export interface CaptureRequest {
  readonly spec: TargetSpec;
  readonly nix: NixInstallation;
  /** The user's environment, without editor internals: what the result is a change to. */
  readonly base: Environment;
  /**
   * What nix and the shellHook start from, when it differs from `base`: with a pinned nixpkgs
   * first on NIX_PATH. The pin thus becomes a change too, and terminals get it as well.
   */
  readonly evalBase?: Environment | undefined;
  /** Where `--profile` keeps the `-env` store path alive (a GC root); none if undefined. */
  readonly profile?: string | undefined;
}

export interface Capture {
  readonly mutations: Mutation[];
  /** Local files and directories evaluation read, to watch and to validate the cache with. */
  readonly inputs: string[];
  /** The store paths the environment's values refer to (PATH entries, CC, …) that exist. */
  readonly storePaths: string[];
  readonly method: CaptureMethod;
  readonly nixVersion: string;
  readonly warnings: string[];
  /** Whether evaluation read `<nixpkgs>` from the user's channels or NIX_PATH. */
  readonly usedSearchPathNixpkgs: boolean;
}

/**
 * Captures a Nix environment as `nix develop` / `nix-shell` would give it, as a list of
 * mutations to the user's environment: `nix print-dev-env --json`, then the shellHook replayed
 * in a clean bash; or, where print-dev-env cannot work, `nix-shell --run` dumping `env -0`.
 */
export async function captureEnvironment(
  request: CaptureRequest,
  context: StepContext,
): Promise<Capture> {
  const { spec, nix } = request;
  const base = request.evalBase ?? request.base;
  const root = targetRoot(spec.target);
  const env = { ...base, IN_NIX_SHELL: 'impure' };
  const version = nixVersion(nix, env).catch(() => 'unknown');
  context.onProgress?.('evaluating');
  const run = await runNix(
    nix.nix,
    [
      ...nixCommandFlags,
      'print-dev-env',
      '--json',
      ...nixLogFlags,
      ...(request.profile ? ['--profile', request.profile] : []),
      ...installableArgs(spec),
    ],
    { cwd: root, env, collectStdout: true },
    context,
  );

  if (run.result.exitCode !== 0) {
    const error = await inCheckout(evaluationError(run), spec, run.readFiles);
    if (spec.target.kind !== 'file' || !printDevEnvCannotWork(run)) throw error;
    context.logger.info(
      `print-dev-env cannot capture this derivation (${error.message}); using nix-shell`,
    );
    const fallback = await captureWithNixShell(spec, nix, base, context);
    return finish(
      request,
      'nix-shell',
      fallback.env,
      fallback.readFiles,
      fallback.dropped,
      await version,
    );
  }

  let devEnv: DevEnv;
  try {
    devEnv = parseDevEnv(run.result.stdout);
  } catch (cause) {
    throw new NixShellError(
      'evaluation',
      'nix print-dev-env gave output that is not a dev environment',
      {
        cause,
        details: run.result.stdout.slice(0, 2000),
      },
    );
  }
  context.onProgress?.('running shellHook');
  const replayed = await runReplay(
    await findBash(devEnv, base),
    (dumpFile) => replayScript(devEnv, { base, root, dumpFile }),
    { cwd: root, env: replayEnvironment(base) },
    context,
  );
  return finish(
    request,
    'print-dev-env',
    replayed.env,
    run.readFiles,
    replayed.dropped,
    await version,
  );
}

async function finish(
  request: CaptureRequest,
  method: CaptureMethod,
  result: Environment,
  readFiles: readonly string[],
  dropped: readonly string[],
  version: string,
): Promise<Capture> {
  const mutations = diffEnvironments(request.base, result);
  const values = mutations.flatMap((m) => (m.kind === 'unset' ? [] : [m.value]));
  return {
    mutations,
    inputs: await localInputs(request.spec.target, readFiles),
    storePaths: await existingPaths(referencedStorePaths(values)),
    method,
    nixVersion: version,
    warnings: dropped.map((reason) => `dropped variable ${reason}`),
    usedSearchPathNixpkgs: await readsSearchPathNixpkgs(readFiles, request.base),
  };
}

/**
 * A flake is evaluated from its copy in the store; an error there points at the store copy,
 * which the user cannot edit. Point it at the file in the checkout instead.
 */
async function inCheckout(
  error: NixShellError,
  spec: TargetSpec,
  readFiles: readonly string[],
): Promise<NixShellError> {
  if (spec.target.kind !== 'flake' || error.locations.length === 0) return error;
  const toLocal = await flakeSourceMapper(spec.target.dir, readFiles);
  return new NixShellError(error.kind, error.message, {
    ...(error.details ? { details: error.details } : {}),
    locations: error.locations.map((l) => ({ ...l, file: toLocal(l.file) ?? l.file })),
    cause: error,
  });
}

export function installableArgs(spec: TargetSpec): string[] {
  const { target, args } = spec;
  if (target.kind === 'flake') {
    const ref = flakeRef(target.dir);
    // With the eval cache, nix logs no `evaluating file` lines, and the inputs would be lost.
    return [
      '--option',
      'eval-cache',
      'false',
      ...args,
      target.devShell ? `${ref}#${target.devShell}` : ref,
    ];
  }
  return ['--impure', '-f', target.file, '--arg', 'inNixShell', 'true', ...args, target.attr ?? ''];
}

/** A clean bash: no startup files of the user's, as `nix develop`'s rcfile-less shell. */
function replayEnvironment(base: Environment): Record<string, string> {
  const env: Record<string, string> = { ...base };
  // Non-interactive bash reads BASH_ENV (ENV only in POSIX mode, which this is not).
  delete env['BASH_ENV'];
  return env;
}
