import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const fixturesDir = path.join(repoRoot, 'test/fixtures');

/**
 * The directory of the nix under test: NIXSHELL_TEST_NIX_BIN (scripts/testNix.ts sets it to the
 * second, modern Nix from test/nix-versions/install-nix.sh), else the system's.
 */
export const testNixBin = process.env['NIXSHELL_TEST_NIX_BIN'] || '/usr/bin';

/** A nix command (`nix`, `nix-shell`, `nix-store`, …) of the nix under test. */
export function nixTool(name: string): string {
  return path.join(testNixBin, name);
}

/** `searchPath` with the nix under test first, unless it is the system's (already on it). */
export function withTestNixFirst(searchPath: string): string {
  return testNixBin === '/usr/bin' ? searchPath : `${testNixBin}:${searchPath}`;
}

/**
 * The nix configuration every test runs nix with: offline (no substituters, a local empty
 * flake registry), single-user without build users or a sandbox (builtins-only derivations
 * call /bin/bash), with flakes enabled. Tests never depend on the machine's nix.conf.
 */
export function testNixConfig(): string {
  return [
    'build-users-group =',
    'substituters =',
    'sandbox = false',
    `flake-registry = ${path.join(fixturesDir, 'flake-registry.json')}`,
    'experimental-features = nix-command flakes',
    'warn-dirty = false',
  ].join('\n');
}

/**
 * Whether the tests run as an unprivileged client of nix-daemon (the daemon run of
 * scripts/testNix.ts, as on a multi-user install): the daemon, not the tests' NIX_CONFIG,
 * decides the trusted settings, and it registers the GC roots the user cannot write.
 */
export function testRunsAsDaemonClient(): boolean {
  return process.env['NIX_REMOTE'] === 'daemon';
}

/**
 * NIX_REMOTE as this run has it: the daemon run's explicit environments carry it, so their nix
 * uses the daemon by choice rather than by nix's guess from the store's permissions.
 */
export function nixRemoteEnv(): Record<string, string> {
  const remote = process.env['NIX_REMOTE'];
  return remote ? { NIX_REMOTE: remote } : {};
}

/** This process's environment plus the test nix configuration. */
export function nixTestEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env))
    if (value !== undefined) env[name] = value;
  return {
    ...env,
    PATH: withTestNixFirst(env['PATH'] ?? '/usr/bin:/bin'),
    NIX_CONFIG: testNixConfig(),
    ...extra,
  };
}
