import * as vscode from 'vscode';
import { isCacheSetting, substituterUrls } from '../core/nix/flakeConfig';
import { flakeConfigAnswers as answers, flakeConfigQuestion } from './messages';

/** What the user answered about a flake's `nixConfig` for a folder, remembered there. */
export type FlakeConfigAnswer = 'accepted' | 'declined';

/**
 * Asks, without blocking anything, whether nix may apply a flake's `nixConfig`: what nix
 * itself asks on a terminal before it uses a flake's substituters. Undefined: not now.
 */
export async function askAboutFlakeConfig(
  folderName: string,
  settings: ReadonlyArray<readonly [string, string]>,
): Promise<FlakeConfigAnswer | undefined> {
  const others = settings.filter(([name]) => !isCacheSetting(name)).map(([name]) => name);
  const answer = await vscode.window.showInformationMessage(
    flakeConfigQuestion(folderName, substituterUrls(settings), others),
    answers.use,
    answers.notNow,
    answers.never,
  );
  if (answer === answers.use) return 'accepted';
  if (answer === answers.never) return 'declined';
  return undefined;
}
