import * as vscode from 'vscode';
import { isCacheSetting, substituterUrls } from '../core/nix/flakeConfig';

/** What the user answered about a flake's `nixConfig` for a folder, remembered there. */
export type FlakeConfigAnswer = 'accepted' | 'declined';

const answers = {
  use: 'Use them',
  notNow: 'Not now',
  never: 'Never for this folder',
} as const;

/**
 * Asks, without blocking anything, whether nix may apply a flake's `nixConfig`: what nix
 * itself asks on a terminal before it uses a flake's substituters. Undefined: not now.
 */
export async function askAboutFlakeConfig(
  folderName: string,
  settings: ReadonlyArray<readonly [string, string]>,
): Promise<FlakeConfigAnswer | undefined> {
  const urls = substituterUrls(settings);
  const others = settings.filter(([name]) => !isCacheSetting(name)).map(([name]) => name);
  const also = others.length > 0 ? ` It also sets ${others.join(', ')}.` : '';
  const answer = await vscode.window.showInformationMessage(
    `Nix: the flake of ${folderName} asks to use the binary caches ${urls.join(', ')}.${also} Use its nixConfig (as nix develop --accept-flake-config does)?`,
    answers.use,
    answers.notNow,
    answers.never,
  );
  if (answer === answers.use) return 'accepted';
  if (answer === answers.never) return 'declined';
  return undefined;
}
