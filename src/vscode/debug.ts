import * as vscode from 'vscode';
import { applyMutations, type Environment, type Mutation } from '../core/env/mutations';

/** What the debug provider needs to know about the workspace's environments. */
export interface DebugEnvironmentSource {
  mutationsFor(folder: vscode.WorkspaceFolder | undefined): readonly Mutation[] | undefined;
  /** Every folder's mutations: other folders' values reach adapters through `process.env`. */
  readonly allMutations: readonly (readonly Mutation[])[];
}

/**
 * Merges a folder's Nix environment into every launch configuration's `env` (cpptools':
 * `environment`), for every debug type. The user's own entries win. Search paths are given in full (nix's entries plus
 * the user's), since adapters replace rather than prepend. Adapters running in the extension
 * host pass its `process.env` on, which holds every entered folder's variables: those another
 * folder set are given back their own value here. Unsets are left to `process.env`: `null` is
 * not understood by every adapter.
 */
export function registerDebugEnvironment(
  source: DebugEnvironmentSource,
  ambient: Environment,
): vscode.Disposable {
  return vscode.debug.registerDebugConfigurationProvider('*', {
    resolveDebugConfiguration(folder, configuration) {
      const mine = source.mutationsFor(folder);
      if (!mine || mine.length === 0) return configuration;
      const others = source.allMutations.flat().filter((m) => !mine.some((n) => n.name === m.name));
      const nix = { ...restored(others, ambient), ...debugEnvironment(mine, ambient) };
      return withEnvironment(configuration, nix);
    },
  });
}

/**
 * Debug types whose adapter reads the environment as `environment: [{ name, value }]` rather
 * than an `env` object: cpptools' GDB/LLDB and Visual Studio debuggers.
 */
const environmentArrayTypes: ReadonlySet<string> = new Set(['cppdbg', 'cppvsdbg']);

/** The configuration with `nix` under it in the shape its adapter reads; the user's entries win. */
export function withEnvironment(
  configuration: vscode.DebugConfiguration,
  nix: Record<string, string>,
): vscode.DebugConfiguration {
  if (!environmentArrayTypes.has(configuration.type)) {
    const userEnv = (configuration['env'] ?? {}) as Record<string, unknown>;
    return { ...configuration, env: { ...nix, ...userEnv } };
  }
  const userEntries = Array.isArray(configuration['environment'])
    ? (configuration['environment'] as unknown[])
    : [];
  const userNames = new Set(
    userEntries.flatMap((entry) =>
      typeof entry === 'object' && entry !== null && 'name' in entry ? [String(entry.name)] : [],
    ),
  );
  const environment = [
    ...Object.entries(nix)
      .filter(([name]) => !userNames.has(name))
      .map(([name, value]) => ({ name, value })),
    ...userEntries,
  ];
  return { ...configuration, environment };
}

export function debugEnvironment(
  mutations: readonly Mutation[],
  ambient: Environment,
): Record<string, string> {
  const applied = applyMutations(ambient, mutations);
  const env: Record<string, string> = {};
  for (const { name } of mutations) {
    const value = applied[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** The user's own values of variables other folders changed. */
function restored(mutations: readonly Mutation[], ambient: Environment): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { name } of mutations) {
    const value = ambient[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}
