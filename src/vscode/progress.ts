import * as vscode from 'vscode';
import type { EnvironmentSession } from '../core/session';

const tracked = new WeakSet<EnvironmentSession>();

/**
 * Shows a running evaluation as a notification with a Cancel button that kills nix's whole
 * process group. It follows the session's progress text and closes when loading ends.
 */
export function trackProgress(
  session: EnvironmentSession,
  title: string,
  cancel: () => void,
): void {
  if (tracked.has(session)) return;
  tracked.add(session);
  void vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    (progress, token) =>
      new Promise<void>((resolve) => {
        token.onCancellationRequested(cancel);
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
        report();
        const subscription = session.onDidChange(() => {
          if (report()) return;
          subscription.dispose();
          tracked.delete(session);
          resolve();
        });
      }),
  );
}
