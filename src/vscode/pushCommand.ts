import * as vscode from 'vscode';
import { lookup } from '../core/engine';
import { asNixShellError } from '../core/errors';
import { formatBytes } from '../core/store/plan';
import { pushEnvironment } from '../core/store/push';
import { config } from './config';
import type { FolderController } from './folder';
import { askForTrust, showWarning } from './messages';

/** What automation (and the tests) may pass instead of answering the prompts. */
interface PushOptions {
  readonly to?: string;
  readonly signKey?: string;
}

function pushOptions(value: unknown): PushOptions {
  const record = (typeof value === 'object' && value !== null ? value : {}) as Record<
    string,
    unknown
  >;
  return {
    ...(typeof record['to'] === 'string' ? { to: record['to'] } : {}),
    ...(typeof record['signKey'] === 'string' ? { signKey: record['signKey'] } : {}),
  };
}

/**
 * **Nix: Push environment to binary cache…**: builds what entering needs where it is not built
 * yet and copies it, with its closure, to a store URL (`nix copy`), signed with a key if given.
 * Evaluating runs the project's code, so an untrusted workspace gets the trust prompt instead.
 */
export async function pushCommand(controller: FolderController, options: unknown): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    askForTrust();
    return;
  }
  const given = pushOptions(options);
  const configured = config.binaryCaches.get(controller.folder)[0]?.url;
  const to =
    given.to ??
    (await vscode.window.showInputBox({
      title: 'Push the Nix environment to a binary cache',
      prompt: 'A store URL nix copy takes: file:///path, ssh://host, ssh-ng://host, s3://bucket',
      ...(configured ? { value: configured } : {}),
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim() === '' ? 'A store URL is needed' : undefined),
    }));
  if (!to) return;
  const signKey =
    given.signKey ??
    (given.to === undefined
      ? await vscode.window.showInputBox({
          title: 'Sign what is pushed (optional)',
          prompt: 'A secret key file (nix key generate-secret); empty for no signature',
          ignoreFocusOut: true,
        })
      : undefined);
  if (signKey === undefined && given.to === undefined) return;
  const spec = controller.session.target ?? (await controller.resolveSpec());
  if (!spec) return;
  const context = controller.engineContext();
  try {
    const result = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Nix: pushing ${controller.label ?? controller.folder.name}`,
        cancellable: true,
      },
      async (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        // The capture code it evaluates with loads for a push, not with the extension.
        const { engineInvocation } = await import('../core/store/enterPlan');
        const invocation = await engineInvocation(spec, context, abort.signal);
        const found = await lookup(spec, context).catch(() => undefined);
        return pushEnvironment(
          {
            ...invocation,
            context: {
              ...invocation.context,
              onProgress: (message) => progress.report({ message }),
            },
          },
          to.trim(),
          {
            signKey: signKey?.trim() || undefined,
            extraPaths: found?.entry && found.freshness.fresh ? found.entry.storePaths : [],
          },
        );
      },
    );
    for (const warning of result.warnings) {
      context.logger.warn(warning);
      void showWarning({ kind: 'push', text: warning });
    }
    const summary = `copied ${result.paths} paths (${formatBytes(result.bytes)}) to ${to.trim()}; ${result.closure - result.paths} were already there`;
    context.logger.info(summary);
    void vscode.window.showInformationMessage(`Nix: ${summary}.`);
  } catch (error) {
    controller.logError('push', error);
    // Not awaited: the command is over, and its message stays with its actions.
    void controller.showError(asNixShellError(error));
  }
}
