import path from 'node:path';
import * as vscode from 'vscode';
import type { ConfigurationContext } from '../core/configs';
import type { EnvironmentCache } from '../core/cache/store';
import { ignoredCachePrefix } from '../core/capture/run';
import { resolveTarget, type FolderScan, type ResolvedTarget } from '../core/discovery';
import { baseEnvironment, type EngineContext } from '../core/engine';
import { summarize, type Environment, type Mutation } from '../core/env/mutations';
import { envrcFileName } from '../core/envrc/read';
import { asNixShellError, NixShellError } from '../core/errors';
import { binaryCacheOptions } from '../core/nix/command';
import { gitIntentToAdd } from '../core/gitTrack';
import { acceptFlakeConfig, isCacheSetting, readFlakeConfig } from '../core/nix/flakeConfig';
import { askAboutFlakeConfig, type FlakeConfigAnswer } from './flakeConfigPrompt';
import { locateNix } from '../core/nix/installation';
import { pinSources, type PinContext } from '../core/pin/context';
import { lockFileName } from '../core/pin/lockFileName';
import type { Logger } from '../core/logger';
import { EnvironmentSession, type SessionState } from '../core/session';
import { targetFile, targetLabel, type TargetSpec } from '../core/target';
import { config, optionalText } from './config';
import type { EvaluationDiagnostics } from './diagnostics';
import { folderLogger } from './log';
import type { FolderMemories } from './memory';
import { askForTrust, showError, showWarning } from './messages';
import { showProgress } from './progress';
import { FolderStatusItem, type StatusView } from './statusBar';
import { PinStatusItem, type PinStatus, type PinView } from './pin/status';
import type { TerminalEnvironment } from './terminalEnv';
import { redact } from '../core/redact';

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
  /** An edited `.envrc` may load another environment: the target is chosen again. */
  private readonly envrcWatcher: vscode.FileSystemWatcher;
  private readonly logger: Logger;
  /** What was last handed out, to hand out again only when it changes (not on every tick). */
  private lastApplied: { readonly mutations?: readonly Mutation[]; readonly entered: boolean } = {
    entered: false,
  };
  private progressShown = false;
  /** The direnv extension manages this folder: nothing is applied, the status says so. */
  private ownedByDirenv = false;
  /** What the folder would enter, while it is not entered: the status bar offers it. */
  private found: string | undefined;
  private readonly cacheWarningsShown = new Set<string>();
  /** Whether the flake's nixConfig was offered in this window ("Not now" asks again next time). */
  private flakeConfigOffered = false;
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
    this.envrcWatcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(folder, envrcFileName),
    );
    for (const event of [
      this.envrcWatcher.onDidCreate,
      this.envrcWatcher.onDidChange,
      this.envrcWatcher.onDidDelete,
    ]) {
      event(() => void this.onEnvrcChanged());
    }
  }

  /** Enters again only when the `.envrc` now points somewhere else; nix decides the rest. */
  private async onEnvrcChanged(): Promise<void> {
    const current = this.session.target;
    if (!current || this.session.state.kind === 'off') return;
    const next = await this.resolveSpec();
    if (JSON.stringify(next) !== JSON.stringify(current))
      await this.enter({ userInitiated: false });
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
      // The lock-reading code and its schemas load when a folder's pin is first shown, not
      // with the extension.
      const { currentPin } = await import('../core/pin/info');
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
      view = { kind: 'invalid', message: redact(asNixShellError(error).message) };
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

  /** The target settings or the remembered choice point at, or the `.envrc`, or discovery. */
  async resolveSpec(): Promise<TargetSpec | undefined> {
    return (await this.resolve()).spec;
  }

  /**
   * What resolving the target found, with where it came from and what the `.envrc` says.
   * `scan`: the folder as the caller has just read it, not read again.
   */
  async resolve(scan?: FolderScan): Promise<ResolvedTarget> {
    const explicit =
      optionalText(config.file, this.folder) ?? optionalText(config.devShell, this.folder);
    const remembered = this.services.memories.get(this.folder.uri).choice;
    const preference = explicit
      ? {
          file: optionalText(config.file, this.folder),
          devShell: optionalText(config.devShell, this.folder),
        }
      : (remembered ?? {});
    const resolved = await resolveTarget(
      this.folder.uri.fsPath,
      preference,
      config.args.get(this.folder),
      scan,
    );
    // A team's binary caches change where paths come from, not the environment (nor its key).
    // An accepted flake nixConfig may change more (nix applies all of it): it is part of the key.
    const accepted =
      resolved.spec?.target.kind === 'flake' &&
      this.services.memories.get(this.folder.uri).flakeConfig === 'accepted';
    const options = [
      ...binaryCacheOptions(config.binaryCaches.get(this.folder)),
      ...(accepted ? acceptFlakeConfig : []),
    ];
    return resolved.spec ? { ...resolved, spec: { ...resolved.spec, options } } : resolved;
  }

  /**
   * Enters (resolves once a cached environment is applied; a capture goes on in the
   * background). Every way into nix passes here or through `reload`: both refuse to run
   * anything in an untrusted workspace, since evaluating Nix runs the project's code.
   * `resolved`: the target as the caller has just resolved it, entered without resolving again.
   */
  async enter(options: { userInitiated: boolean; resolved?: ResolvedTarget }): Promise<void> {
    if (this.ownedByDirenv) {
      if (options.userInitiated) void showOwnedByDirenv(this.folder);
      return;
    }
    if (!vscode.workspace.isTrusted) {
      if (options.userInitiated) askForTrust();
      return;
    }
    const operation = ++this.operation;
    const spec = options.resolved ? options.resolved.spec : await this.resolveSpec();
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
    if (spec.target.kind === 'flake') void this.offerFlakeConfig(spec.target.dir);
    await this.session.enter(spec);
  }

  /**
   * Nix applies a flake's nixConfig (its binary caches) only when accepted, and cannot ask
   * here: the editor asks once, beside entering, and remembers the answer for the folder.
   * Only called from enter, so only in a trusted workspace (reading nixConfig evaluates Nix).
   */
  private async offerFlakeConfig(flakeDir: string): Promise<void> {
    if (this.flakeConfigOffered || this.services.memories.get(this.folder.uri).flakeConfig) return;
    this.flakeConfigOffered = true;
    let settings: Array<[string, string]>;
    try {
      const { nixPath, base } = this.nixContext();
      const nix = await locateNix(nixPath, base['PATH']);
      settings = await readFlakeConfig(nix, flakeDir, { env: base });
    } catch (error) {
      this.logError("reading the flake's nixConfig", error);
      return;
    }
    if (!settings.some(([name]) => isCacheSetting(name))) return;
    const answer = await askAboutFlakeConfig(this.folder.name, settings);
    if (!answer) return;
    await this.services.memories.update(this.folder.uri, { flakeConfig: answer });
    // Entering again evaluates with the caches (enter checks trust again).
    if (answer === 'accepted' && this.session.state.kind !== 'off') {
      await this.enter({ userInitiated: false });
    }
  }

  /**
   * Forgets the answer to the flake's nixConfig question, so nix ignores the nixConfig again
   * until accepted. An entered folder enters again: without its caches, and asked again.
   * Returns the answer forgotten, if there was one.
   */
  async forgetFlakeConfig(): Promise<FlakeConfigAnswer | undefined> {
    const answer = this.services.memories.get(this.folder.uri).flakeConfig;
    if (!answer) return undefined;
    await this.services.memories.update(this.folder.uri, { flakeConfig: undefined });
    this.flakeConfigOffered = false;
    if (this.session.state.kind !== 'off' && vscode.workspace.isTrusted) {
      await this.enter({ userInitiated: false });
    }
    return answer;
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
    // What was entered can be entered again from the status bar.
    this.found = this.label ?? this.found;
    this.session.leave();
  }

  /** Shows what the folder would enter while it is not entered (undefined: nothing found). */
  showFound(label: string | undefined): void {
    this.found = label;
    this.refreshStatus();
  }

  /** What the folder would enter, resolved again (a setting that chooses it changed). */
  async refreshFound(): Promise<void> {
    if (this.found === undefined) return;
    const { spec } = await this.resolve();
    this.showFound(spec ? targetLabel(spec.target, this.folder.uri.fsPath) : undefined);
  }

  /** Lets the direnv extension manage the folder: reverts what was applied, applies nothing. */
  standBack(): void {
    this.ownedByDirenv = true;
    this.leave();
    this.services.terminals.clear(this.folder);
    this.refreshStatus();
  }

  /** This extension manages the folder again (the user chose it). */
  takeOver(): void {
    this.ownedByDirenv = false;
    this.refreshStatus();
  }

  get standingBack(): boolean {
    return this.ownedByDirenv;
  }

  /** Untrusted workspace: say what was found, evaluate nothing. */
  showLimited(label: string): void {
    this.services.terminals.clear(this.folder);
    this.statusItem.render({ kind: 'limited', label });
    this.services.onStatusChanged();
  }

  /** Shows the session's state again (after trust was granted, the limited item goes). */
  refreshStatus(): void {
    this.statusItem.render(this.currentView(this.session.state));
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

  /** What evaluating and building the folder's system configurations needs. */
  async configurationContext(
    signal: AbortSignal,
    onProgress: (text: string) => void,
  ): Promise<ConfigurationContext> {
    const { nixPath, base, logger, evaluationTimeoutMs } = this.engineContext();
    return {
      nix: await locateNix(nixPath, base['PATH']),
      env: { ...base },
      logger,
      signal,
      onProgress,
      evaluationTimeoutMs,
      hookTimeoutMs: 0,
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
      openLock: () =>
        vscode.window.showTextDocument(
          vscode.Uri.file(path.join(spec?.pinDir ?? this.folder.uri.fsPath, lockFileName)),
        ),
      ...(spec
        ? {
            openFile: () => openAt(error, targetFile(spec.target)),
            gitAdd: (file: string) =>
              this.gitAddAndReload(path.dirname(targetFile(spec.target)), file),
          }
        : {}),
    });
  }

  /** Lets the flake see a file git did not track (intent to add), then evaluates again. */
  private async gitAddAndReload(dir: string, file: string): Promise<void> {
    try {
      await gitIntentToAdd(dir, file, this.nixContext().base);
    } catch (error) {
      await this.showError(asNixShellError(error));
      return;
    }
    this.logger.info(`git add --intent-to-add ${file}`);
    await this.reload();
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
    this.envrcWatcher.dispose();
    this.services.diagnostics.report(this.folder.uri.toString(), undefined, '');
  }

  /** The engine settings of this folder, read now. */
  engineContext(): EngineContext & { nixPath: string | undefined } {
    return {
      cache: this.services.cache,
      base: baseEnvironment(this.services.pristine),
      logger: this.logger,
      nixPath: optionalText(config.nixPath, this.folder),
      evaluationTimeoutMs: config.evaluationTimeout.get(this.folder) * 1000,
      hookTimeoutMs: config.shellHookTimeout.get(this.folder) * 1000,
      client: 'VS Code',
    };
  }

  private currentView(state: SessionState): StatusView {
    if (state.kind === 'off' && this.ownedByDirenv) return { kind: 'direnv', label: envrcFileName };
    if (state.kind === 'off' && this.found) return { kind: 'available', label: this.found };
    return statusView(state, this.label ?? this.folder.name);
  }

  /**
   * A team cache the nix daemon ignores makes nix build what the cache has, without a word:
   * said once per window, with the fix (the log and Show environment keep saying it).
   */
  private warnOfIgnoredCaches(warnings: readonly string[]): void {
    for (const warning of warnings) {
      if (!warning.startsWith(ignoredCachePrefix) || this.cacheWarningsShown.has(warning)) continue;
      this.cacheWarningsShown.add(warning);
      void showWarning({ kind: 'ignored-cache', text: warning });
    }
  }

  private onStateChanged(state: SessionState): void {
    const label = this.label ?? this.folder.name;
    this.statusItem.render(this.currentView(state));
    this.services.onStatusChanged();
    // A re-evaluation nobody asked for (a watched file changed) shows in the status bar only.
    if (state.kind === 'loading' && state.origin === 'user' && !this.progressShown) {
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
    if (state.kind === 'active') this.warnOfIgnoredCaches(state.applied.entry.warnings);
    // Failures after an edit show as the status and a diagnostic; only asked-for ones speak up.
    if (state.kind === 'failed' && state.origin === 'user') void this.showError(state.error);
  }
}

export function statusView(state: SessionState, label: string): StatusView {
  switch (state.kind) {
    case 'off':
      return { kind: 'off' };
    case 'loading':
      return {
        kind: 'loading',
        label,
        progress: state.progress,
        ...(state.counts ? { counts: state.counts } : {}),
      };
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
      return { kind: 'failed', label, message: redact(state.error.message) };
  }
}

async function showOwnedByDirenv(folder: vscode.WorkspaceFolder): Promise<void> {
  const change = 'Change';
  const answer = await vscode.window.showInformationMessage(
    `The direnv extension manages the environment of ${folder.name}.`,
    change,
  );
  if (answer === change) {
    await vscode.commands.executeCommand('nixShell.chooseOwner', folder.uri);
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
