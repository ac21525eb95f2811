import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseEnvDump, type ParsedDump } from '../env/dump';
import { NixShellError, type SourceLocation } from '../errors';
import type { Logger } from '../logger';
import { NixLogParser, Verbosity, locationsInText } from '../nix/log';
import { runInProcessGroup, type RunResult } from '../process';

/** What a capture step needs from its caller: cancellation, time limits, and where to report. */
export interface StepContext {
  readonly logger: Logger;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((text: string) => void) | undefined;
  readonly evaluationTimeoutMs: number;
  readonly hookTimeoutMs: number;
}

export interface NixRun {
  readonly result: RunResult;
  /** Files evaluation read, from nix's `evaluating file` / `copied source` messages. */
  readonly readFiles: readonly string[];
  /** Nix's error messages, ANSI-free, and the positions they point at. */
  readonly errors: readonly string[];
  readonly locations: readonly SourceLocation[];
}

/** Runs a nix command with internal-json logging, routing its messages, progress and inputs. */
export async function runNix(
  file: string,
  args: readonly string[],
  options: { cwd: string; env: Record<string, string>; collectStdout: boolean },
  context: StepContext,
): Promise<NixRun> {
  const readFiles = new Set<string>();
  const errors: string[] = [];
  const locations: SourceLocation[] = [];
  const parser = new NixLogParser((event) => {
    switch (event.type) {
      case 'read-file':
        readFiles.add(event.path);
        context.logger.trace(`nix read ${event.path}`);
        break;
      case 'progress':
        context.onProgress?.(event.text);
        break;
      case 'message':
        if (event.level === Verbosity.Error) {
          errors.push(event.text);
          if (event.location) locations.push(event.location);
          locations.push(...locationsInText(event.text));
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
    onStdoutLine: (line) => context.logger.info(line),
    onStderrLine: (line) => parser.push(line),
  });
  const unique = new Map(locations.map((l) => [`${l.file}:${l.line}:${l.column}`, l]));
  return { result, readFiles: [...readFiles], errors, locations: [...unique.values()] };
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
 * Runs a command that writes `env -0` to the file named by `dumpFileFor`, in a scratch
 * directory that is always removed. The dump, not stdout, carries the environment, so
 * anything the shellHook prints only reaches the log.
 */
export async function withDumpFile<T>(
  work: (dumpFile: string) => Promise<T>,
): Promise<{ value: T; dump: Buffer | undefined }> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'nixshell-'));
  const dumpFile = path.join(scratch, 'env');
  try {
    const value = await work(dumpFile);
    const dump = await readFile(dumpFile).catch(() => undefined);
    return { value, dump };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Runs a generated bash script (the shellHook replay) and returns the environment it dumped. */
export async function runReplay(
  bash: string,
  script: (dumpFile: string) => string,
  options: { cwd: string; env: Record<string, string> },
  context: StepContext,
): Promise<ParsedDump> {
  const hookOutput: string[] = [];
  const log = (line: string) => {
    hookOutput.push(line);
    context.logger.info(`shellHook: ${line}`);
  };
  const { value: result, dump } = await withDumpFile(async (dumpFile) => {
    const scriptFile = path.join(path.dirname(dumpFile), 'replay.sh');
    await writeFile(scriptFile, script(dumpFile));
    return runInProcessGroup(bash, ['--noprofile', '--norc', scriptFile], {
      cwd: options.cwd,
      env: options.env,
      signal: context.signal,
      timeoutMs: context.hookTimeoutMs,
      onStdoutLine: log,
      onStderrLine: log,
    }).catch((error: unknown) => {
      if (error instanceof NixShellError && error.kind === 'timeout') {
        throw new NixShellError(
          'hook-failed',
          `the shellHook did not finish within ${Math.round(context.hookTimeoutMs / 1000)} s`,
          { details: hookOutput.join('\n') },
        );
      }
      throw error;
    });
  });
  if (!dump) {
    throw new NixShellError(
      'hook-failed',
      `the shellHook exited (status ${result.exitCode ?? result.signal ?? 'unknown'}) before the environment could be read`,
      { details: hookOutput.join('\n') },
    );
  }
  return parseEnvDump(dump);
}
