import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import {
  installLauncher,
  isOnPath,
  refreshLauncher,
  userBinDirectory,
  type LauncherTarget,
} from '../core/cliLauncher';
import type { Logger } from '../core/logger';
import { showWarning } from './messages';

function launcherTarget(extensionPath: string): LauncherTarget {
  return { cli: path.join(extensionPath, 'dist', 'cli.cjs'), node: process.execPath };
}

/** `~/…` for messages, as the user would type it. */
function tilde(file: string): string {
  const home = os.homedir();
  return file.startsWith(`${home}/`) ? `~${file.slice(home.length)}` : file;
}

/** Nix: Install the nixshell command-line tool. `env` is the user's, to check their PATH. */
export async function installCliCommand(
  extensionPath: string,
  env: NodeJS.ProcessEnv,
  logger: Logger,
): Promise<void> {
  const directory = userBinDirectory(env, os.homedir());
  const target = launcherTarget(extensionPath);
  let result = await installLauncher(directory, target);
  if (result.kind === 'foreign') {
    const replace = await vscode.window.showWarningMessage(
      `${tilde(result.file)} exists and was not installed by Nix Shell. Replace it?`,
      'Replace',
    );
    if (replace !== 'Replace') return;
    result = await installLauncher(directory, target, { replace: true });
  }
  logger.info(`nixshell launcher: ${result.file} runs ${target.cli} with ${target.node}`);
  if (isOnPath(directory, env['PATH'])) {
    const open = await vscode.window.showInformationMessage(
      `Installed ${tilde(result.file)}: run \`nixshell --help\` in a terminal.`,
      'Open Terminal',
    );
    if (open) vscode.window.createTerminal().show();
    return;
  }
  const home = os.homedir();
  const shown = directory.startsWith(`${home}/`)
    ? `$HOME${directory.slice(home.length)}`
    : directory;
  const line = `export PATH="${shown}:$PATH"`;
  await showWarning({
    kind: 'launcher-off-path',
    file: tilde(result.file),
    directory: tilde(directory),
    profileLine: line,
  });
}

/** At activation: a launcher installed before an update points at the new extension. */
export async function refreshCliLauncher(
  extensionPath: string,
  env: NodeJS.ProcessEnv,
  logger: Logger,
): Promise<void> {
  const directory = userBinDirectory(env, os.homedir());
  try {
    if (await refreshLauncher(directory, launcherTarget(extensionPath))) {
      logger.info(`nixshell launcher in ${directory} updated to this version of the extension`);
    }
  } catch (error) {
    logger.warn(`could not update the nixshell launcher in ${directory}: ${String(error)}`);
  }
}
