import * as vscode from 'vscode';
import type { Logger } from '../../core/logger';
import { config } from '../config';
import { contextKeys } from '../tables/commands';

/**
 * Nix IDE, the Nix extension most users already have. It brings its own language server,
 * formatter and diagnostics; running ours too means two servers, the "multiple formatters"
 * prompt and every diagnostic twice.
 */
export const nixIdeId = 'jnoortheen.nix-ide';

/** `nixShell.languageSupport`: on, off, or (auto) on unless Nix IDE is installed and enabled. */
export function languageSupportWanted(): boolean {
  const mode = config.languageSupport.get();
  if (mode === 'auto') return vscode.extensions.getExtension(nixIdeId) === undefined;
  return mode === 'on';
}

/**
 * Runs the language support while it is wanted, and stops it when it is not: after the
 * setting changes, or Nix IDE is installed, enabled, disabled or removed.
 */
export class LanguageSupportSwitch implements vscode.Disposable {
  private running: vscode.Disposable | undefined;
  /** Whether the first decision was made (and logged). */
  private decided = false;
  private readonly listeners: vscode.Disposable[];

  constructor(
    private readonly start: () => vscode.Disposable,
    private readonly logger: Logger,
  ) {
    this.listeners = [
      vscode.extensions.onDidChange(() => this.update()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (config.languageSupport.isAffectedBy(event)) this.update();
      }),
    ];
    this.update();
  }

  /** Nix: Restart language server: the whole language support, so every server starts anew. */
  restart(): void {
    if (!this.running) return;
    this.logger.info('language support: restarting');
    this.running.dispose();
    this.running = this.start();
  }

  private update(): void {
    const wanted = languageSupportWanted();
    if (this.decided && wanted === (this.running !== undefined)) return;
    this.decided = true;
    void vscode.commands.executeCommand('setContext', contextKeys.languageSupport, wanted);
    if (wanted) {
      this.running = this.start();
      this.logger.info('language support: on');
      return;
    }
    this.running?.dispose();
    this.running = undefined;
    const nixIde = vscode.extensions.getExtension(nixIdeId) ? `, and ${nixIdeId} is installed` : '';
    this.logger.info(
      `language support: off (${config.languageSupport.id} is ${config.languageSupport.get()}${nixIde})`,
    );
  }

  dispose(): void {
    for (const listener of this.listeners) listener.dispose();
    this.running?.dispose();
    this.running = undefined;
  }
}
