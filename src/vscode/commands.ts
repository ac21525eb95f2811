import * as vscode from 'vscode';
import type { Logger } from '../core/logger';
import type { PinOriginal } from '../core/pin';
import { installCliCommand } from './cliInstall';
import type { FolderController } from './folder';
import type { SystemConfigurations } from './configurations';
import { chooseEnvironmentFile, selectEnvironment } from './select';
import type { NixShellTerminals } from './shellTerminal';
import { environmentUri } from './showEnvironment';
import type { CommandId } from './tables/commands';
import type { WorkspaceController } from './workspace';
import { redact } from '../core/redact';
import { sayFlakeConfigForgotten } from './messages';

export interface CommandServices {
  readonly workspace: WorkspaceController;
  readonly configurations: SystemConfigurations;
  readonly shellTerminals: NixShellTerminals;
  readonly showLog: () => void;
  readonly logger: Logger;
  /** The installed extension's directory (its bundled CLI is dist/cli.cjs). */
  readonly extensionPath: string;
  /** The user's environment, before any Nix environment was applied. */
  readonly pristine: NodeJS.ProcessEnv;
  readonly restartLanguageServer: () => void;
}

/** `folderUri` comes from the status bar or a keybinding; `options` from automation. */
type Handler = (services: CommandServices, folderUri?: vscode.Uri, options?: unknown) => unknown;

/** A pin command on the folder it names, or the one the user picks. */
function onFolder(
  placeHolder: string,
  run: (controller: FolderController, options: unknown) => Promise<void>,
): Handler {
  return async (services, uri, options) => {
    const controller = await pickController(services, uri, placeHolder);
    if (controller) await run(controller, options);
  };
}

// Commands beyond entering load on first use, with the engine parts they need (the pin
// engine and its schemas, the binary cache and garbage collection code, configurations).
const pinCommands = () => import('./pin/commands');
const pushCommands = () => import('./pushCommand');
const gcCommands = () => import('./gcCommand');
const configurationsCommands = () => import('./configurationsPick');

/** Every command's behaviour; ids, titles and palette visibility live in tables/commands.ts. */
const handlers: Record<CommandId, Handler> = {
  'nixShell.enter': async (services, uri) => {
    const controller = await pickController(services, uri, 'Enter the Nix environment of');
    if (!controller) return;
    // From the Explorer, `uri` is the environment file to enter.
    if (uri) await chooseEnvironmentFile(controller, services.workspace.memories, uri);
    await controller.enter({ userInitiated: true });
    await rememberEntered(services, controller);
  },
  'nixShell.reload': async (services, uri) => {
    const controller = await pickController(services, uri, 'Reload the Nix environment of', true);
    await controller?.reload();
  },
  'nixShell.leave': async (services, uri) => {
    const controller = await pickController(services, uri, 'Leave the Nix environment of', true);
    if (!controller) return;
    controller.leave();
    const memories = services.workspace.memories;
    if (memories.get(controller.folder.uri).decision === 'entered') {
      await memories.update(controller.folder.uri, { decision: undefined });
    }
  },
  'nixShell.select': async (services, uri) => {
    const controller = await pickController(services, uri, 'Select the Nix environment of');
    if (
      controller &&
      (await selectEnvironment(controller, services.workspace.memories, services.configurations))
    ) {
      await rememberEntered(services, controller);
    }
  },
  'nixShell.showEnvironment': async (services, uri) => {
    const controller = await pickController(services, uri, 'Show the Nix environment of', true);
    if (!controller) return;
    const document = await vscode.workspace.openTextDocument(environmentUri(controller.folder));
    await vscode.window.showTextDocument(document, { preview: true });
  },
  'nixShell.openTerminal': async (services, uri) => {
    const controller = await pickController(services, uri, 'Open a Nix shell terminal in', true);
    if (controller) await services.shellTerminals.open(controller);
  },
  'nixShell.showLog': (services) => services.showLog(),
  'nixShell.chooseOwner': async (services, uri) => {
    const controller = await pickController(services, uri, 'Choose who manages the environment of');
    if (!controller) return;
    await services.workspace.memories.update(controller.folder.uri, { owner: undefined });
    await services.workspace.askOwner(controller);
  },
  'nixShell.cancel': (services, uri) => {
    const loading = services.workspace.all.filter((c) => c.session.state.kind === 'loading');
    const controller = uri
      ? services.workspace.all.find((c) => c.folder.uri.toString() === uri.toString())
      : undefined;
    for (const target of controller ? [controller] : loading) target.session.cancel();
    if (!controller && loading.length === 0) {
      void vscode.window.showInformationMessage('No Nix evaluation is running.');
    }
  },
  'nixShell.actions': async (services, uri) => {
    const controller = await pickController(services, uri, 'Nix environment of', true);
    if (controller) await showActions(services, controller);
  },
  'nixShell.pushToCache': onFolder(
    'Push to a binary cache the Nix environment of',
    async (controller, options) => (await pushCommands()).pushCommand(controller, options),
  ),
  // The cache is the extension's, not the folder's: any folder's settings locate nix.
  'nixShell.collectGarbage': async (services, _uri, options) => {
    const controller = services.workspace.all[0];
    if (controller) await (await gcCommands()).gcCommand(controller, options);
    else void vscode.window.showInformationMessage('Open a folder to collect Nix garbage.');
  },
  'nixShell.forgetFlakeConfig': onFolder(
    "Forget the answer about the flake's nixConfig of",
    async (controller) => {
      const entered = controller.session.state.kind !== 'off';
      const forgotten = await controller.forgetFlakeConfig();
      await sayFlakeConfigForgotten(controller.folder.name, forgotten, {
        entered,
        enter: () => vscode.commands.executeCommand('nixShell.enter', controller.folder.uri),
      });
    },
  ),
  'nixShell.pin': onFolder('Pin nixpkgs for', async (controller, options) =>
    (await pinCommands()).pinCommand(controller, isPinOriginal(options) ? options : undefined),
  ),
  'nixShell.pinUpdate': onFolder('Update the nixpkgs pin of', async (controller, options) =>
    (await pinCommands()).updatePinCommand(controller, {
      confirmed: hasFlag(options, 'confirmed'),
    }),
  ),
  'nixShell.pinShow': onFolder('Show the nixpkgs pin of', async (controller) =>
    (await pinCommands()).showPinCommand(controller),
  ),
  'nixShell.pinVerify': onFolder('Verify the nixpkgs pin of', async (controller) =>
    (await pinCommands()).verifyPinCommand(controller),
  ),
  'nixShell.pinImport': onFolder('Import a nixpkgs pin into', async (controller) =>
    (await pinCommands()).importPinCommand(controller),
  ),
  'nixShell.pinActions': onFolder('nixpkgs pin of', async (controller) =>
    (await pinCommands()).pinActionsCommand(controller),
  ),
  'nixShell.configurations': async (services, uri, options) => {
    const controller = await pickController(services, uri, 'System configurations of');
    return controller
      ? (await configurationsCommands()).configurationsCommand(
          services.configurations,
          controller,
          options,
        )
      : undefined;
  },
  'nixShell.restartLanguageServer': (services) => services.restartLanguageServer(),
  'nixShell.installCli': (services) =>
    installCliCommand(services.extensionPath, services.pristine, services.logger),
};

function isPinOriginal(value: unknown): value is PinOriginal {
  const type = (value as { type?: unknown } | undefined)?.type;
  return type === 'github' || type === 'channel' || type === 'git';
}

function hasFlag(value: unknown, name: string): boolean {
  return (
    typeof value === 'object' && value !== null && (value as Record<string, unknown>)[name] === true
  );
}

export function registerCommands(services: CommandServices): vscode.Disposable[] {
  return Object.entries(handlers).map(([id, handler]) =>
    vscode.commands.registerCommand(id, (uri?: unknown, options?: unknown) =>
      handler(services, uri instanceof vscode.Uri ? uri : undefined, options),
    ),
  );
}

async function rememberEntered(
  services: CommandServices,
  controller: FolderController,
): Promise<void> {
  if (!vscode.workspace.isTrusted) return;
  const memories = services.workspace.memories;
  if (memories.get(controller.folder.uri).decision !== 'always') {
    await memories.update(controller.folder.uri, { decision: 'entered' });
  }
}

/**
 * The folder a command is about: the one it was invoked for (status bar), else the only one,
 * else the active editor's, else the user's pick. `entered` limits the choice to entered folders.
 */
async function pickController(
  services: CommandServices,
  uri: vscode.Uri | undefined,
  placeHolder: string,
  entered = false,
): Promise<FolderController | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const explicit = uri ? vscode.workspace.getWorkspaceFolder(uri) : undefined;
  if (explicit) return services.workspace.ensureController(explicit);
  const eligible = entered
    ? services.workspace.all.filter((c) => c.session.state.kind !== 'off').map((c) => c.folder)
    : folders;
  if (eligible.length === 0) {
    void vscode.window.showInformationMessage(
      entered ? 'No Nix environment is entered.' : 'Open a folder with a Nix environment first.',
    );
    return undefined;
  }
  const active = vscode.window.activeTextEditor?.document.uri;
  const activeFolder = active ? vscode.workspace.getWorkspaceFolder(active) : undefined;
  const only = eligible.length === 1 ? eligible[0] : undefined;
  const chosen =
    only ??
    eligible.find((f) => f.uri.toString() === activeFolder?.uri.toString()) ??
    (await vscode.window.showWorkspaceFolderPick({ placeHolder }));
  return chosen ? services.workspace.ensureController(chosen) : undefined;
}

async function showActions(services: CommandServices, controller: FolderController): Promise<void> {
  const state = controller.session.state;
  const uri = controller.folder.uri;
  const items: (vscode.QuickPickItem & { run: () => unknown })[] = [];
  const add = (label: string, run: () => unknown, detail?: string) =>
    items.push({ label, run, ...(detail ? { detail } : {}) });
  if (state.kind === 'loading')
    add('$(stop-circle) Cancel evaluation', () => controller.session.cancel(), state.progress);
  if (state.kind === 'failed')
    add(
      '$(error) Show the error',
      () => controller.showError(state.error),
      redact(state.error.message),
    );
  if (state.kind !== 'loading')
    add('$(refresh) Reload environment', () =>
      vscode.commands.executeCommand('nixShell.reload', uri),
    );
  if (state.kind !== 'off')
    add('$(list-flat) Show environment', () =>
      vscode.commands.executeCommand('nixShell.showEnvironment', uri),
    );
  add('$(list-selection) Select environment…', () =>
    vscode.commands.executeCommand('nixShell.select', uri),
  );
  add('$(output) Show log', services.showLog);
  if (state.kind !== 'off')
    add('$(close) Leave Nix shell', () => vscode.commands.executeCommand('nixShell.leave', uri));
  const picked = await vscode.window.showQuickPick(items, {
    placeHolder: `Nix: ${controller.label ?? controller.folder.name}`,
  });
  await picked?.run();
}
