import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { NixShellError } from './errors';
import { forEachLine } from './lines';
import { OutputFile } from './outputFile';

export interface RunOptions {
  readonly cwd: string;
  /** The complete environment of the child; nothing is inherited implicitly. */
  readonly env: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal | undefined;
  /** Kill the whole process group after this long; 0 or undefined means no limit. */
  readonly timeoutMs?: number | undefined;
  readonly onStdoutLine?: ((line: string) => void) | undefined;
  readonly onStderrLine?: ((line: string) => void) | undefined;
  /** Keep stdout in the result (print-dev-env's JSON); otherwise it is only streamed. */
  readonly collectStdout?: boolean | undefined;
  /** Called once the process runs, with the means to change its time limit as it goes. */
  readonly onSpawn?: ((control: RunControl) => void) | undefined;
  /**
   * Stderr through a temporary file rather than a pipe (see OutputFile): for nix's log, one
   * write per message. Its lines come as the file grows, a few milliseconds late.
   */
  readonly stderrToFile?: boolean | undefined;
}

export interface RunControl {
  /** Replaces the time limit with `ms` from now (a capture's shellHook gets its own). */
  restartTimeout(ms: number): void;
}

export interface RunResult {
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
  readonly stdout: string;
  /** The last lines of stderr, for error messages. */
  readonly stderrTail: string;
}

const graceMs = 2000;
/** After the main process exits, how long leftover holders of its pipes may keep them open. */
const drainMs = 250;
const stderrTailLines = 60;

/** A process group still running: how to stop it as a cancellation does, and its exit. */
interface LiveGroup {
  readonly stop: () => void;
  readonly exited: Promise<unknown>;
}

/** Process groups still running, so the editor and the CLI can end them all when they stop. */
const liveGroups = new Map<number, LiveGroup>();

/** The last resort, when no time is left: every group still running is killed at once. */
export function killAllProcessGroups(): void {
  for (const pid of liveGroups.keys()) killGroup(pid, 'SIGKILL');
  liveGroups.clear();
}

/**
 * How the editor and the CLI stop: every process group gets SIGTERM (nix removes its temporary
 * build directories), then SIGKILL after the grace period, as a cancellation does. Resolves
 * once `pending` (the captures, which remove their own temporary files once nix has exited)
 * and every group have ended, or after `limitMs`; whatever is left then is killed at once.
 */
export async function endAllProcesses(
  pending: readonly Promise<unknown>[],
  limitMs: number,
): Promise<void> {
  const groups = [...liveGroups.values()];
  for (const group of groups) group.stop();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, limitMs)));
  const ended = Promise.allSettled([...pending, ...groups.map((group) => group.exited)]);
  await Promise.race([ended, late]);
  clearTimeout(timer);
  killAllProcessGroups();
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/**
 * Runs a program in its own process group and resolves when the program itself exits.
 *
 * Completion is the exit of the process, never EOF on its pipes: a shellHook that starts
 * `sleep 4 &` keeps the pipes open, and waiting for them would make capture take 4 s. Whatever
 * is left of the group afterwards is killed, so no nix or hook process outlives a capture.
 * Cancellation and the timeout kill the whole group, not only the direct child.
 */
export async function runInProcessGroup(
  file: string,
  args: readonly string[],
  options: RunOptions,
): Promise<RunResult> {
  if (options.signal?.aborted) throw cancelled(file);
  // Node's spawn, not execa: what a capture needs is the opposite of execa's defaults. Its
  // cancelSignal, timeout and forceKillAfterDelay signal the child's pid only, and its promise
  // waits for EOF on the pipes, so a hook's `sleep &` would outlive a cancel and hold the
  // capture open. Stopping the group, a restartable time limit and completion at exit are done
  // here, and loading execa (a quarter of a megabyte) would delay every cold capture's nix.
  // Loaded when a process first starts: a cache hit starts none, and loading it would cost
  // `nixshell env` on a hit a few milliseconds.
  const { spawn } = await import('node:child_process');
  const stderrTail: string[] = [];
  const onStderrLine = (line: string): void => {
    stderrTail.push(line);
    if (stderrTail.length > stderrTailLines) stderrTail.shift();
    options.onStderrLine?.(line);
  };
  // Where no such file can be made (a TMPDIR not writable), the pipe does, only slower.
  const stderrFile = options.stderrToFile
    ? await OutputFile.create(onStderrLine).catch(() => undefined)
    : undefined;
  let child: ChildProcess;
  try {
    child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', stderrFile ? stderrFile.fd : 'pipe'],
    });
  } catch (error) {
    await stderrFile?.discard();
    // Node throws some failures (E2BIG: an environment too large) instead of emitting them.
    throw await spawnError(file, options.cwd, error);
  }
  // Others (ENOENT) are an 'error' event, with no 'exit' after it.
  const settled = new Promise<unknown>((resolve) => {
    child.on('error', resolve);
    child.once('close', () => resolve(undefined));
  });
  const pid = child.pid;
  if (pid === undefined) {
    await stderrFile?.discard();
    throw await spawnError(file, options.cwd, await settled);
  }
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('exit', (code, sig) => resolve([code, sig])),
  );

  let stdout = '';
  // A pipe, as stdio[1] asks: spawn's types cannot tell from a stdio array built at run time.
  const childStdout = child.stdout as Readable;
  const streams: Readable[] = [childStdout, ...(child.stderr ? [child.stderr] : [])];
  if (options.collectStdout) {
    childStdout.setEncoding('utf8');
    childStdout.on('data', (chunk: string) => (stdout += chunk));
  } else {
    forEachLine(childStdout, (line) => options.onStdoutLine?.(line));
  }
  if (child.stderr) forEachLine(child.stderr, onStderrLine);

  let stopReason: 'cancelled' | 'timeout' | undefined;
  let forceKill: NodeJS.Timeout | undefined;
  const stop = (reason: 'cancelled' | 'timeout'): void => {
    stopReason ??= reason;
    killGroup(pid, 'SIGTERM');
    forceKill ??= setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
  };
  const onAbort = (): void => stop('cancelled');
  liveGroups.set(pid, { stop: onAbort, exited });
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let timeoutMs = options.timeoutMs ?? 0;
  const arm = () => (timeoutMs > 0 ? setTimeout(() => stop('timeout'), timeoutMs) : undefined);
  let timer = arm();
  options.onSpawn?.({
    restartTimeout(ms) {
      clearTimeout(timer);
      timeoutMs = ms;
      timer = arm();
    },
  });

  try {
    const [exitCode, signal] = await exited;
    killGroup(pid, 'SIGKILL');
    await drain(streams, settled);
    await stderrFile?.finish();
    if (signal === 'SIGKILL') await removeTemporaryDirectoriesOf(pid, options.env);
    if (stopReason === 'cancelled') throw cancelled(file);
    if (stopReason === 'timeout') {
      throw new NixShellError(
        'timeout',
        `${file} did not finish within ${Math.round(timeoutMs / 1000)} s`,
        { details: stderrTail.join('\n') },
      );
    }
    return {
      exitCode: exitCode ?? undefined,
      signal: signal ?? undefined,
      stdout,
      stderrTail: stderrTail.join('\n'),
    };
  } finally {
    clearTimeout(timer);
    clearTimeout(forceKill);
    options.signal?.removeEventListener('abort', onAbort);
    liveGroups.delete(pid);
  }
}

/**
 * Nix names its temporary directories after its pid (`nix-PID-N`; nix-shell's
 * `nix-shell-PID-N`) and removes them as it exits, which a nix killed outright (after the grace
 * period, or by the OOM killer) cannot: its own, by their exact names, are removed here.
 */
async function removeTemporaryDirectoriesOf(
  pid: number,
  env: Readonly<Record<string, string>>,
): Promise<void> {
  const root = env['TMPDIR'] || '/tmp';
  const named = new RegExp(`^nix(-shell)?-${pid}-\\d+$`);
  const names = await readdir(root).catch(() => []);
  await Promise.all(
    names
      .filter((name) => named.test(name))
      .map((name) => rm(path.join(root, name), { recursive: true, force: true }).catch(() => {})),
  );
}

/** Waits briefly for the pipes to close; a detached grandchild may hold them open forever. */
async function drain(streams: readonly Readable[], settled: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, drainMs)));
  await Promise.race([settled, late]);
  clearTimeout(timer);
  for (const stream of streams) stream.destroy();
}

function cancelled(file: string): NixShellError {
  return new NixShellError('cancelled', `${file} was cancelled`);
}

async function spawnError(file: string, cwd: string, outcome: unknown): Promise<NixShellError> {
  const code = (outcome as { code?: unknown } | undefined)?.code;
  // spawn reports a missing working directory as ENOENT too, which would read "nix not found".
  if (code === 'ENOENT' && !(await stat(cwd).catch(() => undefined))?.isDirectory()) {
    return new NixShellError('no-environment', `the directory ${cwd} does not exist`, {
      cause: outcome,
    });
  }
  if (code === 'ENOENT') {
    const isNix = /^nix(-[a-z]+)?$/.test(path.basename(file));
    return new NixShellError(isNix ? 'nix-not-found' : 'tool-missing', `${file} was not found`, {
      cause: outcome,
    });
  }
  if (code === 'E2BIG') {
    return new NixShellError('too-large', `the environment is too large to start ${file}`, {
      cause: outcome,
    });
  }
  const message = outcome instanceof Error ? outcome.message : String(outcome);
  return new NixShellError('evaluation', `could not start ${file}: ${message}`, { cause: outcome });
}
