import * as vscode from 'vscode';
import type { EnvrcChoice } from '../core/envrc/read';
import type { FolderMemories } from './memory';

/** The direnv extension for VS Code, which applies an `.envrc` to the editor as well. */
export const direnvExtensionId = 'mkhl.direnv';

/** Who applies a folder's environment when both could: this extension or direnv's. */
export type EnvironmentOwner = 'nixShell' | 'direnv';

const nixShellAnswer = 'Nix Shell (cached, exact nix-shell, functions in terminals)';
const direnvAnswer = 'direnv';

/** Installed and enabled for this workspace: it loads the `.envrc` of the folder it opens. */
export function direnvExtensionPresent(): boolean {
  return vscode.extensions.getExtension(direnvExtensionId) !== undefined;
}

/**
 * Whether two extensions would apply this folder's environment: the direnv extension is
 * there and the folder's `.envrc` loads a Nix environment.
 */
export function ownerConflict(envrc: EnvrcChoice | undefined): boolean {
  return envrc?.target !== undefined && direnvExtensionPresent();
}

/**
 * Asks which extension manages the folder's environment; remembers the answer. Undefined
 * when the question was dismissed (asked again next time).
 */
export async function askOwner(
  folder: vscode.WorkspaceFolder,
  memories: FolderMemories,
): Promise<EnvironmentOwner | undefined> {
  const where =
    (vscode.workspace.workspaceFolders?.length ?? 0) > 1 ? `${folder.name}'s` : "This folder's";
  const answer = await vscode.window.showInformationMessage(
    `${where} .envrc loads a Nix environment, and the direnv extension applies it too. Which one should manage it?`,
    nixShellAnswer,
    direnvAnswer,
  );
  const owner =
    answer === nixShellAnswer ? 'nixShell' : answer === direnvAnswer ? 'direnv' : undefined;
  if (!owner) return undefined;
  await memories.update(folder.uri, { owner });
  if (owner === 'nixShell') void adviseStoppingDirenv();
  return owner;
}

/** The direnv extension has no setting to leave a workspace alone: disabling it is the way. */
async function adviseStoppingDirenv(): Promise<void> {
  const show = 'Show the direnv extension';
  const answer = await vscode.window.showInformationMessage(
    'The direnv extension still applies the .envrc to terminals and extensions. Disable it for this workspace (Extensions: direnv → Disable (Workspace)), so that only Nix Shell applies the environment.',
    show,
  );
  if (answer === show) {
    await vscode.commands.executeCommand('extension.open', direnvExtensionId);
  }
}
