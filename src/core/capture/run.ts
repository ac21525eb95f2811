import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { NixShellError, type SourceLocation } from '../errors';
import type { Logger } from '../logger';
import {
  NixLogParser,
  Verbosity,
  locationsInText,
  type NixLogEvent,
  type ProgressCounts,
} from '../nix/log';
import { runInProcessGroup, type RunOptions, type RunResult } from '../process';
import { readShellDump, type ShellDump } from './shellDump';

/** What a capture step needs from its caller: cancellation, time limits, and where to report. */
export interface StepContext {
  readonly logger: Logger;
  readonly signal?: AbortSignal | undefined;
  /** What nix is doing, in words, and the builds and downloads it has finished so far. */
  readonly onProgress?: ((text: string, counts?: ProgressCounts) => void) | undefined;
  readonly evaluationTimeoutMs: number;
  readonly hookTimeoutMs: number;
  /** Each file nix reports reading, as it reports it (to start hashing inputs early). */
  readonly onReadFile?: ((file: string) => void) | undefined;
  /** Told each time a nix process has started: work that would delay its start waits for it. */
  readonly onNixStarted?: (() => void) | undefined;
  /**
   * Takes cleanup that need not delay the result (removing a scratch directory): the caller
   * awaits it before it returns. Without it, each step awaits its own cleanup.
   */
  readonly deferCleanup?: ((cleanup: Promise<unknown>) => void) | undefined;
}

export interface NixRun {
  readonly result: RunResult;
  /** Files evaluation read, from nix's `evaluating file` / `copied source` messages. */
  readonly readFiles: readonly string[];
  /** Nix's error messages, ANSI-free, and the positions they point at. */
  readonly errors: readonly string[];
  /** What the user should know although nix went on: a cache the daemon would not use. */
  readonly warnings: readonly string[];
  readonly locations: readonly SourceLocation[];
  /**
   * Whether the derivation was evaluated in this run, or taken from nix's evaluation cache
   * (so that `readFiles` may miss files); undefined when nix did not say (below -vvv).
   */
  readonly derivationFrom?: 'evaluation' | 'eval-cache' | undefined;
}

/** Runs a nix command with internal-json logging, routing its messages, progress and inputs. */
export async function runNix(
  file: string,
  args: readonly string[],
  options: {
    cwd: string;
    env: Record<string, string>;
    collectStdout: boolean;
    onStdoutLine?: (line: string) => void;
    /** Sees each stderr line first; returns true for a line that is not nix's to parse. */
    divertStderr?: (line: string) => boolean;
    onSpawn?: RunOptions['onSpawn'];
    /** Sees every event of nix's log, for callers that read more than capture needs. */
    onLogEvent?: (event: NixLogEvent) => void;
  },
  context: StepContext,
): Promise<NixRun> {
  const readFiles = new Set<string>();
  const errors: string[] = [];
  const warnings = new Set<string>();
  const locations: SourceLocation[] = [];
  let derivationFrom: NixRun['derivationFrom'];
  const parser = new NixLogParser((event) => {
    options.onLogEvent?.(event);
    switch (event.type) {
      case 'read-file':
        readFiles.add(event.path);
        context.onReadFile?.(event.path);
        context.logger.trace(`nix read ${event.path}`);
        break;
      case 'progress':
        context.onProgress?.(event.text, event.counts);
        break;
      case 'derivation-path':
        // An evaluation in the run, even after a cached answer (a .drv since collected).
        if (derivationFrom !== 'evaluation') derivationFrom = event.from;
        break;
      case 'message':
        if (event.level === Verbosity.Error) {
          errors.push(event.text);
          if (event.location) locations.push(event.location);
          locations.push(...locationsInText(event.text));
        }
        {
          const warning = untrustedSubstituter(event.text);
          if (warning) warnings.add(warning);
        }
        logAtLevel(context.logger, event.level, event.text);
        break;
    }
  });
  context.logger.debug(`running ${file} ${args.join(' ')}`);
  const result = await runInProcessGroup(file, args, {
    cwd: options.cwd,
    env: options.env,
    signal: context.signal,
    timeoutMs: context.evaluationTimeoutMs,
    collectStdout: options.collectStdout,
    // Nix's log is one write per message, a file evaluated: cheaper into a file than a pipe.
    stderrToFile: true,
    onSpawn: (control) => {
      options.onSpawn?.(control);
      context.onNixStarted?.();
    },
    onStdoutLine: options.onStdoutLine ?? ((line) => context.logger.info(line)),
    onStderrLine: (line) => {
      if (!options.divertStderr?.(line)) parser.push(line);
    },
  });
  const unique = new Map(locations.map((l) => [`${l.file}:${l.line}:${l.column}`, l]));
  return {
    result,
    readFiles: [...readFiles],
    errors,
    warnings: [...warnings],
    locations: [...unique.values()],
    derivationFrom,
  };
}

/** How the warning about a binary cache the daemon ignored begins. */
export const ignoredCachePrefix = 'the nix daemon ignores the binary cache';

/**
 * A binary cache the nix daemon ignored because the user is not trusted: without a word, nix
 * then builds from source what the cache has. Says how to make the daemon use it.
 */
export function untrustedSubstituter(message: string): string | undefined {
  const url = /ignoring untrusted substituter '([^']+)'/.exec(message)?.[1];
  if (!url) return undefined;
  return (
    `${ignoredCachePrefix} ${url}, since your user is not trusted: ` +
    `add it to trusted-substituters (or your user to trusted-users) in /etc/nix/nix.conf and restart the daemon`
  );
}

function logAtLevel(logger: Logger, level: number, message: string): void {
  // The logger names the level itself.
  const text = message.replace(/^(error|warning): /, '');
  if (level <= Verbosity.Error) logger.error(text);
  else if (level <= Verbosity.Warn) logger.warn(text);
  else if (level <= Verbosity.Info) logger.info(text);
  else if (level <= Verbosity.Talkative) logger.debug(text);
  else logger.trace(text);
}

/**
 * Runs `work` with a fresh scratch directory that is always removed afterwards. Its name holds
 * our pid: a process killed outright (SIGKILL, a crash) cannot remove its own, so the next
 * capture removes those whose owner is gone. With `deferCleanup`, the removal is handed to it
 * rather than awaited, so that what comes after the work need not wait for it.
 */
export async function withScratchDir<T>(
  work: (dir: string) => Promise<T>,
  deferCleanup?: StepContext['deferCleanup'],
): Promise<T> {
  const tmp = os.tmpdir();
  // Swept alongside the work, not before it: a TMPDIR of thousands of entries must not delay
  // nix's start. Awaited with the removal, so no sweep outlives its capture.
  const sweep = removeAbandonedScratchDirs(tmp);
  let scratch: string | undefined;
  try {
    scratch = await mkdtemp(path.join(tmp, `nixshell-${process.pid}-`));
    return await work(scratch);
  } finally {
    const removed = scratch ? rm(scratch, { recursive: true, force: true }) : undefined;
    const cleanup = Promise.all([removed, sweep]);
    if (deferCleanup) deferCleanup(cleanup);
    else await cleanup;
  }
}

async function removeAbandonedScratchDirs(tmp: string): Promise<void> {
  const names = await readdir(tmp).catch(() => []);
  await Promise.all(
    names.map(async (name) => {
      // Exactly what mkdtemp makes of our prefix; other `nixshell-…` names are not ours.
      const owner = Number(/^nixshell-(\d+)-[A-Za-z0-9]{6}$/.exec(name)?.[1] ?? 0);
      if (owner === 0 || owner === process.pid || processExists(owner)) return;
      // Another user's is theirs to remove (the sticky TMPDIR refuses): leave it.
      await rm(path.join(tmp, name), { recursive: true, force: true }).catch(() => undefined);
    }),
  );
}

/** Whether a process with this pid exists (as another user's, too). */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A hook's output, kept for the error message and sent to the log as it comes. */
export function hookOutputLog(logger: Logger): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  return {
    lines,
    log: (line) => {
      lines.push(line);
      if (lines.length > 200) lines.shift();
      logger.info(`shellHook: ${line}`);
    },
  };
}

export function hookTimeoutError(hookTimeoutMs: number, output: readonly string[]): NixShellError {
  return new NixShellError(
    'hook-failed',
    `the shellHook did not finish within ${Math.round(hookTimeoutMs / 1000)} s`,
    { details: output.join('\n') },
  );
}

/**
 * Runs a generated bash script (the shellHook replay) and returns the shell it left: the
 * environment, functions, aliases and variables, which the script dumps to files (stdout and
 * stderr carry only what the hook printed, to the log).
 */
export async function runReplay(
  bash: string,
  script: (dumpDir: string) => string,
  options: { cwd: string; env: Record<string, string> },
  context: StepContext,
): Promise<ShellDump> {
  const output = hookOutputLog(context.logger);
  return withScratchDir(async (dir) => {
    const scriptFile = path.join(dir, 'replay.sh');
    await writeFile(scriptFile, script(dir));
    const result = await runInProcessGroup(bash, ['--noprofile', '--norc', scriptFile], {
      cwd: options.cwd,
      env: options.env,
      signal: context.signal,
      timeoutMs: context.hookTimeoutMs,
      onStdoutLine: output.log,
      onStderrLine: output.log,
    }).catch((error: unknown) => {
      if (error instanceof NixShellError && error.kind === 'timeout') {
        throw hookTimeoutError(context.hookTimeoutMs, output.lines);
      }
      throw error;
    });
    const status = result.exitCode ?? result.signal ?? 'unknown';
    return readShellDump(dir, `the shellHook (status ${status})`).catch((error: unknown) => {
      if (error instanceof NixShellError) {
        throw new NixShellError(error.kind, error.message, { details: output.lines.join('\n') });
      }
      throw error;
    });
  }, context.deferCleanup);
}
