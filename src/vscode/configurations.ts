import path from 'node:path';
import * as vscode from 'vscode';
import {
  buildVm,
  checkConfiguration,
  compareWithRunning,
  configurationAttr,
  configurationKinds,
  discoverInFolder,
  vmPlatformWarning,
  type CheckResult,
  type Comparison,
  type ConfigurationContext,
  type SystemConfiguration,
} from '../core/configs';
import { asNixShellError, isCancellation, NixShellError, userLocation } from '../core/errors';
import { config as settings } from './config';
import type { EvaluationDiagnostics } from './diagnostics';
import type { FolderController } from './folder';
import { showError, showWarning } from './messages';

export type ConfigurationAction = 'check' | 'vm' | 'compare';

/** What an action left, for the palette and for automation (the command's return value). */
export interface ActionOutcome {
  readonly ok: boolean;
  readonly terminal?: string;
  readonly comparison?: Comparison;
}

interface Services {
  readonly diagnostics: EvaluationDiagnostics;
  readonly showLog: () => void;
  readonly controllerFor: (folder: vscode.WorkspaceFolder) => FolderController;
}

/**
 * The NixOS, nix-darwin and home-manager configurations of the workspace's flakes: found
 * without building, checked (on request, or on save when `nixShell.configurations.checkOnSave`
 * says so) with errors as diagnostics where nix points, the last good result kept; a NixOS
 * VM built and run in a terminal named after its configuration; a system compared with the
 * running one.
 */
export class SystemConfigurations implements vscode.Disposable {
  private readonly found = new Map<string, Promise<SystemConfiguration[]>>();
  private readonly lastGood = new Map<string, CheckResult & { readonly at: Date }>();
  private readonly lastError = new Map<string, NixShellError>();
  private readonly terminals = new Map<string, vscode.Terminal>();
  private onSaveRun: AbortController | undefined;
  private readonly subscriptions: vscode.Disposable[];

  readonly showLog: () => void;

  constructor(private readonly services: Services) {
    this.showLog = services.showLog;
    this.subscriptions = [
      vscode.workspace.onDidSaveTextDocument((document) => void this.onSave(document)),
      vscode.window.onDidCloseTerminal((closed) => {
        for (const [key, terminal] of this.terminals) {
          if (terminal === closed) this.terminals.delete(key);
        }
      }),
    ];
  }

  /** The folder's configurations, listed once until a flake.nix or flake.lock is saved. */
  list(controller: FolderController, signal: AbortSignal): Promise<SystemConfiguration[]> {
    if (!vscode.workspace.isTrusted) return Promise.resolve([]);
    const key = controller.folder.uri.toString();
    let found = this.found.get(key);
    if (!found) {
      found = controller
        .configurationContext(signal, () => undefined)
        .then((context) => discoverInFolder(context.nix, controller.folder.uri.fsPath, context));
      this.found.set(key, found);
      found.catch(() => this.found.delete(key));
    }
    return found;
  }

  /** One line on the configuration's last check, for pickers. */
  describe(config: SystemConfiguration): string {
    const kind = configurationKinds[config.kind].label;
    const good = this.lastGood.get(keyOf(config));
    const error = this.lastError.get(keyOf(config));
    const since = (at: Date) => at.toLocaleTimeString();
    if (error) {
      return `${kind} · does not evaluate: ${error.message}${good ? ` (last good ${since(good.at)})` : ''}`;
    }
    return good ? `${kind} · evaluates (checked ${since(good.at)})` : kind;
  }

  run(
    controller: FolderController,
    config: SystemConfiguration,
    action: ConfigurationAction,
  ): Promise<ActionOutcome> {
    switch (action) {
      case 'check':
        return this.check(controller, config, undefined);
      case 'vm':
        return this.runVm(controller, config);
      case 'compare':
        return this.compare(controller, config);
    }
  }

  /**
   * Evaluates the configuration's system. A failure is a diagnostic where nix points (the
   * module's file and line) and replaces the last one; the last good result stays known.
   * From a save (`fromSave`), it reports in the status bar only, never in a notification.
   */
  async check(
    controller: FolderController,
    config: SystemConfiguration,
    fromSave: AbortSignal | undefined,
  ): Promise<ActionOutcome> {
    const key = keyOf(config);
    const flakeFile = path.join(config.flakeDir, 'flake.nix');
    try {
      const result = await this.withProgress(
        controller,
        `Checking ${config.name}`,
        (context) => checkConfiguration(config, context),
        fromSave,
      );
      this.lastGood.set(key, { ...result, at: new Date() });
      this.lastError.delete(key);
      this.services.diagnostics.report(key, undefined, flakeFile);
      const text = `${config.name} evaluates: ${path.basename(result.drvPath)}`;
      if (fromSave) vscode.window.setStatusBarMessage(`$(check) ${text}`, 5000);
      else void vscode.window.showInformationMessage(text);
      return { ok: true };
    } catch (thrown) {
      const error = asNixShellError(thrown);
      if (isCancellation(error)) return { ok: false };
      this.lastError.set(key, error);
      const where = new NixShellError(
        error.kind,
        `${configurationAttr(config)}: ${error.message}`,
        {
          locations: error.locations,
        },
      );
      this.services.diagnostics.report(key, where, flakeFile);
      if (fromSave)
        vscode.window.setStatusBarMessage(`$(error) ${config.name} does not evaluate`, 10_000);
      else this.showFailure(config, error);
      return { ok: false };
    }
  }

  /**
   * Builds the VM, as `nixos-rebuild build-vm`, and runs its `bin/run-*-vm` in a terminal
   * named after the configuration, in the flake's directory (where the disk image goes).
   */
  private async runVm(
    controller: FolderController,
    config: SystemConfiguration,
  ): Promise<ActionOutcome> {
    const warning = await vmPlatformWarning();
    if (warning) void showWarning({ kind: 'vm-platform', config: config.name, text: warning });
    try {
      const vm = await this.withProgress(
        controller,
        `Building the VM of ${config.name}`,
        (context) => buildVm(config, context),
      );
      this.terminals.get(keyOf(config))?.dispose();
      const name = `VM: ${config.name}`;
      const terminal = vscode.window.createTerminal({
        name,
        shellPath: vm.runScript,
        cwd: config.flakeDir,
        iconPath: new vscode.ThemeIcon('vm'),
      });
      this.terminals.set(keyOf(config), terminal);
      terminal.show();
      return { ok: true, terminal: name };
    } catch (thrown) {
      return this.failed(config, thrown);
    }
  }

  private async compare(
    controller: FolderController,
    config: SystemConfiguration,
  ): Promise<ActionOutcome> {
    try {
      const comparison = await this.withProgress(
        controller,
        `Comparing ${config.name} with the running system`,
        (context) => compareWithRunning(config, context),
      );
      if (comparison.kind === 'nothing-running') {
        void vscode.window.showInformationMessage(comparison.message);
        return { ok: false, comparison };
      }
      const content = [
        `# What switching to ${configurationAttr(config)} changes`,
        `# running: ${comparison.current}`,
        `# new:     ${comparison.next}`,
        '',
        comparison.text || 'No package changes in versions or sizes.',
        '',
      ].join('\n');
      const document = await vscode.workspace.openTextDocument({ content, language: 'plaintext' });
      await vscode.window.showTextDocument(document, { preview: true });
      return { ok: true, comparison };
    } catch (thrown) {
      return this.failed(config, thrown);
    }
  }

  private failed(config: SystemConfiguration, thrown: unknown): ActionOutcome {
    const error = asNixShellError(thrown);
    if (!isCancellation(error)) this.showFailure(config, error);
    return { ok: false };
  }

  private showFailure(config: SystemConfiguration, error: NixShellError): void {
    const at = userLocation(error.locations);
    void showError(error, {
      label: config.name,
      showLog: this.services.showLog,
      openFile: () =>
        vscode.window.showTextDocument(
          vscode.Uri.file(at?.file ?? path.join(config.flakeDir, 'flake.nix')),
        ),
    });
  }

  /** A cancellable notification (status bar only for a save), following nix's progress. */
  private withProgress<T>(
    controller: FolderController,
    title: string,
    work: (context: ConfigurationContext) => Promise<T>,
    quietSignal?: AbortSignal,
  ): Promise<T> {
    const location = quietSignal
      ? vscode.ProgressLocation.Window
      : vscode.ProgressLocation.Notification;
    return Promise.resolve(
      vscode.window.withProgress(
        { location, title, cancellable: !quietSignal },
        async (progress, token) => {
          const abort = new AbortController();
          token.onCancellationRequested(() => abort.abort());
          quietSignal?.addEventListener('abort', () => abort.abort(), { once: true });
          if (quietSignal?.aborted) abort.abort();
          const context = await controller.configurationContext(abort.signal, (message) =>
            progress.report({ message }),
          );
          return work(context);
        },
      ),
    );
  }

  /** A saved Nix file re-checks its flake's configurations, when the setting asks for it. */
  private async onSave(document: vscode.TextDocument): Promise<void> {
    const folder = vscode.workspace.getWorkspaceFolder(document.uri);
    if (!folder || !vscode.workspace.isTrusted || document.uri.scheme !== 'file') return;
    const file = document.uri.fsPath;
    const name = path.basename(file);
    if (name === 'flake.nix' || name === 'flake.lock') this.found.delete(folder.uri.toString());
    if (!settings['configurations.checkOnSave'].get(folder)) return;
    if (!file.endsWith('.nix') && name !== 'flake.lock') return;
    // A newer save makes the running checks pointless.
    this.onSaveRun?.abort();
    const run = new AbortController();
    this.onSaveRun = run;
    const controller = this.services.controllerFor(folder);
    try {
      const all = await this.list(controller, run.signal);
      for (const config of all.filter((c) => inside(file, c.flakeDir))) {
        if (run.signal.aborted) return;
        await this.check(controller, config, run.signal);
      }
    } catch (error) {
      if (!isCancellation(error)) controller.logError('listing the system configurations', error);
    }
  }

  dispose(): void {
    this.onSaveRun?.abort();
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}

function keyOf(config: SystemConfiguration): string {
  return `configuration:${config.flakeDir}#${configurationAttr(config)}`;
}

function inside(file: string, dir: string): boolean {
  const relative = path.relative(dir, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
