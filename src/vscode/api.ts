import * as vscode from 'vscode';
import { applyMutations, type Environment, type Mutation } from '../core/env/mutations';
import type { WorkspaceController } from './workspace';

/**
 * What other extensions get from `vscode.extensions.getExtension('nixshell.nixshell').exports`:
 * the environment of a folder, as a whole or as changes, and an event when it changes. A
 * language server started with `getEnvironment(folder)` runs inside the project's Nix env.
 */
export interface NixShellApi {
  readonly version: 1;
  /** The complete environment for processes of this folder; undefined when none is entered. */
  getEnvironment(folder?: vscode.Uri): Record<string, string> | undefined;
  /** The changes the folder's Nix environment makes: set, prepend, unset. */
  getMutations(folder?: vscode.Uri): readonly Mutation[] | undefined;
  readonly onDidChangeEnvironment: vscode.Event<vscode.Uri>;
}

export function createApi(workspace: WorkspaceController, ambient: Environment): NixShellApi {
  const mutationsOf = (uri?: vscode.Uri) =>
    workspace.mutationsFor(uri ? vscode.workspace.getWorkspaceFolder(uri) : undefined);
  return {
    version: 1,
    getEnvironment: (uri) => {
      const mutations = mutationsOf(uri);
      return mutations ? applyMutations(ambient, mutations) : undefined;
    },
    getMutations: mutationsOf,
    onDidChangeEnvironment: workspace.onDidChangeEnvironment,
  };
}
