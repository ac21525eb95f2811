import { createHash } from 'node:crypto';
import os from 'node:os';
import * as vscode from 'vscode';
import type { Logger } from '../../core/logger';
import { config } from '../config';
import type { ProjectEnvironments } from './environments';
import { locateFirst } from './locate';
import type { NixLanguageClient, ServerLaunch, ServerScope } from './nixClient';
import type { ServerNotFoundNotice } from './serverNotFound';
import type { ServerKind } from './serverSettings';
import { entriesByName } from '../../core/order';

/** The pinned nixpkgs of a folder as a Nix expression (nixd's `nixpkgs.expr`), if pinned. */
export type PinnedNixpkgsExpr = (folder: vscode.WorkspaceFolder) => Promise<string | undefined>;

export interface LanguageServersServices {
  readonly environments: ProjectEnvironments;
  readonly pinnedNixpkgsExpr: PinnedNixpkgsExpr;
  readonly notice: ServerNotFoundNotice;
  readonly logger: Logger;
  /** Where the servers' own output and stderr go. */
  readonly channel: vscode.LogOutputChannel;
}

interface ScopeState {
  readonly scope: ServerScope;
  /** A .nix document of the scope was opened: servers start lazily, so other folders cost nothing. */
  wanted: boolean;
  client: NixLanguageClient | undefined;
  /** What the current client was started with; equal means there is nothing to restart. */
  launchKey: string | undefined;
  /** Whether the folder's environment was loading at the last status change. */
  loading: boolean;
  /** Reconciles run one after another, so a restart never overlaps the previous one. */
  queue: Promise<void>;
  queued: boolean;
}

const windowKey = 'window';

/**
 * One language server per workspace folder (or one for a window without folders), started
 * with the folder's environment as its whole process environment, cwd the folder.
 *
 * Every event (environment, status, settings, trust, pin) only asks for a reconcile: it
 * works out which server to run and with what, and restarts the client when, and only when,
 * that differs from what runs. So a re-capture that yields the same environment restarts
 * nothing, and a changed one restarts the client exactly once, nothing else in the host.
 */
export class LanguageServers implements vscode.Disposable {
  private readonly scopes = new Map<string, ScopeState>();
  private readonly disposables: { dispose(): unknown }[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  private disposed = false;

  /** Fires when a server starts or stops running. */
  readonly onDidChangeServers = this.changed.event;

  constructor(private readonly services: LanguageServersServices) {
    const { environments } = services;
    // A new pin reaches the server through the environment it re-evaluates (nixpkgs.expr).
    this.disposables.push(
      this.changed,
      vscode.workspace.onDidOpenTextDocument((document) => this.onOpened(document)),
      environments.onDidChangeEnvironment((folder) => this.scheduleFolderOf(folder)),
      environments.onDidChangeStatus((folder) => this.onStatusChanged(folder)),
      vscode.workspace.onDidChangeConfiguration((event) => this.onConfigurationChanged(event)),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.scheduleAll()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.onFoldersChanged()),
    );
    for (const document of vscode.workspace.textDocuments) this.onOpened(document);
  }

  /** The running server that serves this document, if any. */
  serverFor(document: vscode.TextDocument): NixLanguageClient | undefined {
    const key = scopeKeyOf(document.uri);
    const client = key ? this.scopes.get(key)?.client : undefined;
    return client?.running ? client : undefined;
  }

  /** Formats with the document's server (its own `formatting.command`); undefined without one. */
  format(
    document: vscode.TextDocument,
    options: vscode.FormattingOptions,
    token: vscode.CancellationToken,
  ): Promise<vscode.TextEdit[] | undefined> {
    return this.serverFor(document)?.format(document, options, token) ?? Promise.resolve(undefined);
  }

  private onOpened(document: vscode.TextDocument): void {
    if (!isNixDocument(document)) return;
    const state = this.stateFor(document.uri);
    if (!state || state.wanted) return;
    state.wanted = true;
    this.schedule(state);
  }

  private onStatusChanged(folder: vscode.Uri): void {
    const state = this.scopes.get(folder.toString());
    if (!state) return;
    // Status changes come with every progress line; only the end of loading matters here.
    const loading = this.services.environments.loading(state.scope.folder);
    if (loading === state.loading) return;
    state.loading = loading;
    this.schedule(state);
  }

  private onConfigurationChanged(event: vscode.ConfigurationChangeEvent): void {
    for (const state of this.scopes.values()) {
      const scope = state.scope.folder?.uri;
      if (config.languageServer.isAffectedBy(event, scope)) this.schedule(state);
      if (config.languageServerSettings.isAffectedBy(event, scope) && state.client) {
        state.client
          .settingsChanged()
          .catch((error: unknown) =>
            this.services.logger.warn(`language server: ${String(error)}`),
          );
      }
    }
  }

  private onFoldersChanged(): void {
    const folders = vscode.workspace.workspaceFolders ?? [];
    for (const [key, state] of this.scopes) {
      const gone =
        key === windowKey ? folders.length > 0 : !folders.some((f) => f.uri.toString() === key);
      if (!gone) continue;
      this.scopes.delete(key);
      state.wanted = false;
      this.schedule(state);
    }
    for (const document of vscode.workspace.textDocuments) this.onOpened(document);
  }

  private scheduleFolderOf(uri: vscode.Uri): void {
    const key = scopeKeyOf(uri);
    const state = key ? this.scopes.get(key) : undefined;
    if (state) this.schedule(state);
  }

  private scheduleAll(): void {
    for (const state of this.scopes.values()) this.schedule(state);
  }

  private stateFor(uri: vscode.Uri): ScopeState | undefined {
    const key = scopeKeyOf(uri);
    if (!key) return undefined;
    let state = this.scopes.get(key);
    if (!state) {
      const folder = vscode.workspace.getWorkspaceFolder(uri);
      state = {
        scope: { key, folder },
        wanted: false,
        client: undefined,
        launchKey: undefined,
        loading: this.services.environments.loading(folder),
        queue: Promise.resolve(),
        queued: false,
      };
      this.scopes.set(key, state);
    }
    return state;
  }

  private schedule(state: ScopeState): void {
    if (state.queued) return;
    state.queued = true;
    state.queue = state.queue
      .then(() => {
        state.queued = false;
        return this.reconcile(state);
      })
      .catch((error: unknown) =>
        this.services.logger.error(`language server: ${errorText(error)}`),
      );
  }

  private async reconcile(state: ScopeState): Promise<void> {
    const { environments, logger } = this.services;
    const { folder } = state.scope;
    const setting = config.languageServer.get(folder?.uri);
    // nixd evaluates Nix (nixpkgs.expr, flakes): like the environment, only once trusted.
    if (this.disposed || !state.wanted || setting === 'off' || !vscode.workspace.isTrusted) {
      await this.stop(state);
      return;
    }
    // The environment is about to change: starting now would mean starting twice.
    if (environments.loading(folder)) return;
    const env = environments.environmentOf(folder);
    const candidates: ServerKind[] = setting === 'auto' ? ['nixd', 'nil'] : [setting];
    const located = locateFirst(candidates, env['PATH'], environments.editor['PATH']);
    if (!located) {
      await this.stop(state);
      logger.info(`language server: no ${candidates.join(' or ')} for ${scopeName(state)}`);
      // Only where it can be fixed: the project has an environment to add one to, or the user
      // asked for a particular server.
      if (setting !== 'auto' || environments.entered(folder)) {
        this.services.notice.show(
          candidates.join(' or '),
          candidates[0] ?? 'nixd',
          environments.environmentFile(folder),
        );
      }
      return;
    }
    const launch: ServerLaunch = {
      kind: located.name,
      command: located.file,
      from: located.from,
      env,
      cwd: folder?.uri.fsPath ?? os.homedir(),
      nixpkgsExpr:
        located.name === 'nixd' && folder
          ? await this.services.pinnedNixpkgsExpr(folder)
          : undefined,
    };
    const key = launchKey(launch);
    if (key === state.launchKey) return;
    await this.stop(state);
    await this.start(state, launch, key);
  }

  private async start(state: ScopeState, launch: ServerLaunch, key: string): Promise<void> {
    // The language client stack is a third of the extension's code: it is loaded (from its
    // own bundle, dist/languageClient.cjs) only when a server starts, not at every activation.
    const { NixLanguageClient } = await import('./nixClient');
    // Disposed while the server was being looked for: start nothing that would outlive us.
    if (this.disposed) return;
    const { logger, channel } = this.services;
    const folder = state.scope.folder;
    const client = new NixLanguageClient(launch, state.scope, {
      channel,
      userSettings: () => config.languageServerSettings.get(folder?.uri),
      onStateChanged: () => this.changed.fire(),
    });
    state.client = client;
    // Kept when the start fails too: the same launch is not retried until something changes.
    state.launchKey = key;
    const origin = launch.from === 'project' ? 'the project environment' : "the editor's PATH";
    logger.info(
      `language server: starting ${launch.command} (from ${origin}) for ${scopeName(state)}`,
    );
    try {
      await withTimeout(
        client.start(),
        startTimeoutMs,
        `no answer within ${startTimeoutMs / 1000} s`,
      );
    } catch (error) {
      logger.error(`language server ${launch.command} did not start: ${errorText(error)}`);
      // A server that never answers would hold this folder's queue (and its process) forever.
      if (state.client === client) state.client = undefined;
      await client.dispose().catch(() => undefined);
    }
    this.changed.fire();
  }

  private async stop(state: ScopeState): Promise<void> {
    const client = state.client;
    state.client = undefined;
    state.launchKey = undefined;
    if (!client) return;
    this.services.logger.info(`language server: stopping ${client.launch.command}`);
    await client
      .dispose()
      .catch((error: unknown) =>
        this.services.logger.warn(`language server did not stop cleanly: ${errorText(error)}`),
      );
    this.changed.fire();
  }

  dispose(): void {
    this.disposed = true;
    for (const state of this.scopes.values()) {
      void state.client?.dispose().catch(() => undefined);
      state.client = undefined;
    }
    this.scopes.clear();
    for (const disposable of this.disposables) disposable.dispose();
  }
}

/** How long a server may take to answer `initialize`. */
const startTimeoutMs = 60_000;

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** The scope a document belongs to: its folder; the window only when there are no folders. */
function scopeKeyOf(uri: vscode.Uri): string | undefined {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  if (folder) return folder.uri.toString();
  return vscode.workspace.workspaceFolders?.length ? undefined : windowKey;
}

function isNixDocument(document: vscode.TextDocument): boolean {
  return document.languageId === 'nix' && ['file', 'untitled'].includes(document.uri.scheme);
}

function scopeName(state: ScopeState): string {
  return state.scope.folder ? `folder ${state.scope.folder.name}` : 'the window';
}

/** A fingerprint of everything a start depends on: the server, its environment, the pin. */
function launchKey(launch: ServerLaunch): string {
  const env = entriesByName(launch.env);
  const identity = [launch.command, launch.cwd, launch.nixpkgsExpr ?? null, env];
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex');
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
