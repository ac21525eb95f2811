import * as vscode from 'vscode';
import { applyMutations, type Environment } from '../../core/env/mutations';
import { targetFile, targetLabel } from '../../core/target';
import type { WorkspaceController } from '../workspace';

/** A folder's environment file, for "Add nixd to shell.nix". */
export interface EnvironmentFile {
  readonly file: string;
  readonly label: string;
}

/**
 * Each folder's environment as the language features see it: the editor's pristine
 * environment with the folder's Nix mutations applied, exactly as the API hands it to other
 * extensions. Not `process.env`: that holds every folder's environment merged, and the
 * editor's own variables.
 */
export class ProjectEnvironments {
  readonly onDidChangeEnvironment: vscode.Event<vscode.Uri>;
  readonly onDidChangeStatus: vscode.Event<vscode.Uri>;

  constructor(
    private readonly workspace: WorkspaceController,
    /** The extension host's environment before any Nix environment was applied. */
    readonly editor: Environment,
  ) {
    this.onDidChangeEnvironment = workspace.onDidChangeEnvironment;
    this.onDidChangeStatus = workspace.onDidChangeStatus;
  }

  /** The complete environment for the folder's processes; the editor's without a Nix env. */
  environmentOf(folder: vscode.WorkspaceFolder | undefined): Record<string, string> {
    const mutations = folder ? this.workspace.mutationsFor(folder) : undefined;
    return mutations ? applyMutations(this.editor, mutations) : { ...this.editor };
  }

  /** Whether the folder hands out a Nix environment (active, or kept while stale or failed). */
  entered(folder: vscode.WorkspaceFolder | undefined): boolean {
    return folder !== undefined && this.workspace.mutationsFor(folder) !== undefined;
  }

  /** Whether nix is evaluating the folder's environment right now: it is about to change. */
  loading(folder: vscode.WorkspaceFolder | undefined): boolean {
    return (
      folder !== undefined && this.workspace.controllerFor(folder)?.session.state.kind === 'loading'
    );
  }

  environmentFile(folder: vscode.WorkspaceFolder | undefined): EnvironmentFile | undefined {
    const spec = folder ? this.workspace.controllerFor(folder)?.session.target : undefined;
    if (!folder || !spec) return undefined;
    return { file: targetFile(spec.target), label: targetLabel(spec.target, folder.uri.fsPath) };
  }
}
