import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Environment } from '../env/mutations';
import { outputRewriter } from '../env/outputs';
import { passAsFileNames } from '../env/variables';
import { NixShellError } from '../errors';
import { nixLogFlagsFor } from '../nix/command';
import type { NixInstallation } from '../nix/installation';
import type { RunControl } from '../process';
import { shellQuote } from '../shellQuote';
import { targetRoot, type TargetSpec } from '../target';
import { findBash } from './bash';
import { evaluationError } from './failure';
import {
  hookOutputLog,
  hookTimeoutError,
  runNix,
  withScratchDir,
  type NixRun,
  type StepContext,
} from './run';
import { readShellDump, shellDumpScript, type ShellDump, type ShellState } from './shellDump';

export interface NixShellCapture {
  readonly env: Record<string, string>;
  readonly shell: ShellState;
  readonly readFiles: readonly string[];
  /** Whether nix itself reported any file it read (Lix at -vv, for one, reports none). */
  readonly nixReportedReads: boolean;
  readonly nixWarnings: readonly string[];
  readonly dropped: readonly string[];
}

/** What the launcher prints when nix is done and the shell starts. */
const shellStarted = '@nixshell shell-started';

/**
 * Captures a Nix file's environment with `nix-shell` itself, so it is the one `nix-shell FILE`
 * gives in that folder: setup.sh and every setup hook run in the user's environment, in the
 * project folder, with the user's HOME; the shellHook runs through `runHook`, as nix-shell's rc
 * runs it. After the hook, a dump of bash builtins writes the shell's environment, functions,
 * aliases and variables to files; stdout and stderr carry only the hook's output, to the log.
 *
 * nix-shell runs the shell named by NIX_BUILD_SHELL; ours is a launcher that says when nix is
 * done (the shellHook then gets its own time limit) and runs the bash the environment was built
 * with (its builder), else the user's.
 */
export async function captureWithNixShell(
  spec: TargetSpec,
  nix: NixInstallation,
  base: Environment,
  context: StepContext,
): Promise<NixShellCapture> {
  const target = spec.target;
  if (target.kind !== 'file') throw new Error('nix-shell only captures Nix files');
  const output = hookOutputLog(context.logger);
  return withScratchDir(async (scratch) => {
    const command = await prepareNixShell(spec, nix, base, scratch);
    const { root, dumpDir, launcherDir } = command;
    let control: RunControl | undefined;
    // Set from the stderr callback: an object, so the compiler does not narrow it to false.
    const shell = { started: false };
    const run: NixRun = await runNix(
      command.file,
      command.args,
      {
        cwd: root,
        env: command.env,
        collectStdout: false,
        onStdoutLine: output.log,
        onSpawn: (runControl) => (control = runControl),
        divertStderr: (line) => {
          if (line === shellStarted) {
            if (!shell.started) {
              shell.started = true;
              control?.restartTimeout(context.hookTimeoutMs);
              context.onProgress?.('running shellHook');
            }
            return true;
          }
          if (shell.started) output.log(line);
          return shell.started;
        },
      },
      context,
    ).catch((error: unknown) => {
      if (shell.started && error instanceof NixShellError && error.kind === 'timeout') {
        throw hookTimeoutError(context.hookTimeoutMs, output.lines);
      }
      throw error;
    });
    if (!shell.started) throw evaluationError(run);
    const status = run.result.exitCode ?? run.result.signal ?? 'unknown';
    const dump = await readShellDump(dumpDir, `the shellHook (status ${status})`).catch(
      (error: unknown) => {
        if (!(error instanceof NixShellError)) throw error;
        throw new NixShellError(error.kind, error.message, { details: output.lines.join('\n') });
      },
    );
    return {
      ...withoutSessionState(dump, root, launcherDir),
      readFiles: [...run.readFiles, target.file],
      nixReportedReads: run.readFiles.length > 0,
      nixWarnings: run.warnings,
    };
  }, context.deferCleanup);
}

/** The nix-shell command a capture runs, ready to run: its launcher is written. */
export interface NixShellCommand {
  readonly file: string;
  readonly args: readonly string[];
  readonly env: Record<string, string>;
  /** The project folder, where nix-shell runs. */
  readonly root: string;
  /** Where the dump script writes the shell's state. */
  readonly dumpDir: string;
  /** Where the launcher is, which nix-shell puts first on PATH. */
  readonly launcherDir: string;
}

/**
 * Writes the launcher into `scratch` and returns the nix-shell command of a capture: the bench
 * runs it too, to measure what nix-shell costs when asked what a capture asks of it.
 */
export async function prepareNixShell(
  spec: TargetSpec,
  nix: NixInstallation,
  base: Environment,
  scratch: string,
): Promise<NixShellCommand> {
  const target = spec.target;
  if (target.kind !== 'file') throw new Error('nix-shell only captures Nix files');
  const launcherDir = path.join(scratch, 'shell');
  const dumpDir = path.join(scratch, 'dump');
  const launcher = path.join(launcherDir, 'bash');
  // Each step is a trip to the thread pool before nix can start: what can, goes together.
  await Promise.all([
    mkdir(launcherDir).then(() =>
      writeFile(launcher, launcherScript(findBash(undefined, base)), { mode: 0o755 }),
    ),
    mkdir(dumpDir),
  ]);
  return {
    file: nix.nixShell,
    args: [
      target.file,
      ...spec.args,
      ...(spec.options ?? []),
      ...(target.attr ? ['-A', target.attr] : []),
      ...nixLogFlagsFor(nix.identity),
      '--run',
      shellDumpScript(dumpDir),
    ],
    env: { ...base, NIX_BUILD_SHELL: launcher },
    root: targetRoot(target),
    dumpDir,
    launcherDir,
  };
}

function launcherScript(fallbackBash: string): string {
  return [
    '#!/bin/sh',
    `printf '%s\\n' '${shellStarted}' >&2`,
    'case "${builder:-}" in */bash) if [ -x "$builder" ]; then exec "$builder" "$@"; fi ;; esac',
    `exec ${shellQuote(fallbackBash)} "$@"`,
    '',
  ].join('\n');
}

/**
 * What belongs to the nix-shell session rather than to the project: the launcher's directory
 * nix-shell put first on PATH, and `passAsFile` files in the temporary directory it deleted.
 * Outputs are pointed at `<root>/outputs/<name>`, in every value and definition, as
 * `nix develop` does, since the store paths are unbuilt or read-only.
 */
function withoutSessionState(
  dump: ShellDump,
  root: string,
  launcherDir: string,
): { env: Record<string, string>; shell: ShellState; dropped: readonly string[] } {
  const env = { ...dump.env };
  if (env['PATH'] !== undefined) {
    env['PATH'] = env['PATH']
      .split(':')
      .filter((entry) => entry !== launcherDir)
      .join(':');
  }
  for (const name of passAsFileNames(env)) delete env[name];
  const rewrite = outputRewriter(env, root, structuredOutputNames(dump.shell.variables));
  for (const [name, value] of Object.entries(env)) env[name] = rewrite(value);
  const shell: ShellState = {
    ...dump.shell,
    functions: rewrite(dump.shell.functions),
    aliases: rewrite(dump.shell.aliases),
    variables: rewrite(dump.shell.variables),
  };
  return { env, shell, dropped: dump.dropped };
}

/** The output names of a `__structuredAttrs` shell: the keys of its `outputs` array. */
function structuredOutputNames(variables: string): string[] {
  const declaration = /^declare -A outputs=\((.*)\)$/m.exec(variables)?.[1] ?? '';
  return [...declaration.matchAll(/\[['"]?([A-Za-z_][A-Za-z0-9_]*)['"]?\]=/g)].map(
    (match) => match[1] ?? '',
  );
}
