import * as vscode from 'vscode';
import { mutatedValue, type Environment, type Mutation } from '../core/env/mutations';

/**
 * Merges a folder's Nix environment into every launch configuration's `env`, for every debug
 * type. The user's own `env` entries win. Search paths are given in full (nix's entries plus
 * the user's), since adapters replace rather than prepend. Unsets are left to `process.env`,
 * which adapters running in the extension host inherit: `null` is not understood by all.
 */
export function registerDebugEnvironment(
  environmentFor: (folder: vscode.WorkspaceFolder | undefined) => readonly Mutation[] | undefined,
  ambient: Environment,
): vscode.Disposable {
  return vscode.debug.registerDebugConfigurationProvider('*', {
    resolveDebugConfiguration(folder, configuration) {
      const mutations = environmentFor(folder);
      if (!mutations || mutations.length === 0) return configuration;
      const userEnv = (configuration['env'] ?? {}) as Record<string, unknown>;
      return { ...configuration, env: { ...debugEnvironment(mutations, ambient), ...userEnv } };
    },
  });
}

export function debugEnvironment(
  mutations: readonly Mutation[],
  ambient: Environment,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const mutation of mutations) {
    const value = mutatedValue(ambient[mutation.name], mutation);
    if (value !== undefined) env[mutation.name] = value;
  }
  return env;
}
