import path from 'node:path';
import { diffEnvironments, type Environment, type Mutation } from '../env/mutations';
import { pathExists } from '../fs';
import { NixShellError } from '../errors';
import { evaluationError } from './failure';
import { nixCommandFlags, nixDebugLogFlags, nixLogFlagsFor } from '../nix/command';
import { flakeRef } from '../nix/flake';
import { nixVersion, type NixInstallation } from '../nix/installation';
import { existingPaths, referencedStorePaths } from '../cache/store';
import { targetRoot, type TargetSpec } from '../target';
import type { DevEnv } from './devEnv';
import { captureWithNixShell } from './nixShell';
import { FlakeCopies, inFlakeCheckout, localInputs } from './inputs';
import { readsSearchPathNixpkgs } from './nixpkgs';
import { runNix, runReplay, type NixRun, type StepContext } from './run';
import { EvaluationReads } from './evaluationReads';
import type { ShellState } from './shellDump';

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
  /**
   * Where facts of this machine are remembered across processes: `nix --version`'s answer,
   * and the files each flake evaluation read. Not remembered when undefined.
   */
  readonly machineDir?: string | undefined;
  /** The cache key the result is stored under: it names, with machineDir, what was read. */
  readonly key?: string | undefined;
}

export interface Capture {
  readonly mutations: Mutation[];
  /** The shell's functions, aliases and variables, for bash terminals. */
  readonly shell: ShellState;
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
 * Captures a Nix environment as the user's own shell would have it, as a list of mutations to
 * the user's environment plus the shell's functions, aliases and variables. A Nix file goes
 * through `nix-shell` itself, so it is exactly `nix-shell FILE`; a flake through
 * `nix print-dev-env --json` and the shellHook replayed in a clean bash, as `nix develop` does.
 */
export async function captureEnvironment(
  request: CaptureRequest,
  caller: StepContext,
): Promise<Capture> {
  const { spec, nix } = request;
  const base = request.evalBase ?? request.base;
  // Asked once the nix that evaluates has started: a process started before it would delay it.
  let nixStarted = () => {};
  const version = new Promise<void>((resolve) => (nixStarted = resolve))
    .then(() => nixVersion(nix, base, machineFile(request, 'nix-versions.json')))
    .catch(() => 'unknown');
  const context: StepContext = { ...caller, onNixStarted: nixStarted };
  context.onProgress?.('evaluating');
  if (spec.target.kind === 'file') {
    const captured = await captureWithNixShell(spec, nix, base, context);
    return finish(request, 'nix-shell', captured, await version);
  }
  const root = targetRoot(spec.target);
  // Loaded for flakes only: its schema library is not needed to capture a Nix file.
  const { parseDevEnv, replayCommand } = await import('./devEnv');
  const logFlags = nixLogFlagsFor(nix.identity);
  await lockFlakeIfUnlocked(spec, nix, { cwd: root, env: base, logFlags }, context);
  const { run, readFiles, copies, remembered } = await printDevEnv(
    request,
    spec.target.dir,
    context,
  );

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
  const replay = replayCommand(devEnv, base, root);
  const replayed = await runReplay(replay.bash, replay.script, replay.options, context);
  await remembered;
  const captured = {
    ...replayed,
    readFiles,
    copies,
    nixReportedReads: readFiles.length > 0,
    nixWarnings: run.warnings,
  };
  return finish(request, 'print-dev-env', captured, await version);
}

/**
 * `nix print-dev-env` with nix's evaluation cache, as `nix develop` runs it, and the files the
 * evaluation read: those nix reports when it evaluated; when its cache answered, those it
 * reported when it evaluated the same copy of the flake under the same key
 * (evaluationReads.ts), or else those of a second run with the cache off.
 */
async function printDevEnv(
  request: CaptureRequest,
  flakeDir: string,
  context: StepContext,
): Promise<{
  run: NixRun;
  readFiles: readonly string[];
  copies: FlakeCopies;
  remembered?: Promise<void>;
}> {
  const { spec, nix } = request;
  const copies = await FlakeCopies.of(flakeDir);
  const readsDir = machineFile(request, 'evaluations');
  const memory =
    readsDir && request.key !== undefined ? new EvaluationReads(readsDir, request.key) : undefined;
  // What the last evaluation under this key read is recorded while nix copies the tree: an
  // unchanged flake, answered from the cache, has the same inputs.
  void memory
    ?.recallLatest()
    .then((latest) => {
      for (const file of latest?.inSource ?? []) context.onReadFile?.(copies.inCheckout(file));
      for (const file of latest?.elsewhere ?? []) context.onReadFile?.(file);
    })
    .catch(() => undefined);
  // What an earlier evaluation of a copy read is recalled, and its files recorded, once nix
  // names the copy (late in its run: it copies the tree first).
  const recalls: Promise<string[] | undefined>[] = [];
  const flakeContext: StepContext = {
    ...context,
    onReadFile: (file) => {
      const source = copies.learn(file);
      if (source && memory) {
        const recall = memory.recall(source);
        recalls.push(recall);
        recall
          .then((files) => {
            for (const recalled of files ?? []) context.onReadFile?.(copies.toLocal(recalled));
          })
          .catch(() => undefined);
      }
      context.onReadFile?.(copies.toLocal(file));
    },
  };
  const evaluate = async (evalCache: boolean) => {
    const run = await runNix(
      nix.nix,
      printDevEnvArgs(spec, { profile: request.profile, evalCache }),
      {
        cwd: flakeDir,
        env: { ...(request.evalBase ?? request.base), IN_NIX_SHELL: 'impure' },
        collectStdout: true,
      },
      flakeContext,
    );
    if (run.result.exitCode !== 0) {
      throw await inFlakeCheckout(evaluationError(run), flakeDir, run.readFiles);
    }
    return run;
  };
  // A run that evaluated: what it read is all, and is remembered (while the shellHook runs).
  const evaluated = (run: NixRun) => {
    const remembered = memory?.remember(copies, run.readFiles);
    return { run, readFiles: run.readFiles, copies, ...(remembered ? { remembered } : {}) };
  };
  const first = await evaluate(true);
  if (first.derivationFrom === 'evaluation') return evaluated(first);
  // The cache answered, or this nix did not say: what it read may be only part. Every copy's
  // remembered reads count (nix may have copied the tree twice, around a new flake.lock).
  const recalled = (await Promise.all(recalls)).flatMap((files) => files ?? []);
  const answered = first.derivationFrom === 'eval-cache';
  const why = answered
    ? "nix's evaluation cache answered"
    : 'nix did not say whether its evaluation cache answered';
  if (recalled.length > 0) {
    context.logger.info(`${why}; the inputs are those remembered from its evaluation`);
    return { run: first, readFiles: [...new Set([...first.readFiles, ...recalled])], copies };
  }
  context.logger.info(`${why}; evaluating again to learn the inputs`);
  return evaluated(await evaluate(false));
}

/** The arguments of a flake capture's `nix print-dev-env` (the bench runs them too). */
export function printDevEnvArgs(
  spec: TargetSpec,
  options: { readonly profile?: string | undefined; readonly evalCache: boolean },
): string[] {
  return [
    ...nixCommandFlags,
    'print-dev-env',
    '--json',
    // Where nix says whether its evaluation cache answered.
    ...nixDebugLogFlags,
    ...(options.profile ? ['--profile', options.profile] : []),
    ...(options.evalCache ? [] : ['--option', 'eval-cache', 'false']),
    ...installableArgs(spec),
  ];
}

/**
 * A flake checked out without flake.lock gets one, as `nix develop` would write it. Written by
 * `nix flake lock` first, not while print-dev-env evaluates: nix 2.26 fails to evaluate a flake
 * with a relative `path:` input in the same run that creates its lock.
 */
export async function lockFlakeIfUnlocked(
  spec: TargetSpec,
  nix: NixInstallation,
  options: { cwd: string; env: Environment; logFlags: readonly string[] },
  context: StepContext,
): Promise<void> {
  if (spec.target.kind !== 'flake') return;
  const dir = spec.target.dir;
  if (await pathExists(path.join(dir, 'flake.lock'))) return;
  context.onProgress?.('locking the flake inputs');
  const run = await runNix(
    nix.nix,
    [
      ...nixCommandFlags,
      'flake',
      'lock',
      ...options.logFlags,
      ...(spec.options ?? []),
      flakeRef(dir),
    ],
    { cwd: options.cwd, env: { ...options.env }, collectStdout: false },
    context,
  );
  if (run.result.exitCode !== 0) {
    throw await inCheckout(evaluationError(run), spec, run.readFiles);
  }
}

/** Said when nix reported no file it evaluated: only the entry files are watched then. */
export const inputTrackingDegraded =
  'input tracking degraded: nix reported no file it evaluated, so only the entry files are watched (edits to imported files are not noticed until a reload)';

async function finish(
  request: CaptureRequest,
  method: CaptureMethod,
  captured: {
    readonly env: Environment;
    readonly shell: ShellState;
    readonly readFiles: readonly string[];
    readonly nixReportedReads: boolean;
    readonly nixWarnings: readonly string[];
    readonly dropped: readonly string[];
    /** A flake's copies in the store, as the capture learnt them. */
    readonly copies?: FlakeCopies;
  },
  version: string,
): Promise<Capture> {
  const mutations = diffEnvironments(request.base, captured.env);
  const values = mutations.flatMap((m) => (m.kind === 'unset' ? [] : [m.value]));
  const { functions, aliases, variables } = captured.shell;
  // Each of these reads the disk, and none needs another's answer.
  const [inputs, storePaths, usedSearchPathNixpkgs] = await Promise.all([
    localInputs(request.spec.target, captured.readFiles, captured.copies),
    existingPaths(referencedStorePaths([...values, functions, aliases, variables])),
    // A flake evaluates purely: `<nixpkgs>` from NIX_PATH or channels is out of its reach.
    request.spec.target.kind === 'flake'
      ? false
      : readsSearchPathNixpkgs(captured.readFiles, request.base),
  ]);
  return {
    mutations,
    shell: captured.shell,
    inputs,
    storePaths,
    method,
    nixVersion: version,
    warnings: [
      ...captured.nixWarnings,
      ...captured.dropped.map((reason) => `dropped variable ${reason}`),
      ...(captured.nixReportedReads ? [] : [inputTrackingDegraded]),
    ],
    usedSearchPathNixpkgs,
  };
}

/** A flake's error pointed at the checkout's files rather than the store copy's. */
async function inCheckout(
  error: NixShellError,
  spec: TargetSpec,
  readFiles: readonly string[],
): Promise<NixShellError> {
  return spec.target.kind === 'flake' ? inFlakeCheckout(error, spec.target.dir, readFiles) : error;
}

export function installableArgs(spec: TargetSpec): string[] {
  const { target } = spec;
  const args = [...spec.args, ...(spec.options ?? [])];
  if (target.kind === 'flake') {
    const ref = flakeRef(target.dir);
    return [...args, target.devShell ? `${ref}#${target.devShell}` : ref];
  }
  return ['--impure', '-f', target.file, '--arg', 'inNixShell', 'true', ...args, target.attr ?? ''];
}

function machineFile(request: CaptureRequest, name: string): string | undefined {
  return request.machineDir === undefined ? undefined : path.join(request.machineDir, name);
}
