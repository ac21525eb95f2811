import * as vscode from 'vscode';
import { asNixShellError } from '../core/errors';
import { dropAndCollect, planGarbage, type DroppedEnvironment } from '../core/store/gc';
import { locateNix } from '../core/nix/installation';
import type { StoreAccess } from '../core/store/pathInfo';
import { formatBytes } from '../core/store/plan';
import type { FolderController } from './folder';
import { askForTrust } from './messages';

/** What automation (and the tests) may pass instead of answering the prompts. */
interface GcCommandOptions {
  readonly olderThanDays: number;
  /** Skip the pick and the question: drop every candidate, collecting only what they held. */
  readonly confirmed: boolean;
}

function gcOptions(value: unknown): GcCommandOptions {
  const record = (typeof value === 'object' && value !== null ? value : {}) as Record<
    string,
    unknown
  >;
  const days = record['olderThanDays'];
  return {
    olderThanDays: typeof days === 'number' && days >= 0 ? days : 90,
    confirmed: record['confirmed'] === true,
  };
}

const dropOnly = 'Delete only their paths';
const collectAll = 'Delete and collect all garbage';

/**
 * **Nix: Collect garbage…**: lists the environments of projects gone or unused for 90 days,
 * with their sizes, lets the user pick which go, asks, then drops them and runs nix's
 * collector (the same core as `nixshell gc`). Live projects' environments are never offered.
 */
export async function gcCommand(controller: FolderController, options: unknown): Promise<void> {
  // Collecting runs nix, which an untrusted workspace never does.
  if (!vscode.workspace.isTrusted) {
    askForTrust();
    return;
  }
  const given = gcOptions(options);
  const context = controller.engineContext();
  try {
    const store: StoreAccess = {
      nix: await locateNix(context.nixPath, context.base['PATH']),
      env: { ...context.base },
      context: { evaluationTimeoutMs: context.evaluationTimeoutMs },
      spec: {},
    };
    const { dropped, kept } = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'Nix: measuring kept environments' },
      () => planGarbage(context.cache, store, given.olderThanDays),
    );
    if (dropped.length === 0) {
      void vscode.window.showInformationMessage(
        `Nix: nothing to collect; ${kept.length} environment(s) of live projects are kept.`,
      );
      return;
    }
    const chosen = given.confirmed ? dropped : await pick(dropped);
    if (!chosen || chosen.length === 0) return;
    const bytes = formatBytes(chosen.reduce((sum, e) => sum + e.closureSize, 0));
    const answer = given.confirmed
      ? dropOnly
      : await vscode.window.showWarningMessage(
          `Delete ${chosen.length} Nix environment(s) (${bytes} of closures, shared paths counted in each)? ` +
            `Reopening those projects builds or downloads them again.`,
          { modal: true },
          dropOnly,
          collectAll,
        );
    if (answer !== dropOnly && answer !== collectAll) return;
    const collected = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Nix: collecting garbage' },
      () =>
        dropAndCollect(context.cache, store, chosen, {
          deleteOld: false,
          onlyDropped: answer === dropOnly,
        }),
    );
    const summary = `dropped ${chosen.length} environment(s); deleted ${collected.deletedPaths} store paths, freed ${formatBytes(collected.freedBytes)}`;
    context.logger.info(summary);
    void vscode.window.showInformationMessage(`Nix: ${summary}.`);
  } catch (error) {
    controller.logError('garbage collection', error);
    // Not awaited: the command is over, and its message stays with its actions.
    void controller.showError(asNixShellError(error));
  }
}

async function pick(dropped: DroppedEnvironment[]): Promise<DroppedEnvironment[] | undefined> {
  const items = dropped.map((environment) => ({
    label: environment.project ?? '(project not recorded)',
    description: `${environment.target ?? ''} ${formatBytes(environment.closureSize)}`.trim(),
    detail: `${environment.reason}; last used ${environment.lastUsed.slice(0, 10)}`,
    picked: true,
    environment,
  }));
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Nix: environments to delete',
    placeHolder: 'Projects gone or unused for a while; live projects are kept',
    canPickMany: true,
    ignoreFocusOut: true,
  });
  return picked?.map((item) => item.environment);
}
