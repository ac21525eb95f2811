import * as vscode from 'vscode';
import {
  settingsSection,
  settingsTable,
  type SettingName,
  type SettingValue,
} from './tables/settings';

/** Typed access to one setting, read at each use (never cached), scoped to a folder. */
export interface Setting<N extends SettingName> {
  readonly id: `nixShell.${N}`;
  get(scope?: vscode.ConfigurationScope): SettingValue<N>;
  isAffectedBy(event: vscode.ConfigurationChangeEvent, scope?: vscode.ConfigurationScope): boolean;
  /** Opens the Settings editor at this setting. */
  open(): Thenable<unknown>;
  update(value: SettingValue<N>, target?: vscode.ConfigurationTarget): Thenable<void>;
}

function setting<N extends SettingName>(name: N): Setting<N> {
  const id = `${settingsSection}.${name}` as const;
  return {
    id,
    get: (scope) =>
      vscode.workspace
        .getConfiguration(settingsSection, scope)
        .get<SettingValue<N>>(name, settingsTable[name].default as SettingValue<N>),
    isAffectedBy: (event, scope) => event.affectsConfiguration(id, scope),
    open: () => vscode.commands.executeCommand('workbench.action.openSettings', id),
    update: (value, target = vscode.ConfigurationTarget.Global) =>
      vscode.workspace.getConfiguration(settingsSection).update(name, value, target),
  };
}

/** Every setting, by its name after `nixShell.` (dotted ones in brackets: `config['pin.githubUrl']`). */
export const config = Object.fromEntries(
  (Object.keys(settingsTable) as SettingName[]).map((name) => [name, setting(name)]),
) as { readonly [N in SettingName]: Setting<N> };

/**
 * A text setting where empty means unset. A `null` left in settings.json from earlier versions,
 * whose schema allowed it, means unset too.
 */
export function optionalText(
  setting: Setting<'file' | 'devShell' | 'nixPath'>,
  scope?: vscode.ConfigurationScope,
): string | undefined {
  const value: unknown = setting.get(scope);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** Settings whose change means the environment must be entered again. */
export const targetSettings = [
  config.file,
  config.devShell,
  config.args,
  config.nixPath,
  config.binaryCaches,
];
