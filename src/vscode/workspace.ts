import * as vscode from 'vscode';
import { scanFolder, type ResolvedTarget } from '../core/discovery';
import type { Mutation } from '../core/env/mutations';
import { targetLabel } from '../core/target';
import { config, optionalText, targetSettings } from './config';
import { FolderController, type FolderServices } from './folder';
import { askOwner, ownerConflict, type EnvironmentOwner } from './direnvOwner';
import type { HostEnvironment } from './hostEnv';
import type { EnterDecision } from './memory';
import { contextKeys } from './tables/commands';

/**
 * All workspace folders: one FolderController per folder that has a Nix environment, created
 * as folders come and go. It decides, per folder, whether to enter, ask, or (untrusted) only
 * show what it found; and it merges the folders' environments into the extension host's.
 */
export class WorkspaceController implements vscode.Disposable {
  private readonly controllers = new Map<string, FolderController>();
  private readonly askingOwner = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly environmentChanged = new vscode.EventEmitter<vscode.Uri>();
  private readonly statusChanged = new vscode.EventEmitter<vscode.Uri>();

  /** Fires when what a folder's status bar item shows changes (for the public API). */
  readonly onDidChangeStatus = this.statusChanged.event;

  /** Fires when the environment a folder hands out changes (for the public API). */
  readonly onDidChangeEnvironment = this.environmentChanged.event;

  constructor(
    private readonly services: Omit<
      FolderServices,
      'onEnvironmentChanged' | 'onStatusChanged' | 'multiRoot'
    >,
    private readonly host: HostEnvironment,
  ) {
    this.disposables.push(
      vscode.workspace.onDidChangeWorkspaceFolders((event) => {
        for (const folder of event.removed) this.removeFolder(folder);
        for (const folder of event.added) void this.addFolder(folder);
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.startAll()),
      vscode.workspace.onDidChangeConfiguration((event) => this.onConfigurationChanged(event)),
    );
  }

  /** Starts every folder; resolves once cached environments are applied (not after captures). */
  async startAll(): Promise<void> {
    await Promise.all((vscode.workspace.workspaceFolders ?? []).map((f) => this.addFolder(f)));
  }

  controllerFor(folder: vscode.WorkspaceFolder): FolderController | undefined {
    return this.controllers.get(folder.uri.toString());
  }

  /** The folder's controller, created on demand (a command may name a folder without files yet). */
  ensureController(folder: vscode.WorkspaceFolder): FolderController {
    const key = folder.uri.toString();
    let controller = this.controllers.get(key);
    if (!controller) {
      controller = new FolderController(folder, {
        ...this.services,
        multiRoot: () => (vscode.workspace.workspaceFolders?.length ?? 0) > 1,
        onEnvironmentChanged: () => this.onEnvironmentChanged(folder),
        onStatusChanged: () => {
          this.updateLoadingContext();
          this.statusChanged.fire(folder.uri);
        },
      });
      this.controllers.set(key, controller);
    }
    return controller;
  }

  get memories(): FolderServices['memories'] {
    return this.services.memories;
  }

  get all(): FolderController[] {
    return [...this.controllers.values()];
  }

  /** The folder's controller; the first folder's when none is named. */
  controllerOf(folder: vscode.WorkspaceFolder | undefined): FolderController | undefined {
    const target = folder ?? vscode.workspace.workspaceFolders?.[0];
    return target ? this.controllerFor(target) : undefined;
  }

  mutationsFor(folder: vscode.WorkspaceFolder | undefined): readonly Mutation[] | undefined {
    return this.controllerOf(folder)?.mutations;
  }

  /** Every entered folder's mutations, in workspace folder order (first folder first). */
  get allMutations(): (readonly Mutation[])[] {
    return (vscode.workspace.workspaceFolders ?? [])
      .map((f) => this.controllerFor(f)?.mutations)
      .filter((m): m is readonly Mutation[] => m !== undefined);
  }

  /**
   * Decides for one folder: enter (resolves once a cached environment is applied), ask, or,
   * untrusted, only show what was found. A folder that is not entered loses whatever the
   * persistent terminal collection kept for it from an earlier session.
   */
  async addFolder(folder: vscode.WorkspaceFolder): Promise<void> {
    // Each trip to disk waits its turn among every extension starting up: the folder is read
    // once, the target resolved from that reading, and what was resolved is what gets entered.
    const scan = await scanFolder(folder.uri.fsPath);
    const first = scan.candidates[0];
    const configured =
      (optionalText(config.file, folder) ?? optionalText(config.devShell, folder)) ||
      scan.envrc?.target;
    if (!first && !configured) {
      this.services.terminals.clear(folder);
      return;
    }
    // A round trip to the window, busy starting up itself: entering does not wait for it.
    void this.setContext(contextKeys.hasEnvironment, true);
    const controller = this.ensureController(folder);
    if (!vscode.workspace.isTrusted) {
      const { spec } = await controller.resolve(scan);
      controller.showLimited(
        spec ? targetLabel(spec.target, folder.uri.fsPath) : (first?.name ?? 'a Nix file'),
      );
      return;
    }
    controller.refreshStatus();
    const resolved = await controller.resolve(scan);
    const owner = this.ownerOf(controller, resolved);
    if (owner !== 'nixShell') {
      if (owner === 'direnv') controller.standBack();
      else this.services.terminals.clear(folder);
      return;
    }
    const decision = this.openDecision(folder);
    if (decision === 'always' || decision === 'entered') {
      await controller.enter({ userInitiated: false, resolved });
      return;
    }
    if (controller.session.state.kind === 'off') this.services.terminals.clear(folder);
    const label = resolved.spec ? targetLabel(resolved.spec.target, folder.uri.fsPath) : undefined;
    controller.showFound(label);
    if (decision === undefined && label) void this.askToEnter(controller, label);
  }

  /**
   * Who manages the folder's environment: this extension, unless the direnv extension would
   * apply the same `.envrc`; then what the user answered once, or `asking` until they do.
   */
  private ownerOf(
    controller: FolderController,
    { envrc }: ResolvedTarget,
  ): EnvironmentOwner | 'asking' {
    if (!ownerConflict(envrc)) return 'nixShell';
    const remembered = this.services.memories.get(controller.folder.uri).owner;
    if (remembered) return remembered;
    void this.askOwner(controller);
    return 'asking';
  }

  /** Asks once per folder at a time; the answer takes effect at once. */
  async askOwner(controller: FolderController): Promise<void> {
    const key = controller.folder.uri.toString();
    if (this.askingOwner.has(key)) return;
    this.askingOwner.add(key);
    try {
      const owner = await askOwner(controller.folder, this.services.memories);
      if (owner === 'direnv') controller.standBack();
      if (owner === 'nixShell') {
        controller.takeOver();
        // Choosing Nix Shell to manage the environment is choosing to enter it: no second question.
        const memories = this.services.memories;
        if (!memories.get(controller.folder.uri).decision) {
          await memories.update(controller.folder.uri, { decision: 'entered' });
        }
        await this.addFolder(controller.folder);
      }
    } finally {
      this.askingOwner.delete(key);
    }
  }

  /** The setting, when the user set it; otherwise what they answered for this folder. */
  private openDecision(folder: vscode.WorkspaceFolder): EnterDecision | undefined {
    const setting = config.enterOnOpen.get(folder);
    if (setting !== 'ask') return setting;
    return this.services.memories.get(folder.uri).decision;
  }

  private async askToEnter(controller: FolderController, label: string): Promise<void> {
    const enter = 'Enter';
    const always = 'Always for this folder';
    const notNow = 'Not now';
    const never = 'Never';
    const where =
      (vscode.workspace.workspaceFolders?.length ?? 0) > 1
        ? `The folder ${controller.folder.name}`
        : 'This folder';
    // Entering another way (the palette, the status bar, Select environment) answers the
    // question: a later click on the prompt does nothing. VS Code has no way to take back a
    // notification with buttons, so it stays until dismissed, inert.
    const prompt = { withdrawn: false };
    const entered = controller.session.onDidChange((state) => {
      if (state.kind !== 'off') prompt.withdrawn = true;
    });
    let answer: string | undefined;
    try {
      answer = await vscode.window.showInformationMessage(
        `${where} has a Nix environment (${label}). Enter it?`,
        enter,
        always,
        notNow,
        never,
      );
    } finally {
      entered.dispose();
    }
    if (prompt.withdrawn) return;
    const folder = controller.folder.uri;
    if (answer === enter || answer === always) {
      await this.services.memories.update(folder, {
        decision: answer === always ? 'always' : 'entered',
      });
      if (controller.session.state.kind === 'off') await controller.enter({ userInitiated: true });
    } else if (answer === never) {
      await this.services.memories.update(folder, { decision: 'never' });
    }
  }

  private removeFolder(folder: vscode.WorkspaceFolder): void {
    const controller = this.controllers.get(folder.uri.toString());
    if (!controller) return;
    controller.leave();
    controller.dispose();
    this.controllers.delete(folder.uri.toString());
  }

  private onConfigurationChanged(event: vscode.ConfigurationChangeEvent): void {
    for (const controller of this.controllers.values()) {
      if (event.affectsConfiguration('nixShell.pin', controller.folder))
        void controller.refreshPin();
    }
    if (!vscode.workspace.isTrusted) return;
    for (const controller of this.controllers.values()) {
      const affected = targetSettings.some((s) => s.isAffectedBy(event, controller.folder));
      if (!affected) continue;
      if (controller.session.state.kind !== 'off') {
        void controller.enter({ userInitiated: false });
      } else {
        controller
          .refreshFound()
          .catch((error: unknown) => controller.logError('resolving the environment', error));
      }
    }
  }

  private onEnvironmentChanged(folder: vscode.WorkspaceFolder): void {
    // Where direnv's extension manages a folder, it also asks to restart on its own.
    this.host.apply(this.allMutations, { quiet: this.all.some((c) => c.standingBack) });
    void this.setContext(
      contextKeys.entered,
      this.all.some((c) => c.session.state.kind !== 'off'),
    );
    this.environmentChanged.fire(folder.uri);
  }

  /** Last value of the `loading` context key: status changes come with every progress line. */
  private loading = false;

  private updateLoadingContext(): void {
    const loading = this.all.some((c) => c.session.state.kind === 'loading');
    if (loading === this.loading) return;
    this.loading = loading;
    void this.setContext(contextKeys.loading, loading);
  }

  private async setContext(key: string, value: boolean): Promise<void> {
    await vscode.commands.executeCommand('setContext', key, value);
  }

  /**
   * Disposes everything, and resolves when every folder's capture has wound down: nix ended,
   * temporary files and capture locks removed.
   */
  shutDown(): Promise<void> {
    const captures = [...this.controllers.values()].map((c) => c.session.settled());
    this.dispose();
    return Promise.all(captures).then(() => undefined);
  }

  dispose(): void {
    for (const controller of this.controllers.values()) controller.dispose();
    this.controllers.clear();
    for (const disposable of this.disposables) disposable.dispose();
    this.environmentChanged.dispose();
    this.statusChanged.dispose();
  }
}
