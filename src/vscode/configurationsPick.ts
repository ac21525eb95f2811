import * as vscode from 'vscode';
import {
  AmbiguousConfiguration,
  configurationKinds,
  configurationRef,
  requireConfiguration,
  type SystemConfiguration,
} from '../core/configs';
import { asNixShellError, isCancellation, NixShellError } from '../core/errors';
import type { ActionOutcome, ConfigurationAction, SystemConfigurations } from './configurations';
import type { FolderController } from './folder';
import { askForTrust, showError } from './messages';
import { showListingPick } from './quickPick';

/** `{ config: 'laptop', action: 'check' }`: what automation (and Select environment) passes. */
interface Request {
  readonly config?: string;
  readonly action?: ConfigurationAction;
}

const actions: readonly { action: ConfigurationAction; label: string; detail: string }[] = [
  {
    action: 'check',
    label: '$(check) Check',
    detail: 'Evaluate the system, as a rebuild does before building; errors show where nix points',
  },
  {
    action: 'vm',
    label: '$(vm) Build VM',
    detail: 'Build config.system.build.vm, as nixos-rebuild build-vm, and run it in a terminal',
  },
  {
    action: 'compare',
    label: '$(diff) Compare with the running system',
    detail: 'Build the system and show what switching would change (nix store diff-closures)',
  },
];

/**
 * "Nix: NixOS configurations…": pick one of the folder's configurations, then an action.
 * Listing evaluates the flake, so it needs a trusted workspace.
 */
export async function configurationsCommand(
  configurations: SystemConfigurations,
  controller: FolderController,
  options: unknown,
): Promise<ActionOutcome | undefined> {
  if (!vscode.workspace.isTrusted) {
    askForTrust();
    return undefined;
  }
  const request = asRequest(options);
  const config = request.config
    ? await named(configurations, controller, request.config)
    : await pickConfiguration(configurations, controller);
  if (!config) return undefined;
  const action = request.action ?? (await pickAction(configurations, config));
  return action ? configurations.run(controller, config, action) : undefined;
}

async function named(
  configurations: SystemConfigurations,
  controller: FolderController,
  wanted: string,
): Promise<SystemConfiguration | undefined> {
  try {
    const all = await configurations.list(controller, new AbortController().signal);
    return requireConfiguration(all, wanted, controller.folder.name);
  } catch (thrown) {
    const error =
      thrown instanceof AmbiguousConfiguration
        ? new NixShellError('unsupported', thrown.message)
        : asNixShellError(thrown);
    if (!isCancellation(error))
      void showError(error, { label: wanted, showLog: configurations.showLog });
    return undefined;
  }
}

interface ConfigurationItem extends vscode.QuickPickItem {
  readonly config: SystemConfiguration;
}

async function pickConfiguration(
  configurations: SystemConfigurations,
  controller: FolderController,
): Promise<SystemConfiguration | undefined> {
  const listing = showListingPick<ConfigurationItem>(
    `System configurations of ${controller.folder.name}`,
  );
  const { pick } = listing;
  try {
    const all = await configurations.list(controller, listing.signal);
    const root = controller.folder.uri.fsPath;
    pick.items = all.map((config) => ({
      label: `$(server-environment) ${config.name}`,
      description: configurations.describe(config),
      detail: configurationRef(config, root),
      config,
    }));
    if (all.length === 0)
      pick.placeholder = 'No NixOS, nix-darwin or home-manager configuration in this folder';
  } catch (thrown) {
    listing.dispose();
    const error = asNixShellError(thrown);
    if (!isCancellation(error)) controller.logError('listing the system configurations', error);
    if (!isCancellation(error))
      void showError(error, { label: controller.folder.name, showLog: configurations.showLog });
    return undefined;
  }
  pick.busy = false;
  const chosen = (await listing.chosen)?.config;
  listing.dispose();
  return chosen;
}

async function pickAction(
  configurations: SystemConfigurations,
  config: SystemConfiguration,
): Promise<ConfigurationAction | undefined> {
  // Only NixOS has a VM; every kind can be checked and compared.
  const offered = actions.filter((a) => a.action !== 'vm' || config.kind === 'nixos');
  const picked = await vscode.window.showQuickPick(offered, {
    placeHolder: `${config.name} (${configurationKinds[config.kind].label}): ${configurations.describe(config)}`,
  });
  return picked?.action;
}

function asRequest(options: unknown): Request {
  if (typeof options !== 'object' || options === null) return {};
  const { config, action } = options as Record<string, unknown>;
  return {
    ...(typeof config === 'string' ? { config } : {}),
    ...(action === 'check' || action === 'vm' || action === 'compare' ? { action } : {}),
  };
}
