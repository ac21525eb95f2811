import path from 'node:path';
import * as vscode from 'vscode';
import { EnvironmentCache } from './core/cache/store';
import { baseEnvironment } from './core/engine';
import { withoutDirenv } from './core/env/direnvDiff';
import { codeCacheNotes, type CodeCacheStatus } from './core/codeCache';
import { asNixShellError } from './core/errors';
import { endAllProcesses } from './core/process';
import { createApi, type NixShellApi } from './vscode/api';
import { refreshCliLauncher } from './vscode/cliInstall';
import { registerCommands } from './vscode/commands';
import { SystemConfigurations } from './vscode/configurations';
import { registerDebugEnvironment } from './vscode/debug';
import { EvaluationDiagnostics } from './vscode/diagnostics';
import { direnvExtensionPresent } from './vscode/direnvOwner';
import { HostEnvironment } from './vscode/hostEnv';
import { registerLanguageSupport } from './vscode/language';
import { LanguageSupportSwitch } from './vscode/language/coexistence';
import { pinnedNixpkgsExpr } from './vscode/language/pinnedNixpkgs';
import { createLog } from './vscode/log';
import { showError } from './vscode/messages';
import { FolderMemories } from './vscode/memory';
import { selectEnvironment } from './vscode/select';
import { NixShellTerminals } from './vscode/shellTerminal';
import { EnvironmentDocuments, environmentScheme } from './vscode/showEnvironment';
import { TerminalEnvironment } from './vscode/terminalEnv';
import { WorkspaceController } from './vscode/workspace';

/** How the extension was loaded (src/extensionLoader.ts), for the log. */
export interface LoadInfo {
  readonly codeCache: CodeCacheStatus;
}

/** The composition root: builds everything once, in dependency order, logger first. */
export async function activate(
  context: vscode.ExtensionContext,
  loaded?: LoadInfo,
): Promise<NixShellApi> {
  const activated = performance.now();
  // The user's environment as the extension host got it, before any Nix env is applied, and
  // before direnv's (shell hook or editor extension): every diff is computed against it.
  const undone = withoutDirenv(baseEnvironment(process.env));
  const pristine = undone.env;
  const { channel, logger } = createLog();
  if (undone.undone > 0) logger.info(`direnv's changes to ${undone.undone} variables left out`);
  if (loaded) logger.info(codeCacheNotes[loaded.codeCache]);
  context.subscriptions.push(channel);
  // Made once environments are applied (below); commands reach it through this.
  let languageSupport: LanguageSupportSwitch | undefined;
  try {
    const showLog = () => channel.show(true);
    const memories = new FolderMemories(context.workspaceState);
    const diagnostics = new EvaluationDiagnostics();
    const cache = new EnvironmentCache(path.join(context.globalStorageUri.fsPath, 'environments'));
    logger.info(`cache: ${cache.directory}`);
    const terminals = new TerminalEnvironment(
      context.environmentVariableCollection,
      pristine,
      direnvExtensionPresent,
    );
    const shellTerminals = new NixShellTerminals(
      path.join(context.globalStorageUri.fsPath, 'terminals'),
      pristine,
    );
    const host = new HostEnvironment(pristine, context.workspaceState, logger);
    const workspace: WorkspaceController = new WorkspaceController(
      {
        logger,
        showLog,
        cache,
        pristine,
        terminals,
        diagnostics,
        memories,
        select: (folder): Promise<boolean> =>
          selectEnvironment(workspace.ensureController(folder), memories, configurations),
      },
      host,
    );
    const configurations = new SystemConfigurations({
      diagnostics,
      showLog,
      controllerFor: (folder) => workspace.ensureController(folder),
    });
    shutDown = () => workspace.shutDown();
    const documents = new EnvironmentDocuments(
      (uri) =>
        workspace.all.find((c) => c.folder.uri.toString() === uri.toString())?.session.applied,
    );
    context.subscriptions.push(
      host,
      diagnostics,
      workspace,
      configurations,
      documents,
      workspace.onDidChangeEnvironment((folder) => documents.refresh(folder)),
      vscode.workspace.registerTextDocumentContentProvider(environmentScheme, documents),
      registerDebugEnvironment(workspace, pristine),
      shellTerminals.registerProfile(() => workspace.all),
      ...registerCommands({
        workspace,
        configurations,
        shellTerminals,
        showLog,
        logger,
        extensionPath: context.extensionPath,
        pristine,
        restartLanguageServer: () => languageSupport?.restart(),
      }),
    );
    void refreshCliLauncher(context.extensionPath, pristine, logger);
    // Restricted Mode: terminals must not get an environment kept from a trusted session.
    if (!vscode.workspace.isTrusted) context.environmentVariableCollection.clear();
    await workspace.startAll();
    // How long a user waits for cached environments (the bench reads this line too).
    logger.info(
      `started ${workspace.all.length} folder(s) in ${Math.round(performance.now() - activated)} ms`,
    );
    // After startAll: cached environments are applied, so servers start inside them at once.
    const serverChannel = vscode.window.createOutputChannel('Nix Language Server', { log: true });
    languageSupport = new LanguageSupportSwitch(
      () =>
        registerLanguageSupport({
          workspace,
          pristine,
          logger,
          channel: serverChannel,
          globalState: context.globalState,
          pinnedNixpkgsExpr: (folder) =>
            Promise.resolve(
              pinnedNixpkgsExpr(workspace.controllerFor(folder)?.session.applied?.entry),
            ),
        }),
      logger,
    );
    // The channel after the language support: servers log until they are gone.
    context.subscriptions.push(languageSupport, serverChannel);
    return createApi(workspace, pristine);
  } catch (error) {
    // VS Code does not tell the user when an activation fails.
    logger.error(
      `activation failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    void showError(asNixShellError(error), { label: 'Nix Shell', showLog: () => channel.show() });
    throw error;
  }
}

/** Set once the folders exist: stops their captures and resolves when those have wound down. */
let shutDown: (() => Promise<void>) | undefined;

/**
 * The window closes or reloads: captures are cancelled, so nix gets SIGTERM and a grace period
 * to clean up, and our temporary files are removed. VS Code waits 5 s for this, then ends the
 * extension host; what is still running at 4 s is killed outright, since nix runs in process
 * groups of its own that would outlive the host.
 */
export async function deactivate(): Promise<void> {
  await endAllProcesses(shutDown ? [shutDown()] : [], deactivateLimitMs);
}

const deactivateLimitMs = 4000;
