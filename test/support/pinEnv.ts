import { build } from 'esbuild';
import path from 'node:path';
import { execa } from 'execa';
import { locateNix } from '../../src/core/nix/installation';
import type { PinContext } from '../../src/core/pin';
import { recordingLogger, type RecordingLogger } from './engineHarness';
import { nixTestEnv, repoRoot, testNixConfig } from './nixEnv';
import { scratchDir } from './scratch';

/**
 * The tests' nix configuration plus: one download attempt with a short connect timeout (a
 * server that is down fails at once instead of after nix's retries).
 */
export function pinNixConfig(): string {
  return [testNixConfig(), 'download-attempts = 1', 'connect-timeout = 2'].join('\n');
}

/**
 * The environment of nix and git in a pin test: this process's, with the test nix
 * configuration, the pin base URLs pointing at `serverUrl`, and a fresh XDG_CACHE_HOME, so
 * nix's tarball and git caches start empty for every test (a warm cache hides bugs).
 */
export async function pinTestEnv(
  serverUrl: string | undefined,
  extra: Record<string, string> = {},
): Promise<Record<string, string>> {
  const env = nixTestEnv({
    NIX_CONFIG: pinNixConfig(),
    XDG_CACHE_HOME: await scratchDir('nixshell-pin-xdg-cache-'),
    ...(serverUrl ? { NIXSHELL_GITHUB_URL: serverUrl, NIXSHELL_CHANNELS_URL: serverUrl } : {}),
    ...extra,
  });
  delete env['NIX_PATH'];
  return env;
}

export interface PinTestContext extends PinContext {
  readonly logger: RecordingLogger;
}

export async function pinTestContext(
  serverUrl: string | undefined,
  extra: Record<string, string> = {},
): Promise<PinTestContext> {
  const env = await pinTestEnv(serverUrl, extra);
  return {
    nix: await locateNix(undefined, env['PATH']),
    env,
    sources: {
      githubUrl: serverUrl ?? 'http://127.0.0.1:9',
      channelsUrl: serverUrl ?? 'http://127.0.0.1:9',
    },
    logger: recordingLogger(),
  };
}

let bundled: Promise<string> | undefined;

/**
 * Bundles src/cli.ts alone (as scripts/build.mjs does, run without its code-cache entry) into a
 * scratch directory, once per run: the pin tests exercise the real CLI without depending on
 * the rest of the build.
 */
export function bundlePinCli(): Promise<string> {
  bundled ??= (async () => {
    const outfile = path.join(await scratchDir('nixshell-cli-'), 'cliBundle.cjs');
    await build({
      entryPoints: [path.join(repoRoot, 'src/cli.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      supported: { 'dynamic-import': false },
      logLevel: 'silent',
    });
    return outfile;
  })();
  return bundled;
}

export interface PinCliResult {
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
}

/** `nixshell ARGS` from the bundle, with exactly `env`. */
export async function runPinCli(
  args: readonly string[],
  env: Record<string, string>,
): Promise<PinCliResult> {
  const cli = await bundlePinCli();
  const result = await execa(process.execPath, [cli, ...args], {
    env,
    extendEnv: false,
    reject: false,
    cwd: '/',
  });
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
}
