import path from 'node:path';
import * as vscode from 'vscode';
import type { Logger } from '../../core/logger';
import type { EnvironmentFile } from './environments';
import { languageServerNotFound } from '../messages';

const dismissedKey = 'nixShell.languageServerNotFound.dismissed';

/**
 * Says once per window, never again after "Don't ask again", that no language server was
 * found: not on every start or environment change (Nix IDE's "not found in $PATH" on each
 * activation is what users complain about).
 */
export class ServerNotFoundNotice {
  private shown = false;

  constructor(
    private readonly globalState: vscode.Memento,
    private readonly logger: Logger,
  ) {}

  /** `servers`: what was looked for (`nixd or nil`); `file`: where the user could add one. */
  show(servers: string, suggested: string, file: EnvironmentFile | undefined): void {
    if (this.shown || this.globalState.get<boolean>(dismissedKey) === true) return;
    this.shown = true;
    this.ask(servers, suggested, file).catch((error: unknown) =>
      this.logger.warn(`language server notice: ${String(error)}`),
    );
  }

  private async ask(
    servers: string,
    suggested: string,
    file: EnvironmentFile | undefined,
  ): Promise<void> {
    const add = file ? `Add ${suggested} to ${path.basename(file.file)}` : undefined;
    const dismiss = "Don't ask again";
    const answer = await vscode.window.showInformationMessage(
      languageServerNotFound(servers, file?.label),
      ...(add ? [add, dismiss] : [dismiss]),
    );
    if (answer === dismiss) await this.globalState.update(dismissedKey, true);
    if (answer === add && file) await vscode.window.showTextDocument(vscode.Uri.file(file.file));
  }
}
