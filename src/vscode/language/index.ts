import * as vscode from 'vscode';
import type { Environment } from '../../core/env/mutations';
import type { Logger } from '../../core/logger';
import type { WorkspaceController } from '../workspace';
import { ProjectEnvironments } from './environments';
import { NixFormatter } from './formatter';
import { LanguageServers, type PinnedNixpkgsExpr } from './languageServers';
import { ParseDiagnostics } from './parseDiagnostics';
import { ServerNotFoundNotice } from './serverNotFound';

export interface LanguageSupportServices {
  readonly workspace: WorkspaceController;
  /** The extension host's environment before any Nix environment was applied. */
  readonly pristine: Environment;
  readonly logger: Logger;
  /** Where "Don't ask again" is remembered. */
  readonly globalState: vscode.Memento;
  readonly pinnedNixpkgsExpr: PinnedNixpkgsExpr;
  /**
   * Where the servers' output goes. It outlives the language support, which can be switched off
   * and on (nixShell.languageSupport): a stopping client still logs its process's exit there.
   */
  readonly channel: vscode.LogOutputChannel;
}

/**
 * Nix language support inside the project's environment: the language server (nixd or nil),
 * syntax errors from nix-instantiate when no server runs, and formatting.
 */
export function registerLanguageSupport(services: LanguageSupportServices): vscode.Disposable {
  const { logger, channel } = services;
  const environments = new ProjectEnvironments(services.workspace, services.pristine);
  const servers = new LanguageServers({
    environments,
    pinnedNixpkgsExpr: services.pinnedNixpkgsExpr,
    notice: new ServerNotFoundNotice(services.globalState, logger),
    logger,
    channel,
  });
  const parseDiagnostics = new ParseDiagnostics({ servers, environments, logger });
  const formatter = new NixFormatter({ environments, servers, logger });
  // In this order: nothing asks the servers once they go.
  return vscode.Disposable.from(formatter, parseDiagnostics, servers);
}
