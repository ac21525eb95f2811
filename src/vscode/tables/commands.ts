/**
 * Every command, in one table: package.json's `contributes.commands` and its palette `when`
 * clauses are generated from it. Plain data; no `vscode` import.
 */
import { environmentFileNames } from '../../core/discovery';
import { lockFileName } from '../../core/pin/lockFileName';

interface CommandSpec {
  readonly title: string;
  readonly icon?: string;
  /** When the command shows in the palette; always when undefined. */
  readonly palette?: string;
  /** When the command shows in the Explorer's context menu (invoked with the file's URI). */
  readonly explorer?: string;
}

export const commandCategory = 'Nix';

/** Context keys the extension sets; `when` clauses refer to them. */
export const contextKeys = {
  /** Some workspace folder has a Nix environment file. */
  hasEnvironment: 'nixShell.hasEnvironment',
  /** Some folder's environment is entered (loading, active, stale or failed). */
  entered: 'nixShell.entered',
  /** Some folder's environment is being evaluated: there is something to cancel. */
  loading: 'nixShell.loading',
  /** Nix Shell's language support runs (nixShell.languageSupport). */
  languageSupport: 'nixShell.languageSupportOn',
} as const;

/** Commands about a folder: nothing to do in a window without one. */
const withFolder = 'workspaceFolderCount > 0';

/** A file that defines a Nix environment: its name is one discovery looks for. */
const onEnvironmentFile = `resourceFilename =~ /^(${environmentFileNames
  .map((name) => name.replace('.', '\\.'))
  .join('|')})$/ && !explorerResourceIsFolder`;

/** The project's nixpkgs pin. */
const onLockFile = `resourceFilename == ${lockFileName}`;

export const commandTable = {
  'nixShell.enter': {
    title: 'Enter Nix shell',
    icon: '$(terminal)',
    palette: withFolder,
    explorer: onEnvironmentFile,
  },
  'nixShell.reload': {
    title: 'Reload environment',
    icon: '$(refresh)',
    palette: contextKeys.entered,
  },
  'nixShell.leave': {
    title: 'Leave Nix shell',
    icon: '$(close)',
    palette: contextKeys.entered,
  },
  'nixShell.select': {
    title: 'Select environment',
    icon: '$(list-selection)',
    palette: withFolder,
  },
  'nixShell.showEnvironment': {
    title: 'Show environment',
    icon: '$(list-flat)',
    palette: contextKeys.entered,
  },
  'nixShell.openTerminal': {
    title: 'Open Nix shell terminal',
    icon: '$(terminal-bash)',
    palette: contextKeys.entered,
  },
  'nixShell.showLog': { title: 'Show log', icon: '$(output)' },
  'nixShell.chooseOwner': {
    title: 'Choose who manages the environment (Nix Shell or direnv)',
    icon: '$(arrow-swap)',
    palette: contextKeys.hasEnvironment,
  },
  'nixShell.cancel': {
    title: 'Cancel evaluation',
    icon: '$(stop-circle)',
    palette: contextKeys.loading,
  },
  'nixShell.actions': { title: 'Show actions', icon: '$(menu)', palette: 'false' },
  'nixShell.pushToCache': {
    title: 'Push environment to binary cache…',
    icon: '$(cloud-upload)',
    palette: withFolder,
  },
  'nixShell.collectGarbage': {
    title: 'Collect garbage…',
    icon: '$(trash)',
    palette: withFolder,
  },
  'nixShell.forgetFlakeConfig': {
    title: 'Forget flake settings answer',
    icon: '$(discard)',
    palette: withFolder,
  },
  'nixShell.pin': { title: 'Pin nixpkgs…', icon: '$(pin)', palette: withFolder },
  'nixShell.pinUpdate': {
    title: 'Update nixpkgs pin',
    icon: '$(sync)',
    palette: withFolder,
    explorer: onLockFile,
  },
  'nixShell.pinShow': {
    title: 'Show nixpkgs pin',
    icon: '$(info)',
    palette: withFolder,
    explorer: onLockFile,
  },
  'nixShell.pinVerify': {
    title: 'Verify nixpkgs pin',
    icon: '$(verified)',
    palette: withFolder,
    explorer: onLockFile,
  },
  'nixShell.pinImport': {
    title: 'Import pin from niv / npins / flake.lock',
    icon: '$(cloud-download)',
    palette: withFolder,
  },
  'nixShell.configurations': {
    title: 'NixOS configurations…',
    icon: '$(server-environment)',
    palette: contextKeys.hasEnvironment,
  },
  'nixShell.pinActions': { title: 'Show pin actions', icon: '$(pin)', palette: 'false' },
  'nixShell.restartLanguageServer': {
    title: 'Restart language server',
    icon: '$(debug-restart)',
    palette: contextKeys.languageSupport,
  },
  'nixShell.installCli': { title: 'Install the nixshell command-line tool', icon: '$(terminal)' },
} as const satisfies Record<string, CommandSpec>;

export type CommandId = keyof typeof commandTable;
