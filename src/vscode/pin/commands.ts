import path from 'node:path';
import * as vscode from 'vscode';
import { asNixShellError, isCancellation, NixShellError } from '../../core/errors';
import {
  commitUpdate,
  currentPin,
  describeChange,
  importFiles,
  importPin,
  latestReleaseBranches,
  listBranches,
  lockFileName,
  lockInfo,
  pinDetails,
  pinLabel,
  pinNixpkgs,
  updateFlakePin,
  updatePin,
  verifyPin,
  type ImportSource,
  type PinContext,
  type PinOriginal,
} from '../../core/pin';
import type { FolderController } from '../folder';
import { askForTrust, showError } from '../messages';
import { showListingPick } from '../quickPick';

const nixpkgs = { type: 'github', owner: 'NixOS', repo: 'nixpkgs' } as const;

/**
 * Runs a pin operation with a cancellable progress notification; errors become the one
 * message with actions (messages.ts). Pin operations fetch from the network and run nix and
 * git, so they need a trusted workspace.
 */
async function withPinProgress<T>(
  controller: FolderController,
  title: string,
  work: (context: PinContext) => Promise<T>,
): Promise<T | undefined> {
  if (!vscode.workspace.isTrusted) {
    askForTrust();
    return undefined;
  }
  try {
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      async (_progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        return work(await controller.pinContext(abort.signal));
      },
    );
  } catch (thrown) {
    if (!isCancellation(thrown)) void showPinError(controller, asNixShellError(thrown));
    return undefined;
  } finally {
    await controller.refreshPin();
  }
}

async function showPinError(controller: FolderController, error: NixShellError): Promise<void> {
  // A flake's nixpkgs is updated by nix evaluating the flake: what fails is flake.nix.
  const file = (await isFlakePin(controller)) ? 'flake.nix' : lockFileName;
  const target = path.join(controller.folder.uri.fsPath, file);
  return showError(error, {
    label: file,
    showLog: () => controller.showLog(),
    openFile: () => vscode.window.showTextDocument(vscode.Uri.file(target)),
  });
}

/** Whether this folder's nixpkgs comes from a flake (flake.lock decides, not our lock). */
async function isFlakePin(controller: FolderController): Promise<boolean> {
  return (await controller.pinSource()) === 'flake.lock';
}

interface OriginalItem extends vscode.QuickPickItem {
  readonly original?: PinOriginal;
  readonly ask?: 'rev' | 'git';
}

/** The choices: both unstables, the two newest releases, an exact revision, any git URL. */
async function chooseOriginal(controller: FolderController): Promise<PinOriginal | undefined> {
  const branch = (ref: string, detail: string): OriginalItem => ({
    label: ref,
    detail,
    original: { ...nixpkgs, ref },
  });
  const fixed: OriginalItem[] = [
    branch('nixos-unstable', 'NixOS unstable: tested with NixOS, the usual choice'),
    branch('nixpkgs-unstable', 'nixpkgs unstable: tested on more platforms (macOS)'),
  ];
  const custom: OriginalItem[] = [
    {
      label: 'Exact revision…',
      detail: 'A commit of NixOS/nixpkgs, never moved by updates',
      ask: 'rev',
    },
    { label: 'Custom git URL…', detail: 'A fork or a mirror, and one of its branches', ask: 'git' },
  ];
  const listing = showListingPick('Pin nixpkgs to…', [...fixed, ...custom]);
  const { pick } = listing;
  void controller
    .pinContext(listing.signal)
    .then((context) => listBranches(nixpkgs, context, ['refs/heads/nixos-*']))
    .then(
      (branches) => {
        const releases = latestReleaseBranches(branches).map((ref) =>
          branch(ref, `NixOS ${ref.slice('nixos-'.length)}: a stable release`),
        );
        pick.items = [...fixed, ...releases, ...custom];
      },
      (error: unknown) => controller.logError('listing the nixpkgs release branches', error),
    )
    .finally(() => (pick.busy = false));
  const chosen = await listing.chosen;
  listing.dispose();
  if (!chosen) return undefined;
  if (chosen.original) return chosen.original;
  if (chosen.ask === 'rev') {
    const rev = await vscode.window.showInputBox({
      prompt: 'The nixpkgs commit to pin (40 hex digits, or a unique prefix)',
      validateInput: (value) =>
        /^[0-9a-f]{7,40}$/.test(value.trim()) ? undefined : 'a commit hash',
    });
    return rev ? { ...nixpkgs, rev: rev.trim() } : undefined;
  }
  const url = await vscode.window.showInputBox({ prompt: 'The git URL of a nixpkgs repository' });
  if (!url) return undefined;
  const ref = await vscode.window.showInputBox({
    prompt: 'Its branch to follow',
    value: 'nixos-unstable',
  });
  return ref ? { type: 'git', url: url.trim(), ref: ref.trim() } : undefined;
}

/** "Nix: Pin nixpkgs…"; `original` skips the quick pick (keybindings, automation). */
export async function pinCommand(
  controller: FolderController,
  original?: PinOriginal,
): Promise<void> {
  if (await isFlakePin(controller)) {
    const update = 'Update nixpkgs pin';
    const answer = await vscode.window.showInformationMessage(
      'This flake pins nixpkgs in flake.lock; nix keeps that file. Update it with nix instead?',
      update,
    );
    if (answer === update) await updatePinCommand(controller, { confirmed: false });
    return;
  }
  if (!vscode.workspace.isTrusted) {
    askForTrust();
    return;
  }
  const chosen = original ?? (await chooseOriginal(controller));
  if (!chosen) return;
  const lock = await withPinProgress(controller, 'Pinning nixpkgs', (context) =>
    pinNixpkgs(controller.folder.uri.fsPath, chosen, context),
  );
  if (lock)
    void vscode.window.showInformationMessage(
      `Pinned ${pinLabel(lockInfo(lock))} in ${lockFileName}.`,
    );
}

/**
 * "Nix: Update nixpkgs pin": re-resolves what the pin follows and shows the change before
 * writing it. For a flake, nix itself updates the nixpkgs input of flake.lock.
 */
export async function updatePinCommand(
  controller: FolderController,
  options: { confirmed: boolean },
): Promise<void> {
  const dir = controller.folder.uri.fsPath;
  if (await isFlakePin(controller)) {
    const before = await currentPin(dir, new Date(), 'flake.lock');
    const updated = await withPinProgress(
      controller,
      'Updating nixpkgs in flake.lock',
      async (context) => {
        await updateFlakePin(dir, context);
        return true;
      },
    );
    const after = await currentPin(dir, new Date(), 'flake.lock');
    if (!updated || !before || !after) return;
    void vscode.window.showInformationMessage(
      before.rev === after.rev
        ? `${pinLabel(after)} is up to date.`
        : `nixpkgs: ${describeChange(before, after)}`,
    );
    return;
  }
  const update = await withPinProgress(controller, 'Looking for a newer nixpkgs', (context) =>
    updatePin(dir, context, { dryRun: true }),
  );
  if (!update) return;
  if (!update.changed) {
    void vscode.window.showInformationMessage(
      `${pinLabel(lockInfo(update.before))} is up to date.`,
    );
    return;
  }
  const change = describeChange(lockInfo(update.before), lockInfo(update.after));
  const confirm = 'Update';
  const confirmed =
    options.confirmed ||
    (await vscode.window.showInformationMessage(
      `Update nixpkgs? ${change}`,
      { modal: true },
      confirm,
    )) === confirm;
  if (!confirmed) return;
  const written = await withPinProgress(controller, 'Writing the new pin', async (context) => {
    await commitUpdate(dir, update, context);
    return true;
  });
  if (written) void vscode.window.showInformationMessage(`nixpkgs: ${change}`);
}

/** "Nix: Show nixpkgs pin": every fact about the pin, and where it is written. */
export async function showPinCommand(controller: FolderController): Promise<void> {
  const dir = controller.folder.uri.fsPath;
  const info = await currentPin(dir).catch((error: unknown) => {
    void showPinError(controller, asNixShellError(error));
    return null;
  });
  if (info === null) return;
  if (!info) {
    const pin = 'Pin nixpkgs…';
    const answer = await vscode.window.showInformationMessage(
      `${controller.folder.name} has no nixpkgs pin (no ${lockFileName}, no flake.lock with nixpkgs).`,
      pin,
    );
    if (answer === pin) await pinCommand(controller);
    return;
  }
  const file = path.join(dir, info.source === 'lock' ? lockFileName : 'flake.lock');
  const [label, ...details] = pinDetails(info, file);
  const open = 'Open File';
  const answer = await vscode.window.showInformationMessage(
    label ?? 'nixpkgs',
    { modal: true, detail: details.join('\n') },
    open,
  );
  if (answer === open) await vscode.window.showTextDocument(vscode.Uri.file(file));
}

/** "Nix: Verify nixpkgs pin": downloads the pinned tree again and checks its hash. */
export async function verifyPinCommand(controller: FolderController): Promise<void> {
  const result = await withPinProgress(controller, 'Verifying the nixpkgs pin', (context) =>
    verifyPin(controller.folder.uri.fsPath, context),
  );
  if (result) {
    void vscode.window.showInformationMessage(`${lockFileName} matches what the server gives.`);
  }
}

/** "Nix: Import pin from niv / npins / flake.lock", keeping its exact revision and hash. */
export async function importPinCommand(
  controller: FolderController,
  from?: ImportSource,
): Promise<void> {
  const dir = controller.folder.uri.fsPath;
  if (await isFlakePin(controller)) {
    void vscode.window.showInformationMessage(
      'This flake pins nixpkgs in flake.lock, which is what its devShells use; there is nothing to import.',
    );
    return;
  }
  const sources = from ? [from] : await existing(dir);
  if (sources.length === 0) {
    void vscode.window.showInformationMessage(
      `No pin to import: ${Object.values(importFiles).join(', ')} not found in ${controller.folder.name}.`,
    );
    return;
  }
  const source =
    sources.length === 1
      ? sources[0]
      : (
          await vscode.window.showQuickPick(
            sources.map((s) => ({ label: importFiles[s], source: s })),
            { placeHolder: 'Import the nixpkgs pin of…' },
          )
        )?.source;
  if (!source) return;
  const lock = await withPinProgress(
    controller,
    `Importing the pin of ${importFiles[source]}`,
    (context) => importPin(dir, source, context),
  );
  if (lock) {
    void vscode.window.showInformationMessage(
      `Imported ${pinLabel(lockInfo(lock))} from ${importFiles[source]} into ${lockFileName}.`,
    );
  }
}

async function existing(dir: string): Promise<ImportSource[]> {
  const found: ImportSource[] = [];
  for (const source of Object.keys(importFiles) as ImportSource[]) {
    try {
      await vscode.workspace.fs.stat(vscode.Uri.file(path.join(dir, importFiles[source])));
      found.push(source);
    } catch {
      // Not there.
    }
  }
  return found;
}

/** The pin item's menu. */
export async function pinActionsCommand(controller: FolderController): Promise<void> {
  const flake = await isFlakePin(controller);
  const items: (vscode.QuickPickItem & { run: () => Promise<void> })[] = [
    { label: '$(info) Show nixpkgs pin', run: () => showPinCommand(controller) },
    {
      label: '$(sync) Update nixpkgs pin',
      run: () => updatePinCommand(controller, { confirmed: false }),
    },
    ...(flake
      ? []
      : [
          { label: '$(verified) Verify nixpkgs pin', run: () => verifyPinCommand(controller) },
          { label: '$(pin) Pin nixpkgs to…', run: () => pinCommand(controller) },
          {
            label: '$(cloud-download) Import pin from niv / npins / flake.lock',
            run: () => importPinCommand(controller),
          },
        ]),
  ];
  const picked = await vscode.window.showQuickPick(items, {
    placeHolder: `nixpkgs pin of ${controller.folder.name}`,
  });
  await picked?.run();
}
