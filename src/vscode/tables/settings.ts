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

// Not `['string', 'null']`: the Settings UI cannot edit a union and shows "Edit in
// settings.json". Empty means unset (see `optionalText` in config.ts).
const optionalString = { type: 'string' };

export const settingsTable = {
  file: setting<string>({
    default: '',
    scope: 'resource',
    schema: optionalString,
    description:
      'The Nix file (shell.nix, default.nix, any .nix) or flake directory to enter, relative to the workspace folder. Overrides discovery. Empty: discovered.',
  }),
  devShell: setting<string>({
    default: '',
    scope: 'resource',
    schema: optionalString,
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
  binaryCaches: setting<Array<{ url: string; publicKey?: string }>>({
    default: [],
    scope: 'resource',
    schema: {
      type: 'array',
      items: {
        type: 'object',
        required: ['url'],
        additionalProperties: false,
        properties: {
          url: {
            type: 'string',
            description: 'A substituter URL: https://…, file://…, ssh://…, s3://…',
          },
          publicKey: {
            type: 'string',
            description: 'The public key its paths are signed with (`name-1:base64…`).',
          },
        },
      },
    },
    description:
      "The team's binary caches, used besides nix's own for every evaluation (`--option extra-substituters` and `extra-trusted-public-keys`). On a multi-user install the nix daemon uses them only if they are in its `trusted-substituters`, or your user in `trusted-users`.",
  }),
  nixPath: setting<string>({
    default: '',
    scope: 'machine-overridable',
    schema: optionalString,
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
  'pin.staleAfterDays': setting<number>({
    default: 90,
    scope: 'resource',
    schema: { type: 'number', minimum: 1 },
    description:
      'The status bar shows the nixpkgs pin in a warning colour once it is older than this many days.',
  }),
  'pin.showUnpinned': setting<boolean>({
    default: true,
    scope: 'resource',
    schema: { type: 'boolean' },
    description:
      'Show "nixpkgs: unpinned" in the status bar when the environment uses `<nixpkgs>` from your channels or NIX_PATH and no pin exists.',
  }),
  'pin.githubUrl': setting<string>({
    default: 'https://github.com',
    scope: 'machine-overridable',
    schema: { type: 'string' },
    description:
      'Where GitHub pins are resolved (`git ls-remote`) and downloaded (`/OWNER/REPO/archive/REV.tar.gz`): change it for GitHub Enterprise or a mirror. The environment variable NIXSHELL_GITHUB_URL overrides it.',
  }),
  'pin.channelsUrl': setting<string>({
    default: 'https://channels.nixos.org',
    scope: 'machine-overridable',
    schema: { type: 'string' },
    description:
      'Where channel pins are resolved (`/CHANNEL/nixexprs.tar.xz` redirects to a release). The environment variable NIXSHELL_CHANNELS_URL overrides it.',
  }),
  'configurations.checkOnSave': setting<boolean>({
    default: false,
    scope: 'resource',
    schema: { type: 'boolean' },
    description:
      'When a .nix file (or flake.lock) of a flake is saved, check its NixOS, nix-darwin and home-manager configurations (evaluate each to its system derivation, building nothing). Errors become diagnostics where nix points; the last good result is kept.',
  }),
  languageSupport: setting<'auto' | 'on' | 'off'>({
    default: 'auto',
    scope: 'window',
    schema: {
      type: 'string',
      enum: ['auto', 'on', 'off'],
      enumDescriptions: [
        'On, unless the Nix IDE extension (jnoortheen.nix-ide) is installed: then Nix IDE edits Nix, and Nix Shell only provides the environment.',
        "Nix Shell's language server, formatter and syntax errors, even next to Nix IDE.",
        "None of Nix Shell's language support; the environment is still provided.",
      ],
    },
    description:
      "Nix Shell's language support for .nix files: the language server (`nixShell.languageServer`), the formatter (`nixShell.formatter`) and syntax errors. Highlighting is always contributed.",
  }),
  languageServer: setting<'auto' | 'nixd' | 'nil' | 'off'>({
    default: 'auto',
    scope: 'resource',
    schema: {
      type: 'string',
      enum: ['auto', 'nixd', 'nil', 'off'],
      enumDescriptions: [
        "nixd, else nil: first on the project environment's PATH, then on the editor's.",
        'nixd',
        'nil',
        'No language server; syntax errors still come from `nix-instantiate --parse`.',
      ],
    },
    description:
      "The Nix language server, started inside the project's environment. (Its settings are `nixShell.languageServerSettings`: VS Code cannot nest settings under a setting that has a value.)",
  }),
  languageServerSettings: setting<Record<string, unknown>>({
    default: {},
    scope: 'resource',
    schema: { type: 'object' },
    description:
      'Settings passed to the language server as they are, like Nix IDE\'s `nix.serverSettings` (nixd: `{ "nixd": { … } }`, nil: `{ "nil": { … } }`).',
  }),
  formatter: setting<'nixfmt' | 'alejandra' | 'nixpkgs-fmt' | 'none'>({
    default: 'nixfmt',
    scope: 'resource',
    schema: {
      type: 'string',
      enum: ['nixfmt', 'alejandra', 'nixpkgs-fmt', 'none'],
      enumDescriptions: [
        'nixfmt (the official formatter, RFC 166)',
        'alejandra',
        'nixpkgs-fmt',
        'No external formatter: the language server formats, if one runs (its own `formatting.command`).',
      ],
    },
    description:
      "The formatter for .nix files, taken from the project environment's PATH first, then the editor's.",
  }),
} as const;

export type SettingName = keyof typeof settingsTable;
export type SettingValue<N extends SettingName> = (typeof settingsTable)[N]['default'];

export const settingsSection = 'nixShell';
