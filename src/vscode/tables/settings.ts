/**
 * Every `nixShell.*` setting, in one typed table. package.json's `contributes.configuration`
 * is generated from it (`npm run manifest`), and a unit test keeps the two in sync.
 * This file must not import `vscode` at runtime: the manifest script reads it in plain Node.
 */

type Scope = 'application' | 'machine' | 'machine-overridable' | 'window' | 'resource';

interface SettingSpec<T> {
  readonly default: T;
  readonly scope: Scope;
  readonly description: string;
  /** The JSON schema of the value, as package.json declares it. */
  readonly schema: Readonly<Record<string, unknown>>;
}

function setting<T>(spec: SettingSpec<T>): SettingSpec<T> {
  return spec;
}

const nullableString = { type: ['string', 'null'] };

export const settingsTable = {
  file: setting<string | null>({
    default: null,
    scope: 'resource',
    schema: nullableString,
    description:
      'The Nix file (shell.nix, default.nix, any .nix) or flake directory to enter, relative to the workspace folder. Overrides discovery.',
  }),
  devShell: setting<string | null>({
    default: null,
    scope: 'resource',
    schema: nullableString,
    description:
      'The flake devShell to enter (`devShells.<system>.<name>`). Defaults to `default`.',
  }),
  args: setting<string[]>({
    default: [],
    scope: 'resource',
    schema: { type: 'array', items: { type: 'string' } },
    description:
      'Extra arguments for nix, as on its command line: `--arg NAME EXPR`, `--argstr NAME VALUE`, `-I PATH`.',
  }),
  nixPath: setting<string | null>({
    default: null,
    scope: 'machine-overridable',
    schema: nullableString,
    description: 'The `nix` executable, or the directory that holds it. Defaults to `nix` on PATH.',
  }),
  enterOnOpen: setting<'ask' | 'always' | 'never'>({
    default: 'ask',
    scope: 'resource',
    schema: {
      type: 'string',
      enum: ['ask', 'always', 'never'],
      enumDescriptions: [
        'Ask once per folder, and remember the answer.',
        'Enter the environment whenever the folder opens (in a trusted workspace). Commit it in .vscode/settings.json to do this for the whole team.',
        'Never enter on open; "Nix: Enter Nix shell" still works.',
      ],
    },
    description: 'What happens when a folder with a Nix environment opens.',
  }),
  autoReload: setting<boolean>({
    default: true,
    scope: 'resource',
    schema: { type: 'boolean' },
    description:
      'Re-evaluate the environment in the background when a file it was evaluated from changes. When off, the status bar offers a reload.',
  }),
  restartExtensions: setting<'ask' | 'always' | 'never'>({
    default: 'ask',
    scope: 'window',
    schema: {
      type: 'string',
      enum: ['ask', 'always', 'never'],
      enumDescriptions: [
        'Offer to restart extensions when the environment really changed.',
        'Restart extensions automatically when the environment really changed.',
        'Never restart extensions; they see the environment after the next window reload.',
      ],
    },
    description:
      'Other extensions only see a new environment in processes they start after it was applied. Restarting them makes language servers and tools pick it up.',
  }),
  evaluationTimeout: setting<number>({
    default: 1800,
    scope: 'resource',
    schema: { type: 'number', minimum: 0 },
    description:
      'Seconds after which an evaluation (including builds) is stopped. 0 means no limit.',
  }),
  shellHookTimeout: setting<number>({
    default: 30,
    scope: 'resource',
    schema: { type: 'number', minimum: 1 },
    description: "Seconds the environment's shellHook may run before it is stopped.",
  }),
  unapplyOnFailure: setting<boolean>({
    default: false,
    scope: 'resource',
    schema: { type: 'boolean' },
    description:
      'When an evaluation fails, remove the environment instead of keeping the last good one (marked stale).',
  }),
} as const;

export type SettingName = keyof typeof settingsTable;
export type SettingValue<N extends SettingName> = (typeof settingsTable)[N]['default'];

export const settingsSection = 'nixShell';
