import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { CacheEntry } from '../../src/core/cache/store';
import type { Freshness } from '../../src/core/engine';
import { applyMutations } from '../../src/core/env/mutations';
import { entriesByName } from '../../src/core/order';
import { nixBuilderVariables, outputPath, userPath } from './engineHarness';

/**
 * A list attribute of a derivation, as store paths: the words of its variable, or with
 * structured attributes the array in `__json`.
 */
export function listAttribute(drvEnv: Record<string, string>, name: string): string[] {
  if (drvEnv['__json'] !== undefined) {
    const attrs = JSON.parse(drvEnv['__json']) as Record<string, unknown>;
    const value = attrs[name];
    if (Array.isArray(value)) return value.map(String);
    return typeof value === 'string' ? value.split(/\s+/).filter(Boolean) : [];
  }
  return (drvEnv[name] ?? '').split(/\s+/).filter(Boolean);
}

/**
 * The `bin` directories of the fixtures' stdenv tools (its initialPath), which setup puts on
 * PATH after the inputs': read from the header of `$stdenv/setup` (see test/fixtures/_lib).
 */
export function stdenvToolDirs(drvEnv: Record<string, string>): string[] {
  const [stdenv] = listAttribute(drvEnv, 'stdenv');
  if (stdenv === undefined) throw new Error('the derivation has no stdenv');
  const setup = readFileSync(path.join(stdenv, 'setup'), 'utf8');
  const initialPath = /^initialPath="([^"]*)"$/m.exec(setup)?.[1];
  if (initialPath === undefined) throw new Error(`no initialPath in ${stdenv}/setup`);
  return initialPath
    .split(' ')
    .filter(Boolean)
    .map((tool) => `${tool}/bin`);
}

/** The existing `bin` directories of the inputs of some kinds, once each, in order. */
function inputBins(drvEnv: Record<string, string>, kinds: readonly string[]): string[] {
  const bins = kinds.flatMap((kind) => listAttribute(drvEnv, kind).map((p) => `${p}/bin`));
  return [...new Set(bins.filter((dir) => existsSync(dir)))];
}

/**
 * The PATH the fixtures' stdenv setup builds (before nix-shell or the engine appends the
 * user's): build-time inputs, then the other inputs, then the stdenv's own tools.
 */
export function setupPath(drvEnv: Record<string, string>): string {
  return [
    ...inputBins(drvEnv, ['nativeBuildInputs', 'buildInputs']),
    ...stdenvToolDirs(drvEnv),
  ].join(':');
}

/**
 * What the fixtures' stdenv setup exports for a derivation without setup hooks, as the engine
 * gives it for a project in `root`: PATH is setup's then the user's, and NIX_LDFLAGS names
 * `$out/lib`, with `out` under `<root>/outputs` like every output.
 */
export function stdenvVariables(
  drvEnv: Record<string, string>,
  root: string,
  userPathValue = userPath,
): Record<string, string> {
  return {
    SOURCE_DATE_EPOCH: '315532800',
    NIX_LDFLAGS: `-rpath ${outputPath(root, 'out')}/lib `,
    CONFIG_SHELL: '/bin/bash',
    shell: '/bin/bash',
    HOST_PATH: [...inputBins(drvEnv, ['buildInputs']), ...stdenvToolDirs(drvEnv)].join(':'),
    PATH: `${setupPath(drvEnv)}:${userPathValue}`,
  };
}

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
  return Object.fromEntries(entriesByName(env));
}

/** The reason an environment is stale; fails when it is fresh. */
export function staleReason(freshness: Freshness): string {
  if (freshness.fresh) assert.fail('expected the environment to be stale, it is fresh');
  return freshness.reason;
}
