import path from 'node:path';
import * as vscode from 'vscode';
import type { ErrorKind, NixShellError } from '../core/errors';
import { issueUrl } from '../core/issueReport';
import { redact } from '../core/redact';
import { config } from './config';

interface Action {
  readonly title: string;
  readonly run: () => unknown;
}

export interface MessageContext {
  /** The environment's label, e.g. `shell.nix` or `flake.nix#dev`. */
  readonly label: string;
  readonly showLog: () => void;
  readonly openFile?: () => Thenable<unknown>;
  readonly select?: () => Thenable<unknown>;
  /** Opens the folder's nixpkgs.lock.json (when it is not what `openFile` opens). */
  readonly openLock?: () => Thenable<unknown>;
  /** `git add --intent-to-add` of a file (from the top of the repository), then evaluates again. */
  readonly gitAdd?: (file: string) => Promise<unknown>;
}

const installDocs = 'https://nixos.org/download';
const extensionId = 'nixshell.nixshell';

/**
 * The single place where errors become words for the user. Every message offers something to
 * do next; the full text is always in the log. Cancellation is silent.
 */
const messages: Record<
  ErrorKind,
  (
    error: NixShellError,
    context: MessageContext,
  ) =>
    | {
        text: string;
        actions: Action[];
      }
    | undefined
> = {
  'nix-not-found': () => ({
    text: 'Nix was not found. Install Nix, or set the path to the nix executable.',
    actions: [
      { title: 'Install Nix', run: () => vscode.env.openExternal(vscode.Uri.parse(installDocs)) },
      { title: 'Open Settings', run: () => config.nixPath.open() },
    ],
  }),
  'tool-missing': (error) => ({
    text: `${error.message}: install it, or make sure it is on PATH.`,
    actions: [],
  }),
  evaluation: (error, context) => ({
    text: `Nix could not evaluate ${context.label}: ${error.message}`,
    actions: context.openFile ? [{ title: 'Open File', run: context.openFile }] : [],
  }),
  'hook-failed': (error, context) => ({
    text: `The shellHook of ${context.label} failed: ${error.message}`,
    actions: context.openFile ? [{ title: 'Open File', run: context.openFile }] : [],
  }),
  timeout: (error, context) => ({
    text: `Evaluating ${context.label} was stopped: ${error.message}.`,
    actions: [{ title: 'Open Settings', run: () => config.evaluationTimeout.open() }],
  }),
  'too-large': (error, context) => ({
    text: `${context.label}: ${error.message}. The previous environment stays in force.`,
    actions: [],
  }),
  'untracked-file': (error, context) => {
    const { file } = error;
    const gitAdd = context.gitAdd;
    return {
      text: `Nix flake: ${error.message}`,
      actions: file && gitAdd ? [{ title: 'Git Add', run: () => gitAdd(file) }] : [],
    };
  },
  'no-environment': (error, context) => ({
    text: error.message,
    actions: [
      ...(context.select ? [{ title: 'Select Environment', run: context.select }] : []),
      { title: 'Open Settings', run: () => config.file.open() },
    ],
  }),
  unsupported: (error) => ({ text: error.message, actions: [] }),
  'lock-invalid': (error, context) => {
    const open = context.openLock ?? context.openFile;
    return {
      text: error.message.includes('nixpkgs.lock.json')
        ? error.message
        : `nixpkgs.lock.json: ${error.message}`,
      actions: open ? [{ title: 'Open File', run: open }] : [],
    };
  },
  'file-unusable': (error) => ({ text: error.message, actions: [] }),
  'fetch-failed': (error) => ({
    text: `Could not fetch nixpkgs: ${error.message}. The pin is unchanged.`,
    actions: [],
  }),
  'hash-mismatch': (error) => ({
    text: `nixpkgs does not match its pin: ${error.message}. The pin is unchanged.`,
    actions: [],
  }),
  'copy-failed': (error) => ({
    text: `Could not push the environment: ${error.message}`,
    actions: [{ title: 'Open Settings', run: () => config.binaryCaches.open() }],
  }),
  'gc-failed': (error) => ({ text: `Could not collect garbage: ${error.message}`, actions: [] }),
  cancelled: () => undefined,
  internal: (error) => ({
    text: `Nix Shell ran into a bug: ${error.message}`,
    actions: [{ title: 'Report Issue', run: () => reportIssue(error) }],
  }),
};

/** Opens a new issue of the project, filled in with the version, the message and its stack. */
function reportIssue(error: NixShellError): Thenable<boolean> {
  const extension = vscode.extensions.getExtension<unknown>(extensionId);
  const version = (extension?.packageJSON as { version?: string } | undefined)?.version ?? '?';
  const cause: unknown = error.cause;
  const url = issueUrl({
    version,
    editor: `${vscode.env.appName} ${vscode.version}`,
    message: error.message,
    stack: cause instanceof Error ? cause.stack : error.stack,
  });
  // A parsed Uri would re-encode the query; the URL is already encoded as GitHub reads it.
  return vscode.env.openExternal(url as unknown as vscode.Uri);
}

/**
 * After **Nix: Forget flake settings answer**: what was forgotten, and that entering asks
 * again (an entered folder has just entered again, and asks now).
 */
export async function sayFlakeConfigForgotten(
  folderName: string,
  forgotten: 'accepted' | 'declined' | undefined,
  folder: { readonly entered: boolean; readonly enter: () => Thenable<unknown> },
): Promise<void> {
  const enter = 'Enter Now';
  const said = forgotten === 'accepted' ? flakeConfigAnswers.use : flakeConfigAnswers.never;
  const text = !forgotten
    ? `Nix: no answer about the nixConfig of ${folderName}'s flake is remembered; entering asks when it names binary caches.`
    : folder.entered
      ? `Nix: forgot "${said}" for the nixConfig of ${folderName}'s flake; it entered again without it, and asks again.`
      : `Nix: forgot "${said}" for the nixConfig of ${folderName}'s flake; entering asks again.`;
  const actions = folder.entered ? ['Show Log'] : [enter];
  const chosen = await vscode.window.showInformationMessage(text, ...actions);
  if (chosen === enter) await folder.enter();
  if (chosen === 'Show Log') await vscode.commands.executeCommand('nixShell.showLog');
}

/**
 * What the user should know and can act on without anything having failed: said as warnings,
 * each with its own actions and Show Log.
 */
export type Warning =
  /** A team cache the nix daemon ignores: nix builds what the cache has, without a word. */
  | { readonly kind: 'ignored-cache'; readonly text: string }
  /** The machine cannot run a NixOS VM as it should (`vmPlatformWarning`). */
  | { readonly kind: 'vm-platform'; readonly config: string; readonly text: string }
  /** A push copied the paths, with something to say (a cache that rejects signatures…). */
  | { readonly kind: 'push'; readonly text: string }
  | {
      readonly kind: 'formatter-missing';
      readonly formatter: string;
      /** The environment the formatter could be added to: its label and its file. */
      readonly environment?: { readonly label: string; readonly file: string };
    }
  /** A file was chosen to enter while the folder's settings choose another environment. */
  | { readonly kind: 'settings-choose'; readonly folder: string; readonly file: string }
  /** The `nixshell` launcher was installed in a directory that is not on PATH. */
  | {
      readonly kind: 'launcher-off-path';
      readonly file: string;
      readonly directory: string;
      readonly profileLine: string;
    };

const warnings: {
  [K in Warning['kind']]: (warning: Extract<Warning, { kind: K }>) => {
    text: string;
    actions: Action[];
  };
} = {
  'ignored-cache': ({ text }) => ({
    text: `Nix: ${text}.`,
    actions: [{ title: 'Open Settings', run: () => config.binaryCaches.open() }],
  }),
  'vm-platform': ({ config: name, text }) => ({ text: `VM of ${name}: ${text}`, actions: [] }),
  push: ({ text }) => ({ text, actions: [] }),
  'formatter-missing': ({ formatter, environment }) => ({
    text: `${formatterNotFound(formatter, environment?.label)} Add it to the environment, or choose another formatter.`,
    actions: [
      ...(environment
        ? [
            {
              title: `Open ${path.basename(environment.file)}`,
              run: () => vscode.window.showTextDocument(vscode.Uri.file(environment.file)),
            },
          ]
        : []),
      { title: 'Choose Formatter', run: () => config.formatter.open() },
    ],
  }),
  'settings-choose': ({ folder, file }) => ({
    text: `The settings of ${folder} (nixShell.file, nixShell.devShell) choose its environment, not ${file}.`,
    actions: [{ title: 'Open Settings', run: () => config.file.open() }],
  }),
  'launcher-off-path': ({ file, directory, profileLine }) => ({
    text: `Installed ${file}, but ${directory} is not on your PATH. Add \`${profileLine}\` to your shell's profile.`,
    actions: [{ title: 'Copy Line', run: () => vscode.env.clipboard.writeText(profileLine) }],
  }),
};

/** Where a tool of the user's (formatter, language server) was looked for in vain. */
function lookedIn(environmentLabel: string | undefined): string {
  return environmentLabel
    ? `in the Nix environment of ${environmentLabel} or on the editor's PATH`
    : "on the editor's PATH";
}

/** A formatter that was not found, for the warning and the log. */
export function formatterNotFound(formatter: string, environmentLabel: string | undefined): string {
  return `${formatter} was not found ${lookedIn(environmentLabel)}.`;
}

/** No language server was found: a notice (the parse diagnostics still work), not a warning. */
export function languageServerNotFound(
  servers: string,
  environmentLabel: string | undefined,
): string {
  return `No Nix language server (${servers}) was found ${lookedIn(environmentLabel)}. Syntax errors still show, from nix-instantiate --parse.`;
}

/** Says a warning, with its actions and Show Log; callers need not wait for the answer. */
export async function showWarning(warning: Warning): Promise<void> {
  // The table's entry for this kind takes this kind's warning: TypeScript cannot follow that.
  const message = (warnings[warning.kind] as (w: Warning) => { text: string; actions: Action[] })(
    warning,
  );
  await offer('warning', message.text, [
    ...message.actions,
    { title: 'Show Log', run: () => vscode.commands.executeCommand('nixShell.showLog') },
  ]);
}

/** Shows a message (its secrets redacted) with its actions as buttons; runs the one chosen. */
async function offer(
  severity: 'error' | 'warning',
  text: string,
  actions: readonly Action[],
): Promise<void> {
  const titles = actions.map((action) => action.title);
  const chosen = await (severity === 'error'
    ? vscode.window.showErrorMessage(redact(text), ...titles)
    : vscode.window.showWarningMessage(redact(text), ...titles));
  await actions.find((action) => action.title === chosen)?.run();
}

/** The answers to the flake `nixConfig` question, as its buttons say them. */
export const flakeConfigAnswers = {
  use: 'Use them',
  notNow: 'Not now',
  never: 'Never for this folder',
} as const;

/** What nix itself asks on a terminal before it uses a flake's substituters and settings. */
export function flakeConfigQuestion(
  folderName: string,
  cacheUrls: readonly string[],
  otherSettings: readonly string[],
): string {
  const also = otherSettings.length > 0 ? ` It also sets ${otherSettings.join(', ')}.` : '';
  return `Nix: the flake of ${folderName} asks to use the binary caches ${cacheUrls.join(', ')}.${also} Use its nixConfig (as nix develop --accept-flake-config does)?`;
}

/** Says why nothing happens in Restricted Mode; callers do not wait for the answer. */
export function askForTrust(): void {
  const manage = 'Manage Workspace Trust';
  void vscode.window
    .showWarningMessage(
      'Entering a Nix environment runs code from the workspace. Trust the workspace to enter it.',
      manage,
    )
    .then(
      (answer) => answer === manage && vscode.commands.executeCommand('workbench.trust.manage'),
    );
}

export async function showError(error: NixShellError, context: MessageContext): Promise<void> {
  const message = messages[error.kind](error, context);
  if (!message) return;
  await offer('error', message.text, [
    ...message.actions,
    { title: 'Show Log', run: context.showLog },
  ]);
}
