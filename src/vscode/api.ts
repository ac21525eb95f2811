import * as vscode from 'vscode';
import { applyMutations, type Environment, type Mutation } from '../core/env/mutations';
import type { FolderStatus } from './folder';
import type { WorkspaceController } from './workspace';

/**
 * What other extensions get from `vscode.extensions.getExtension('nixshell.nixshell').exports`:
 * a folder's environment, as a whole or as changes, its status, and events. A language server
 * started with `getEnvironment(folder)` runs inside the project's Nix environment; one that
 * waits for `getStatus(folder).state === 'active'` starts after it is ready.
 */
export interface NixShellApi {
  readonly version: 1;
  /** The complete environment for processes of this folder; undefined when none is applied. */
  getEnvironment(folder?: vscode.Uri): Record<string, string> | undefined;
  /** The changes the folder's Nix environment makes: set, prepend, unset. */
  getMutations(folder?: vscode.Uri): readonly Mutation[] | undefined;
  /** The folder's state and what its status bar item shows; undefined without a Nix file. */
  getStatus(folder?: vscode.Uri): FolderStatus | undefined;
  /**
   * Resolves when the folder has nothing pending: its watcher sees every change, and no
   * evaluation runs or is scheduled. What a change made before the call sets off is over by then.
   */
  whenIdle(folder?: vscode.Uri): Promise<void>;
  readonly onDidChangeEnvironment: vscode.Event<vscode.Uri>;
  readonly onDidChangeStatus: vscode.Event<vscode.Uri>;
}

export function createApi(workspace: WorkspaceController, ambient: Environment): NixShellApi {
  const controllerOf = (uri?: vscode.Uri) =>
    workspace.controllerOf(uri ? vscode.workspace.getWorkspaceFolder(uri) : undefined);
  return {
    version: 1,
    getEnvironment: (uri) => {
      const mutations = controllerOf(uri)?.mutations;
      return mutations ? applyMutations(ambient, mutations) : undefined;
    },
    getMutations: (uri) => controllerOf(uri)?.mutations,
    getStatus: (uri) => controllerOf(uri)?.status,
    whenIdle: async (uri) => {
      const session = controllerOf(uri)?.session;
      await session?.idle();
      await session?.watching();
    },
    onDidChangeEnvironment: workspace.onDidChangeEnvironment,
    onDidChangeStatus: workspace.onDidChangeStatus,
  };
}
