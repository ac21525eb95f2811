import path from 'node:path';
import { execa } from 'execa';
import { repoRoot } from './nixEnv';

export const cliPath = path.join(repoRoot, 'dist/cli.cjs');

let built: Promise<void> | undefined;

/**
 * Bundles the CLI from the current sources, once per test run, unless scripts/testNix.ts has
 * (NIXSHELL_TEST_CLI_BUILT): its daemon run's user cannot write into the checkout.
 */
export function buildCli(): Promise<void> {
  if (process.env['NIXSHELL_TEST_CLI_BUILT'] === '1') built ??= Promise.resolve();
  built ??= execa('npm', ['run', 'build'], { cwd: repoRoot }).then(() => undefined);
  return built;
}

export interface CliResult {
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node dist/cli.cjs ARGS` with exactly `env`, as a user's shell would. */
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
