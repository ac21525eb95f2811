import path from 'node:path';
import * as vscode from 'vscode';
import { isCancellation } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { runInProcessGroup } from '../../core/process';
import { config, optionalText } from '../config';
import type { ProjectEnvironments } from './environments';
import { locateNixInstantiate } from './nixInstantiate';
import { parseProblems, type ParseProblem } from './parseErrors';

/** What parse diagnostics need to know about language servers. */
export interface ServedDocuments {
  serverFor(document: vscode.TextDocument): unknown;
  readonly onDidChangeServers: vscode.Event<void>;
}

const timeoutMs = 30_000;

/**
 * Syntax errors without a language server: `nix-instantiate --parse` (real nix, which
 * evaluates nothing) on open and save of each .nix file no server serves, as diagnostics at
 * the line and column nix names. A server that starts takes over (its diagnostics replace
 * these); one that stops hands back.
 */
export class ParseDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('nix-instantiate');
  /** The run in flight per document: a newer one (a quick second save) cancels it. */
  private readonly running = new Map<string, AbortController>();
  /** The document version each result is for, so a server change does not re-run them all. */
  private readonly checked = new Map<string, number>();
  private readonly disposables: { dispose(): unknown }[];
  private missingReported = false;

  constructor(
    private readonly services: {
      readonly servers: ServedDocuments;
      readonly environments: ProjectEnvironments;
      readonly logger: Logger;
    },
  ) {
    this.disposables = [
      this.collection,
      vscode.workspace.onDidOpenTextDocument((document) => this.check(document, false)),
      vscode.workspace.onDidSaveTextDocument((document) => this.check(document, true)),
      vscode.workspace.onDidCloseTextDocument((document) => this.forget(document.uri)),
      services.servers.onDidChangeServers(() => this.checkAll()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.checkAll()),
    ];
    this.checkAll();
  }

  /** The diagnostics shown for a document (for tests and other features). */
  get(uri: vscode.Uri): readonly vscode.Diagnostic[] {
    return this.collection.get(uri) ?? [];
  }

  private checkAll(): void {
    for (const document of vscode.workspace.textDocuments) this.check(document, false);
  }

  private check(document: vscode.TextDocument, saved: boolean): void {
    if (document.languageId !== 'nix' || document.uri.scheme !== 'file') return;
    // Untrusted workspaces run no nix at all, not even a parse.
    if (!vscode.workspace.isTrusted) return;
    if (this.services.servers.serverFor(document)) {
      this.forget(document.uri);
      return;
    }
    const key = document.uri.toString();
    if (!saved && this.checked.get(key) === document.version) return;
    this.checked.set(key, document.version);
    this.parse(document).catch((error: unknown) =>
      this.services.logger.warn(`nix-instantiate --parse: ${String(error)}`),
    );
  }

  private async parse(document: vscode.TextDocument): Promise<void> {
    const { environments, logger } = this.services;
    const key = document.uri.toString();
    this.running.get(key)?.abort();
    const controller = new AbortController();
    this.running.set(key, controller);
    const file = document.uri.fsPath;
    const folder = vscode.workspace.getWorkspaceFolder(document.uri);
    const env = environments.environmentOf(folder);
    const nixInstantiate = await locateNixInstantiate(
      optionalText(config.nixPath, folder?.uri),
      env['PATH'],
      environments.editor['PATH'],
    );
    if (!nixInstantiate) {
      if (!this.missingReported) logger.warn('nix-instantiate was not found: no syntax errors');
      this.missingReported = true;
      return;
    }
    const stderr: string[] = [];
    let exitCode: number | undefined;
    try {
      const result = await runInProcessGroup(
        nixInstantiate,
        ['--parse', '--log-format', 'internal-json', file],
        {
          cwd: path.dirname(file),
          env,
          signal: controller.signal,
          timeoutMs,
          onStderrLine: (line) => stderr.push(line),
        },
      );
      exitCode = result.exitCode;
    } catch (error) {
      if (!isCancellation(error)) logger.warn(`nix-instantiate --parse ${file}: ${String(error)}`);
      return;
    } finally {
      if (this.running.get(key) === controller) this.running.delete(key);
    }
    // Superseded, closed, or a server took over while nix ran.
    if (
      controller.signal.aborted ||
      document.isClosed ||
      this.services.servers.serverFor(document)
    ) {
      return;
    }
    const problems = exitCode === 0 ? [] : parseProblems(stderr);
    if (exitCode !== 0 && problems.length === 0) {
      logger.warn(`nix-instantiate --parse ${file} failed:\n${stderr.join('\n')}`);
    }
    this.collection.set(
      document.uri,
      problems.map((problem) => toDiagnostic(document, problem)),
    );
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    this.running.get(key)?.abort();
    this.running.delete(key);
    this.checked.delete(key);
    this.collection.delete(uri);
  }

  dispose(): void {
    for (const controller of this.running.values()) controller.abort();
    this.running.clear();
    for (const disposable of this.disposables) disposable.dispose();
  }
}

/** Nix's 1-based position; the word there (a name), else the one character nix points at. */
function toDiagnostic(document: vscode.TextDocument, problem: ParseProblem): vscode.Diagnostic {
  const start = document.validatePosition(
    new vscode.Position(problem.line - 1, problem.column - 1),
  );
  const range =
    document.getWordRangeAtPosition(start) ??
    document.validateRange(new vscode.Range(start, start.translate(0, 1)));
  const diagnostic = new vscode.Diagnostic(range, problem.message, vscode.DiagnosticSeverity.Error);
  diagnostic.source = 'nix-instantiate';
  return diagnostic;
}
