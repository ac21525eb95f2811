import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runInProcessGroup } from '../../core/process';

export type FormatterName = 'nixfmt' | 'alejandra' | 'nixpkgs-fmt';

/** Each formatter's command line for "read the file on stdin, write it formatted to stdout". */
export const formatterArgs: Readonly<Record<FormatterName, readonly string[]>> = {
  nixfmt: [],
  alejandra: ['--quiet'],
  'nixpkgs-fmt': [],
};

export type FormatOutcome =
  { readonly ok: true; readonly text: string } | { readonly ok: false; readonly reason: string };

const timeoutMs = 30_000;

/**
 * Runs a formatter over `text` on stdin and returns its stdout. runInProcessGroup closes the
 * child's stdin, so the text goes through a private temporary file that `sh` redirects to the
 * formatter's stdin: the formatter still reads stdin, and sees no file name.
 */
export async function runFormatter(
  executable: string,
  args: readonly string[],
  text: string,
  options: { cwd: string; env: Readonly<Record<string, string>>; signal?: AbortSignal },
): Promise<FormatOutcome> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nixshell-format-'));
  try {
    const input = path.join(dir, 'input.nix');
    await writeFile(input, text, { mode: 0o600 });
    const stderr: string[] = [];
    const result = await runInProcessGroup(
      '/bin/sh',
      ['-c', 'input=$1; shift; exec "$@" < "$input"', 'sh', input, executable, ...args],
      {
        cwd: options.cwd,
        env: options.env,
        signal: options.signal,
        timeoutMs,
        collectStdout: true,
        onStderrLine: (line) => stderr.push(line),
      },
    );
    if (result.exitCode !== 0) {
      const status =
        result.exitCode === undefined
          ? `signal ${result.signal ?? '?'}`
          : `code ${result.exitCode}`;
      return { ok: false, reason: `exited with ${status}: ${stderr.join('\n')}`.trim() };
    }
    return { ok: true, text: result.stdout };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
