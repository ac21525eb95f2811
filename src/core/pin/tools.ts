import path from 'node:path';
import { NixShellError, type ErrorKind } from '../errors';
import { isExecutableFile } from '../fs';
import { runInProcessGroup } from '../process';
import type { PinContext } from './context';
import { redact } from '../redact';

export interface ToolRun {
  /** What failed, for the one-line message: "git ls-remote https://…". */
  readonly what: string;
  /** The error kind of a non-zero exit. */
  readonly failure?: ErrorKind;
  readonly cwd?: string;
  readonly timeoutMs?: number;
  readonly extraEnv?: Record<string, string>;
}

/** Runs a tool in its own process group; a non-zero exit becomes one clear error. */
export async function runTool(
  file: string,
  args: readonly string[],
  context: PinContext,
  run: ToolRun,
): Promise<string> {
  context.logger.debug(`running ${file} ${args.map(redact).join(' ')}`);
  const result = await runInProcessGroup(file, args, {
    cwd: run.cwd ?? '/',
    env: { ...context.env, ...run.extraEnv },
    signal: context.signal,
    timeoutMs: run.timeoutMs,
    collectStdout: true,
    onStderrLine: (line) => context.logger.trace(redact(line)),
  }).catch((error: unknown) => {
    // A download that takes too long failed to fetch; it is not an evaluation stopped.
    if (error instanceof NixShellError && error.kind === 'timeout') {
      throw new NixShellError(run.failure ?? 'fetch-failed', `${run.what}: ${error.message}`);
    }
    throw error;
  });
  if (result.exitCode !== 0) {
    throw new NixShellError(
      run.failure ?? 'fetch-failed',
      `${run.what}: ${errorLine(result.stderrTail) ?? `exit ${result.exitCode ?? result.signal ?? '?'}`}`,
      { details: result.stderrTail },
    );
  }
  return result.stdout;
}

/** The line that says what went wrong: nix's `error:`, git's `fatal:`, else the last line. */
export function errorLine(stderr: string): string | undefined {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const marked = lines.filter((line) => /^(error|fatal):/.test(line)).pop();
  const line = marked ?? lines.pop();
  return line?.replace(/^(error|fatal):\s*/, '');
}

/** A nix tool next to the `nix` found (nix-prefetch-url lives beside it), else on PATH. */
export function nixTool(context: PinContext, name: string): string {
  if (!path.isAbsolute(context.nix.nix)) return name;
  const sibling = path.join(path.dirname(context.nix.nix), name);
  return isExecutableFile(sibling) ? sibling : name;
}

/** Git never asks for a password on a terminal nobody watches; it fails instead. */
export const gitEnv = { GIT_TERMINAL_PROMPT: '0' } as const;
