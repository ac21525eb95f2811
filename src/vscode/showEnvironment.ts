import * as vscode from 'vscode';
import { shellQuote } from '../core/shellQuote';
import type { Mutation } from '../core/env/mutations';
import type { AppliedEnvironment } from '../core/session';
import { targetFile } from '../core/target';

export const environmentScheme = 'nixshell-env';

export function environmentUri(folder: vscode.WorkspaceFolder): vscode.Uri {
  return vscode.Uri.from({
    scheme: environmentScheme,
    path: `/${folder.name}/environment.sh`,
    query: folder.uri.toString(),
  });
}

/**
 * "Nix: Show environment": a read-only document listing every variable set, prepended or
 * unset, as shell lines that would recreate it, with the file it came from.
 */
export class EnvironmentDocuments implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly appliedFor: (folder: vscode.Uri) => AppliedEnvironment | undefined,
  ) {}

  refresh(folderUri: vscode.Uri): void {
    const folder = vscode.workspace.getWorkspaceFolder(folderUri);
    if (folder) this.changed.fire(environmentUri(folder));
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const folder = vscode.Uri.parse(uri.query);
    const applied = this.appliedFor(folder);
    if (!applied) return `# No Nix environment is entered for ${folder.fsPath}.\n`;
    return renderEnvironment(applied);
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** Functions and aliases are listed by name: bash terminals of the folder define them. */
function shellSection(title: string, names: readonly string[], source: string): string[] {
  if (names.length === 0) return [];
  return [
    `# ${title} (${names.length}), from ${source}; defined in "Nix shell" bash terminals`,
    ...wrapNames(names),
    '',
  ];
}

function wrapNames(names: readonly string[]): string[] {
  const lines: string[] = [];
  let line = '#  ';
  for (const name of names) {
    if (line.length + name.length > 98) {
      lines.push(line);
      line = '#  ';
    }
    line += ` ${name}`;
  }
  return [...lines, line];
}

export function renderEnvironment(applied: AppliedEnvironment): string {
  const { entry, spec } = applied;
  const source = targetFile(spec.target);
  const section = (title: string, kind: Mutation['kind'], line: (m: Mutation) => string) => {
    const lines = entry.mutations.filter((m) => m.kind === kind).map(line);
    return lines.length > 0 ? [`# ${title} (${lines.length}), from ${source}`, ...lines, ''] : [];
  };
  return [
    `# Nix environment from ${source}`,
    `# captured ${entry.capturedAt} with nix ${entry.nixVersion} (${entry.method})`,
    ...(entry.warnings.length > 0 ? entry.warnings.map((w) => `# warning: ${w}`) : []),
    '',
    ...section(
      'set',
      'set',
      (m) => `export ${m.name}=${shellQuote(m.kind === 'set' ? m.value : '')}`,
    ),
    ...section('prepended', 'prepend', (m) =>
      m.kind === 'prepend'
        ? `export ${m.name}=${shellQuote(m.value)}"\${${m.name}:+:$${m.name}}"`
        : '',
    ),
    ...section('appended', 'append', (m) =>
      m.kind === 'append'
        ? `export ${m.name}="\${${m.name}:+$${m.name}:}"${shellQuote(m.value)}`
        : '',
    ),
    ...section('unset', 'unset', (m) => `unset ${m.name}`),
    ...shellSection('functions', entry.shell.functionNames, source),
    ...shellSection('aliases', entry.shell.aliasNames, source),
    `# evaluated from (${entry.inputs.length} inputs)`,
    ...entry.inputs.map((input) => `#   ${input.path}`),
    '',
  ].join('\n');
}
