import * as vscode from 'vscode';
import { userLocation, type NixShellError } from '../core/errors';

/**
 * Puts an evaluation error where it happened: a diagnostic at the file and line nix names.
 * Positions inside /nix/store (nixpkgs, the flake's store copy) are skipped in favour of the
 * user's own files further down the trace.
 */
export class EvaluationDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('nix');
  private readonly owned = new Map<string, vscode.Uri[]>();

  /** Replaces the diagnostics a folder's session reported (none when `error` is undefined). */
  report(folderKey: string, error: NixShellError | undefined, fallbackFile: string): void {
    for (const uri of this.owned.get(folderKey) ?? []) this.collection.delete(uri);
    this.owned.delete(folderKey);
    if (!error || error.kind === 'cancelled') return;
    const location = userLocation(error.locations);
    const uri = vscode.Uri.file(location?.file ?? fallbackFile);
    const line = Math.max((location?.line ?? 1) - 1, 0);
    const column = Math.max((location?.column ?? 1) - 1, 0);
    const diagnostic = new vscode.Diagnostic(
      new vscode.Range(line, column, line, column + 1),
      error.message,
      vscode.DiagnosticSeverity.Error,
    );
    diagnostic.source = 'nix';
    this.collection.set(uri, [diagnostic]);
    this.owned.set(folderKey, [uri]);
  }

  dispose(): void {
    this.collection.dispose();
  }
}
