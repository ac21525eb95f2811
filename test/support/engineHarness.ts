import os from 'node:os';
import path from 'node:path';
import { EnvironmentCache } from '../../src/core/cache/store';
import type { EngineContext } from '../../src/core/engine';
import type { Logger } from '../../src/core/logger';
import type { TargetSpec } from '../../src/core/target';
import { nixRemoteEnv, testNixConfig, withTestNixFirst } from './nixEnv';
import { scratchDir, sharedHome } from './scratch';

/**
 * The PATH of the test user: the nix under test and the system's tools only, so nix's additions
 * are easy to see.
 */
export const userPath = withTestNixFirst('/usr/local/bin:/usr/bin:/bin');

/**
 * The environment of the simulated user, small and explicit so that a test can state the exact
 * environment a capture must produce. SHELL and TERM hold values no nix builder would set, so
 * a leak of the builder's values shows.
 */
export function userEnvironment(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: userPath,
    HOME: sharedHome,
    TMPDIR: os.tmpdir(),
    SHELL: '/usr/bin/fish',
    TERM: 'xterm-kitty',
    NIX_CONFIG: testNixConfig(),
    ...nixRemoteEnv(),
    ...extra,
  };
}

/** A logger that keeps every line, to check where hook output and warnings went. */
export interface RecordingLogger extends Logger {
  readonly lines: string[];
}

export function recordingLogger(): RecordingLogger {
  const lines: string[] = [];
  const at =
    (level: string) =>
    (message: string): void => {
      lines.push(`${level}: ${message}`);
    };
  return {
    lines,
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  };
}

export interface TestContext extends EngineContext {
  readonly logger: RecordingLogger;
}

/** An engine context with a fresh, empty cache directory of its own. */
export async function testContext(
  options: { base?: Record<string, string>; hookTimeoutMs?: number } = {},
): Promise<TestContext> {
  return {
    cache: new EnvironmentCache(await scratchDir('nixshell-cache-')),
    base: options.base ?? userEnvironment(),
    logger: recordingLogger(),
    evaluationTimeoutMs: 120_000,
    hookTimeoutMs: options.hookTimeoutMs ?? 20_000,
  };
}

export function fileSpec(file: string, args: readonly string[] = []): TargetSpec {
  return { target: { kind: 'file', file }, args };
}

export function flakeSpec(dir: string, devShell?: string): TargetSpec {
  return { target: { kind: 'flake', dir, devShell }, args: [] };
}

/** `<root>/outputs/<name>`, where the engine points output variables, as `nix develop` does. */
export function outputPath(root: string, name: string): string {
  return path.join(root, 'outputs', name);
}

/**
 * What nix itself exports to every builder, and so to every captured environment: nix's
 * `buildCores` defaults to the number of online CPUs.
 */
export function nixBuilderVariables(): Record<string, string> {
  return {
    IN_NIX_SHELL: 'impure',
    NIX_BUILD_CORES: String(os.cpus().length),
    NIX_STORE: '/nix/store',
  };
}
