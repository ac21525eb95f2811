import path from 'node:path';
import * as vscode from 'vscode';
import type { EnvironmentCache } from '../core/cache/store';
import { chooseTarget } from '../core/discovery';
import { baseEnvironment, type EngineContext } from '../core/engine';
import { summarize, type Environment, type Mutation } from '../core/env/mutations';
import { asNixShellError, NixShellError } from '../core/errors';
import { locateNix } from '../core/nix/installation';
import { currentPin, lockFileName, pinSources, type PinContext } from '../core/pin';
import type { Logger } from '../core/logger';
import { EnvironmentSession, type SessionState } from '../core/session';
import { targetFile, targetLabel, type TargetSpec } from '../core/target';
import { config, optionalText } from './config';
import type { EvaluationDiagnostics } from './diagnostics';
import { folderLogger } from './log';
import type { FolderMemories } from './memory';
import { askForTrust, showError } from './messages';
import { showProgress } from './progress';
import { FolderStatusItem, type StatusView } from './statusBar';
import { PinStatusItem, type PinStatus, type PinView } from './pin/status';
import type { TerminalEnvironment } from './terminalEnv';

/** A folder's status as the API reports it: the state and the status bar's text. */
export interface FolderStatus {
  readonly state: StatusView['kind'];
  readonly label?: string;
  readonly statusText: string;
  readonly tooltip: string;
  /** The nixpkgs pin item, when it shows. */
  readonly pin?: PinStatus;
}

/** What every folder shares: built once in the composition root. */
export interface FolderServices {
  readonly logger: Logger;
  readonly showLog: () => void;
  readonly cache: EnvironmentCache;
  /** The extension host's environment before any Nix env was applied. */
  readonly pristine: Environment;
  readonly terminals: TerminalEnvironment;
  readonly diagnostics: EvaluationDiagnostics;
  readonly memories: FolderMemories;
  readonly multiRoot: () => boolean;
  /** Called whenever the environment this folder hands out changes. */
  readonly onEnvironmentChanged: () => void;
  /** Called whenever what the status bar shows for this folder changes. */
  readonly onStatusChanged: () => void;
  readonly select: (folder: vscode.WorkspaceFolder) => Thenable<unknown>;
}

/**
 * One workspace folder: its session (watchers, nix process, state) and what shows it to the
 * user and hands it out: the status bar item, the terminal scope, diagnostics and progress.
 */
export class FolderController implements vscode.Disposable {
  readonly session: EnvironmentSession;
  private readonly statusItem: FolderStatusItem;
  private readonly pinItem: PinStatusItem;
  private readonly pinWatcher: vscode.FileSystemWatcher;
  private readonly logger: Logger;
  /** What was last handed out, to hand out again only when it changes (not on every tick). */
  private lastApplied: { readonly mutations?: readonly Mutation[]; readonly entered: boolean } = {
    entered: false,
  };
  private progressShown = false;
  /** Bumped by enter and leave, so that only the latest of them takes effect. */
  private operation = 0;
  private readonly subscription: { dispose(): void };

  constructor(
    readonly folder: vscode.WorkspaceFolder,
    private readonly services: FolderServices,
  ) {
    this.logger = folderLogger(services.logger, folder.name);
    this.statusItem = new FolderStatusItem(folder, services.multiRoot);
    this.session = new EnvironmentSession({
      engine: () => this.engineContext(),
      autoReload: () => config.autoReload.get(this.folder),
      unapplyOnFailure: () => config.unapplyOnFailure.get(this.folder),
    });
    this.subscription = this.session.onDidChange((state) => this.onStateChanged(state));
    this.pinItem = new PinStatusItem(folder);
    this.pinWatcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(folder, `{${lockFileName},flake.lock}`),
    );
    for (const event of [
      this.pinWatcher.onDidCreate,
      this.pinWatcher.onDidChange,
      this.pinWatcher.onDidDelete,
    ]) {
      event(() => void this.refreshPin());
    }
    void this.refreshPin();
  }

  /**
   * Which file pins this folder's nixpkgs: flake.lock for a flake (its devShells evaluate its
   * own inputs, purely), nixpkgs.lock.json for a Nix file.
   */
  async pinSource(): Promise<'lock' | 'flake.lock'> {
    const spec = this.session.target ?? (await this.resolveSpec());
    return spec?.target.kind === 'flake' ? 'flake.lock' : 'lock';
  }

  /** Shows the folder's nixpkgs pin (the lock, else flake.lock), or that there is none. */
  async refreshPin(): Promise<void> {
    const dir = this.folder.uri.fsPath;
    const entry = this.session.applied?.entry;
    let view: PinView;
    try {
      const info = await currentPin(dir, new Date(), await this.pinSource());
      view = info
        ? {
            kind: 'pinned',
            info,
            file: path.join(dir, info.source === 'lock' ? lockFileName : 'flake.lock'),
            staleAfterDays: config['pin.staleAfterDays'].get(this.folder),
          }
        : entry?.nixpkgs === 'search-path' && config['pin.showUnpinned'].get(this.folder)
          ? { kind: 'unpinned' }
          : { kind: 'none' };
    } catch (error) {
      view = { kind: 'invalid', message: asNixShellError(error).message };
    }
    this.pinItem.render(view);
    this.services.onStatusChanged();
  }

  /** The mutations this folder hands out now (undefined when none is applied). */
  get mutations(): readonly Mutation[] | undefined {
    const state = this.session.state;
    return state.kind === 'off' ? undefined : state.applied?.entry.mutations;
  }

  get label(): string | undefined {
    const spec = this.session.target;
    return spec ? targetLabel(spec.target, this.folder.uri.fsPath) : undefined;
  }

  /** The target settings or the remembered choice point at, or discovery finds. */
  async resolveSpec(): Promise<TargetSpec | undefined> {
    const explicit =
      optionalText(config.file, this.folder) ?? optionalText(config.devShell, this.folder);
    const remembered = this.services.memories.get(this.folder.uri).choice;
    const preference = explicit
      ? {
          file: optionalText(config.file, this.folder),
          devShell: optionalText(config.devShell, this.folder),
        }
      : (remembered ?? {});
    const target = await chooseTarget(this.folder.uri.fsPath, preference);
    return target
      ? { target, args: config.args.get(this.folder), pinDir: this.folder.uri.fsPath }
      : undefined;
  }

  /**
   * Enters (resolves once a cached environment is applied; a capture goes on in the
   * background). Every way into nix passes here or through `reload`: both refuse to run
   * anything in an untrusted workspace, since evaluating Nix runs the project's code.
   */
  async enter(options: { userInitiated: boolean }): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      if (options.userInitiated) askForTrust();
      return;
    }
    const operation = ++this.operation;
    const spec = await this.resolveSpec();
    // A leave (or another enter) while the target was being resolved wins.
    if (operation !== this.operation) return;
    if (!spec) {
      const error = new NixShellError(
        'no-environment',
        `${this.folder.name} has no flake.nix, shell.nix or default.nix`,
      );
      if (options.userInitiated) void this.showError(error);
      return;
    }
    await this.session.enter(spec);
  }

  async reload(): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      askForTrust();
      return;
    }
    if (this.session.target) await this.session.reload();
    else await this.enter({ userInitiated: true });
  }

  leave(): void {
    this.operation++;
    this.session.leave();
  }

  /** Untrusted workspace: say what was found, evaluate nothing. */
  showLimited(label: string): void {
    this.services.terminals.clear(this.folder);
    this.statusItem.render({ kind: 'limited', label });
    this.services.onStatusChanged();
  }

  /** Shows the session's state again (after trust was granted, the limited item goes). */
  refreshStatus(): void {
    this.statusItem.render(statusView(this.session.state, this.label ?? this.folder.name));
    this.services.onStatusChanged();
  }

  showLog(): void {
    this.services.showLog();
  }

  logError(what: string, error: unknown): void {
    this.logger.error(`${what}: ${error instanceof Error ? error.message : String(error)}`);
  }

  /** What pin operations need: nix, the user's environment, where pins come from. */
  async pinContext(signal?: AbortSignal): Promise<PinContext> {
    const { nixPath, base } = this.nixContext();
    return {
      nix: await locateNix(nixPath, base['PATH']),
      env: base,
      sources: pinSources(
        {
          githubUrl: config['pin.githubUrl'].get(this.folder),
          channelsUrl: config['pin.channelsUrl'].get(this.folder),
        },
        base,
      ),
      logger: this.logger,
      ...(signal ? { signal } : {}),
    };
  }

  /** Where nix is and the environment to run it with, for nix calls outside a capture. */
  nixContext(): { nixPath: string | undefined; base: Record<string, string> } {
    const { nixPath, base } = this.engineContext();
    return { nixPath, base: { ...base } };
  }

  /** What the status bar shows, for the public API. */
  get status(): FolderStatus {
    const view = this.statusItem.view;
    return {
      state: view.kind,
      ...(view.kind === 'off' ? {} : { label: view.label }),
      statusText: this.statusItem.text,
      tooltip: this.statusItem.tooltip,
      ...(this.pinItem.status ? { pin: this.pinItem.status } : {}),
    };
  }

  async showError(error: NixShellError): Promise<void> {
    const spec = this.session.target;
    await showError(error, {
      label: this.label ?? this.folder.name,
      showLog: this.services.showLog,
      select: () => this.services.select(this.folder),
      ...(spec ? { openFile: () => openAt(error, targetFile(spec.target)) } : {}),
    });
  }

  /**
   * Stops the session without reverting what it applied: the persistent terminal collection
   * keeps the environment for terminals restored with the next window. `leave` reverts.
   */
  dispose(): void {
    this.subscription.dispose();
    this.session.dispose();
    this.statusItem.dispose();
    this.pinItem.dispose();
    this.pinWatcher.dispose();
    this.services.diagnostics.report(this.folder.uri.toString(), undefined, '');
  }

  private engineContext(): EngineContext & { nixPath: string | undefined } {
    return {
      cache: this.services.cache,
      base: baseEnvironment(this.services.pristine),
      logger: this.logger,
      nixPath: optionalText(config.nixPath, this.folder),
      evaluationTimeoutMs: config.evaluationTimeout.get(this.folder) * 1000,
      hookTimeoutMs: config.shellHookTimeout.get(this.folder) * 1000,
    };
  }

  private onStateChanged(state: SessionState): void {
    const label = this.label ?? this.folder.name;
    this.statusItem.render(statusView(state, label));
    this.services.onStatusChanged();
    if (state.kind === 'loading' && !this.progressShown) {
      this.progressShown = true;
      void showProgress(this.session, `Nix: ${label}`).then(() => (this.progressShown = false));
    }
    const spec = this.session.target;
    this.services.diagnostics.report(
      this.folder.uri.toString(),
      state.kind === 'failed' ? state.error : undefined,
      spec ? targetFile(spec.target) : this.folder.uri.fsPath,
    );
    const mutations = this.mutations;
    const entered = state.kind !== 'off';
    if (mutations !== this.lastApplied.mutations || entered !== this.lastApplied.entered) {
      this.lastApplied = { ...(mutations ? { mutations } : {}), entered };
      if (mutations) {
        this.services.terminals.apply(this.folder, mutations, `Nix environment of ${label}`);
      } else {
        this.services.terminals.clear(this.folder);
      }
      this.services.onEnvironmentChanged();
    }
    // Whether the environment uses the user's channels is known once it is captured.
    if (state.kind === 'active') void this.refreshPin();
    // Failures after an edit show as the status and a diagnostic; only asked-for ones speak up.
    if (state.kind === 'failed' && state.origin === 'user') void this.showError(state.error);
  }
}

export function statusView(state: SessionState, label: string): StatusView {
  switch (state.kind) {
    case 'off':
      return { kind: 'off' };
    case 'loading':
      return { kind: 'loading', label, progress: state.progress };
    case 'active': {
      const { entry } = state.applied;
      const counts = summarize(entry.mutations);
      return {
        kind: 'active',
        label,
        changes: counts.total,
        detail: `${counts.total} variables changed: ${counts.set} set, ${counts.prepended} prepended, ${counts.unset} unset. Captured ${entry.capturedAt} with nix ${entry.nixVersion} (${entry.method}).`,
      };
    }
    case 'stale':
      return { kind: 'stale', label, reason: state.reason };
    case 'failed':
      return { kind: 'failed', label, message: state.error.message };
  }
}

async function openAt(error: NixShellError, fallback: string): Promise<void> {
  const location = error.locations.find((l) => !l.file.startsWith('/nix/store/'));
  const document = await vscode.workspace.openTextDocument(location?.file ?? fallback);
  const position = new vscode.Position(
    Math.max((location?.line ?? 1) - 1, 0),
    Math.max((location?.column ?? 1) - 1, 0),
  );
  await vscode.window.showTextDocument(document, {
    selection: new vscode.Range(position, position),
  });
}
