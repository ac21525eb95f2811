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
  const said = forgotten === 'accepted' ? 'Use them' : 'Never for this folder';
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
  const actions: Action[] = [...message.actions, { title: 'Show Log', run: context.showLog }];
  const chosen = await vscode.window.showErrorMessage(
    redact(message.text),
    ...actions.map((action) => action.title),
  );
  await actions.find((action) => action.title === chosen)?.run();
}
