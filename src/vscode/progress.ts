import * as vscode from 'vscode';
import type { EnvironmentSession } from '../core/session';

/**
 * Shows a running evaluation as a notification with a Cancel button that kills nix's whole
 * process group. It follows the session's progress text and resolves when loading ends.
 */
export function showProgress(session: EnvironmentSession, title: string): Thenable<void> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    (progress, token) =>
      new Promise<void>((resolve) => {
        token.onCancellationRequested(() => session.cancel());
        let last = '';
        const report = (): boolean => {
          const state = session.state;
          if (state.kind !== 'loading') return false;
          if (state.progress !== last) {
            last = state.progress;
            progress.report({ message: state.progress });
          }
          return true;
        };
        if (!report()) {
          resolve();
          return;
        }
        const subscription = session.onDidChange(() => {
          if (report()) return;
          subscription.dispose();
          resolve();
        });
      }),
  );
}
