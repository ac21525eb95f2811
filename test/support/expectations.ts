import assert from 'node:assert/strict';
import type { CacheEntry } from '../../src/core/cache/store';
import type { Freshness } from '../../src/core/engine';
import { applyMutations } from '../../src/core/env/mutations';
import { nixBuilderVariables, outputPath } from './engineHarness';

/** What the fixtures' fake stdenv setup exports besides PATH (see test/fixtures/_lib/stdenv). */
export const stdenvVariables = { SOURCE_DATE_EPOCH: '315532800' } as const;

/**
 * The environment a captured derivation must give a new process: the user's environment, then
 * nix's builder variables, then every attribute exactly as nix passed it to the builder, with
 * outputs under `<root>/outputs/<name>`; then `changes` (undefined removes a variable).
 */
export function expectedEnvironment(
  user: Record<string, string>,
  drvEnv: Record<string, string>,
  root: string,
  changes: Record<string, string | undefined>,
): Record<string, string> {
  const env: Record<string, string> = { ...user, ...nixBuilderVariables(), ...drvEnv };
  for (const name of (drvEnv['outputs'] ?? 'out').split(' ')) env[name] = outputPath(root, name);
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/** The environment a process gets with the entry applied to the user's environment. */
export function appliedEnvironment(
  user: Record<string, string>,
  entry: CacheEntry,
): Record<string, string> {
  return applyMutations(user, entry.mutations);
}

/** deepEqual with sorted keys, so a failure lists variables in a readable order. */
export function assertSameEnvironment(
  actual: Record<string, string>,
  expected: Record<string, string>,
  message?: string,
): void {
  assert.deepEqual(sortKeys(actual), sortKeys(expected), message);
}

export function sortKeys(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The reason an environment is stale; fails when it is fresh. */
export function staleReason(freshness: Freshness): string {
  if (freshness.fresh) assert.fail('expected the environment to be stale, it is fresh');
  return freshness.reason;
}
