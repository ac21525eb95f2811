import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { isCancellation } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { config } from '../config';
import { formatterNotFound, showWarning } from '../messages';
import type { ProjectEnvironments } from './environments';
import { locateFirst } from './locate';
import { formatterArgs, runFormatter, type FormatterName } from './runFormatter';

/** What formatting needs from the language servers: the server's own formatting. */
export interface ServerFormatting {
  format(
    document: vscode.TextDocument,
    options: vscode.FormattingOptions,
    token: vscode.CancellationToken,
  ): Promise<vscode.TextEdit[] | undefined>;
}

/**
 * The one formatter for .nix files: `nixShell.formatter` (nixfmt, alejandra, nixpkgs-fmt),
 * from the project environment's PATH first, then the editor's, run with the project's
 * environment over stdin. With `none`, the language server formats, if one runs (nixd and nil
 * run their own `formatting.command`). The language client registers no formatter of its own,
 * so VS Code never asks which of two to use.
 */
export class NixFormatter implements vscode.DocumentFormattingEditProvider, vscode.Disposable {
  private readonly registration: vscode.Disposable;
  /** Formatter and folder pairs already reported missing: once each, not on every save. */
  private readonly reportedMissing = new Set<string>();

  constructor(
    private readonly services: {
      readonly environments: ProjectEnvironments;
      readonly servers: ServerFormatting;
      readonly logger: Logger;
    },
  ) {
    this.registration = vscode.languages.registerDocumentFormattingEditProvider(
      [
        { language: 'nix', scheme: 'file' },
        { language: 'nix', scheme: 'untitled' },
      ],
      this,
    );
  }

  async provideDocumentFormattingEdits(
    document: vscode.TextDocument,
    options: vscode.FormattingOptions,
    token: vscode.CancellationToken,
  ): Promise<vscode.TextEdit[] | undefined> {
    const name = config.formatter.get(document.uri);
    if (name === 'none') return this.services.servers.format(document, options, token);
    // A formatter is a program found through the workspace's environment: trusted only.
    if (!vscode.workspace.isTrusted) {
      vscode.window.setStatusBarMessage(`$(shield) ${name}: trust the workspace to format`, 5000);
      return undefined;
    }
    const { environments, logger } = this.services;
    const folder = vscode.workspace.getWorkspaceFolder(document.uri);
    const env = environments.environmentOf(folder);
    const formatter = locateFirst([name], env['PATH'], environments.editor['PATH']);
    if (!formatter) {
      this.reportMissing(name, folder);
      return undefined;
    }
    const abort = new AbortController();
    const cancellation = token.onCancellationRequested(() => abort.abort());
    const text = document.getText();
    try {
      const outcome = await runFormatter(formatter.file, formatterArgs[name], text, {
        cwd:
          folder?.uri.fsPath ??
          (document.isUntitled ? os.homedir() : path.dirname(document.uri.fsPath)),
        env,
        signal: abort.signal,
      });
      if (!outcome.ok) {
        logger.warn(`${name} could not format ${document.uri.fsPath}: ${outcome.reason}`);
        vscode.window.setStatusBarMessage(`$(warning) ${name} failed: see Nix: Show log`, 5000);
        return [];
      }
      // Nothing to change; or nothing at all came back for a non-empty file (never erase it).
      if (outcome.text === text || (outcome.text.trim() === '' && text.trim() !== '')) return [];
      const whole = new vscode.Range(document.positionAt(0), document.positionAt(text.length));
      return [vscode.TextEdit.replace(whole, outcome.text)];
    } catch (error) {
      if (!isCancellation(error)) logger.warn(`${name}: ${String(error)}`);
      return [];
    } finally {
      cancellation.dispose();
    }
  }

  private reportMissing(name: FormatterName, folder: vscode.WorkspaceFolder | undefined): void {
    const file = this.services.environments.environmentFile(folder);
    this.services.logger.warn(`formatting: ${formatterNotFound(name, file?.label)}`);
    const key = `${name}\0${folder?.uri.toString() ?? ''}`;
    if (this.reportedMissing.has(key)) return;
    this.reportedMissing.add(key);
    void showWarning({
      kind: 'formatter-missing',
      formatter: name,
      ...(file ? { environment: { label: file.label, file: file.file } } : {}),
    });
  }

  dispose(): void {
    this.registration.dispose();
  }
}
