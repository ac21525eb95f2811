import { createHash } from 'node:crypto';
import path from 'node:path';
import * as vscode from 'vscode';
import { findBash } from '../core/capture/bash';
import { applyMutations, type Environment } from '../core/env/mutations';
import { pathExists, writeFileAtomic } from '../core/fs';
import { shellRc } from '../core/shellRc';
import type { FolderController } from './folder';

export const nixShellProfileId = 'nixShell.bash';

/**
 * "Nix shell" terminals: bash started with an rc that makes it the project's nix-shell, with
 * the functions and aliases setup.sh, setup hooks and the shellHook define, which no
 * environment variable can carry. Other terminals still get the variables.
 */
export class NixShellTerminals {
  constructor(
    private readonly rcDirectory: string,
    /** The user's environment, before any Nix env: where bash is looked for after the project. */
    private readonly pristine: Environment,
  ) {}

  /** The options of a Nix shell terminal in the folder, or undefined when none is applied. */
  async options(controller: FolderController): Promise<vscode.TerminalOptions | undefined> {
    const entry = controller.session.applied?.entry;
    if (!entry) return undefined;
    const label = controller.label ?? controller.folder.name;
    const rcFile = path.join(
      this.rcDirectory,
      `${createHash('sha256').update(controller.folder.uri.toString()).digest('hex').slice(0, 16)}.bashrc`,
    );
    await writeFileAtomic(
      rcFile,
      shellRc({
        label,
        mutations: entry.mutations,
        shell: entry.shell,
        shellIntegrationScript: await shellIntegrationScript(),
      }),
    );
    const env = applyMutations(this.pristine, entry.mutations);
    return {
      name: `Nix shell: ${label}`,
      shellPath: findBash(undefined, env),
      shellArgs: ['--rcfile', rcFile, '-i'],
      cwd: controller.folder.uri,
      iconPath: new vscode.ThemeIcon('terminal-bash'),
    };
  }

  async open(controller: FolderController): Promise<void> {
    const options = await this.options(controller);
    if (!options) {
      void vscode.window.showInformationMessage(
        `The Nix environment of ${controller.folder.name} is not entered yet.`,
      );
      return;
    }
    vscode.window.createTerminal(options).show();
  }

  /** The terminal profile: the folder of the active editor, else the first entered one. */
  registerProfile(controllers: () => readonly FolderController[]): vscode.Disposable {
    return vscode.window.registerTerminalProfileProvider(nixShellProfileId, {
      provideTerminalProfile: async () => {
        const entered = controllers().filter((c) => c.session.applied);
        const active = vscode.window.activeTextEditor?.document.uri;
        const activeFolder = active && vscode.workspace.getWorkspaceFolder(active);
        const controller =
          entered.find((c) => c.folder.uri.toString() === activeFolder?.uri.toString()) ??
          entered[0];
        const options = controller && (await this.options(controller));
        if (!options) {
          void vscode.window.showInformationMessage(
            'No Nix environment is entered: "Nix: Enter Nix shell" first.',
          );
          return undefined;
        }
        return new vscode.TerminalProfile(options);
      },
    });
  }
}

/** Where VS Code keeps its bash shell integration script: newer releases, then older ones (1.93). */
const shellIntegrationScripts = [
  'out/vs/workbench/contrib/terminal/common/scripts/shellIntegration-bash.sh',
  'out/vs/workbench/contrib/terminal/browser/media/shellIntegration-bash.sh',
];

/** VS Code's bash shell integration script, when shell integration is on and it exists. */
async function shellIntegrationScript(): Promise<string | undefined> {
  const enabled = vscode.workspace
    .getConfiguration('terminal.integrated')
    .get<boolean>('shellIntegration.enabled', true);
  if (!enabled) return undefined;
  for (const relative of shellIntegrationScripts) {
    const script = path.join(vscode.env.appRoot, relative);
    if (await pathExists(script)) return script;
  }
  return undefined;
}
