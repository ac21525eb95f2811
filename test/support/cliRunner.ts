import path from 'node:path';
import { execa } from 'execa';
import { repoRoot } from './nixEnv';

export const cliPath = path.join(repoRoot, 'dist/cli.js');

let built: Promise<void> | undefined;

/** Bundles the CLI from the current sources, once per test run. */
export function buildCli(): Promise<void> {
  built ??= execa('npm', ['run', 'build'], { cwd: repoRoot }).then(() => undefined);
  return built;
}

export interface CliResult {
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node dist/cli.js ARGS` with exactly `env`, as a user's shell would. */
export async function runCli(
  args: readonly string[],
  env: Record<string, string>,
): Promise<CliResult> {
  const result = await execa(process.execPath, [cliPath, ...args], {
    env,
    extendEnv: false,
    reject: false,
    cwd: '/',
  });
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
}
