import { NixShellError } from './errors';
import { runInProcessGroup } from './process';
import { redact } from './redact';
import { errorLine, gitEnv } from './pin/tools';

/**
 * Makes a file a flake needs visible to it: `git add --intent-to-add` records that the file
 * exists without staging its content, which is all nix needs to copy it with the flake.
 * `file` is relative to the top of the repository (as nix names it); `dir` is any directory
 * inside the repository.
 */
export async function gitIntentToAdd(
  dir: string,
  file: string,
  env: Readonly<Record<string, string>>,
): Promise<void> {
  // `:(top,literal)` reads the path from the top of the repository, wherever `dir` is in it,
  // and takes it as it is (no glob).
  const args = ['add', '--intent-to-add', '--', `:(top,literal)${file}`];
  const result = await runInProcessGroup('git', args, {
    cwd: dir,
    env: { ...env, ...gitEnv },
    timeoutMs: 30_000,
  });
  if (result.exitCode !== 0) {
    const why = errorLine(result.stderrTail) ?? `exit ${result.exitCode ?? result.signal ?? '?'}`;
    throw new NixShellError('file-unusable', redact(`git add --intent-to-add ${file}: ${why}`), {
      details: result.stderrTail,
    });
  }
}
