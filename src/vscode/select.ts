import path from 'node:path';
import * as vscode from 'vscode';
import { environmentFileNames, findCandidates } from '../core/discovery';
import { envrcNoteText } from '../core/envrc/parse';
import { envrcFileName } from '../core/envrc/read';
import { targetLabel } from '../core/target';
import { isCancellation } from '../core/errors';
import { listDevShells } from '../core/nix/flake';
import { locateNix } from '../core/nix/installation';
import { configurationRef, qualifiedName } from '../core/configs';
import { config, optionalText } from './config';
import type { SystemConfigurations } from './configurations';
import type { FolderController } from './folder';
import type { FolderMemories, RememberedChoice } from './memory';
import { showWarning } from './messages';
import { showListingPick } from './quickPick';

interface EnvironmentItem extends vscode.QuickPickItem {
  /** A file or devShell to remember; `envrc`: forget the choice and follow the `.envrc`. */
  readonly choice?: RememberedChoice | 'envrc';
  /** A line of the `.envrc` that was not understood: picking it opens the line. */
  readonly envrcLine?: number;
  /** A system configuration: not an environment; choosing it offers its actions. */
  readonly configuration?: string;
}

/**
 * "Nix: Select environment": every candidate file of the folder and every devShell of its
 * flakes. Listing devShells evaluates the flake, so it only happens in a trusted workspace.
 * The choice is remembered for the folder, then entered.
 */
export async function selectEnvironment(
  controller: FolderController,
  memories: FolderMemories,
  configurations?: SystemConfigurations,
): Promise<boolean> {
  const folder = controller.folder;
  const root = folder.uri.fsPath;
  // Closing the pick stops any `nix eval` still listing devShells.
  const listing = showListingPick<EnvironmentItem>(`Nix environment for ${folder.name}`);
  const list: EnvironmentItem[] = [];
  const { envrc } = await controller.resolve();
  if (envrc?.target) {
    list.push({
      label: `$(file) ${envrcFileName}: ${targetLabel(envrc.target, root)}`,
      description: 'as the .envrc loads it (direnv)',
      choice: 'envrc',
    });
  }
  for (const candidate of await findCandidates(root)) {
    const file = path.relative(root, candidate.file);
    if (candidate.name !== 'flake.nix') {
      list.push({ label: file, description: 'nix-shell', choice: { file } });
      continue;
    }
    const shells = vscode.workspace.isTrusted
      ? await devShellsOf(controller, path.dirname(candidate.file), listing.signal)
      : [];
    for (const shell of shells.length > 0 ? shells : ['default']) {
      list.push({
        label: `${file}#${shell}`,
        description: 'flake devShell',
        choice: { file, devShell: shell },
      });
    }
  }
  list.push(...(await configurationItems(controller, configurations, listing.signal)));
  if (envrc && envrc.notes.length > 0) {
    list.push({ label: envrcFileName, kind: vscode.QuickPickItemKind.Separator });
    for (const note of envrc.notes) {
      list.push({ label: `$(warning) ${envrcNoteText(note)}`, envrcLine: note.line });
    }
  }
  listing.pick.items = list;
  listing.pick.busy = false;
  const item = await listing.chosen;
  listing.dispose();
  if (item?.configuration) {
    void vscode.commands.executeCommand('nixShell.configurations', folder.uri, {
      config: item.configuration,
    });
    return false;
  }
  if (item?.envrcLine !== undefined && envrc) {
    await openLine(envrc.envrc, item.envrcLine);
    return false;
  }
  const choice = item?.choice;
  if (!choice) return false;
  await memories.update(folder.uri, { choice: choice === 'envrc' ? undefined : choice });
  await controller.enter({ userInitiated: true });
  return true;
}

/**
 * The Explorer's "Enter Nix shell" on a shell.nix, default.nix or flake.nix: that file becomes
 * the folder's environment, as if picked in Select environment. Any other URI (the folder
 * itself, from the status bar) chooses nothing.
 */
export async function chooseEnvironmentFile(
  controller: FolderController,
  memories: FolderMemories,
  file: vscode.Uri,
): Promise<void> {
  const folder = controller.folder;
  const relative = path.relative(folder.uri.fsPath, file.fsPath);
  const name = path.basename(relative);
  if (relative.startsWith('..') || !(environmentFileNames as readonly string[]).includes(name)) {
    return;
  }
  // The same flake again keeps the devShell picked for it.
  if (memories.get(folder.uri).choice?.file !== relative) {
    await memories.update(folder.uri, { choice: { file: relative } });
  }
  if (optionalText(config.file, folder) ?? optionalText(config.devShell, folder)) {
    // Settings win over a choice: say why this file is not what gets entered.
    void showWarning({ kind: 'settings-choose', folder: folder.name, file: relative });
  }
}

/**
 * The folder's NixOS, nix-darwin and home-manager configurations, in a group of their own:
 * they are not environments to enter; choosing one offers its actions (check, VM, compare).
 */
async function configurationItems(
  controller: FolderController,
  configurations: SystemConfigurations | undefined,
  signal: AbortSignal,
): Promise<EnvironmentItem[]> {
  if (!configurations || !vscode.workspace.isTrusted) return [];
  try {
    const found = await configurations.list(controller, signal);
    if (found.length === 0) return [];
    const root = controller.folder.uri.fsPath;
    return [
      { label: 'System configurations', kind: vscode.QuickPickItemKind.Separator },
      ...found.map((system) => ({
        label: `$(server-environment) ${system.name}`,
        description: `${configurations.describe(system)}: check, VM, compare…`,
        detail: configurationRef(system, root),
        configuration: qualifiedName(system),
      })),
    ];
  } catch (error) {
    if (!isCancellation(error)) controller.logError('listing the system configurations', error);
    return [];
  }
}

async function openLine(file: string, line: number): Promise<void> {
  const position = new vscode.Position(line - 1, 0);
  await vscode.window.showTextDocument(vscode.Uri.file(file), {
    selection: new vscode.Range(position, position),
  });
}

/** The flake's devShells, or none (logged) when the flake cannot be evaluated. */
async function devShellsOf(
  controller: FolderController,
  flakeDir: string,
  signal: AbortSignal,
): Promise<string[]> {
  // The user's environment, not the extension host's: that one has the Nix env applied.
  const { nixPath, base } = controller.nixContext();
  try {
    const nix = await locateNix(nixPath, base['PATH']);
    return await listDevShells(nix, flakeDir, base, signal);
  } catch (error) {
    if (!isCancellation(error)) controller.logError(`listing the devShells of ${flakeDir}`, error);
    return [];
  }
}
