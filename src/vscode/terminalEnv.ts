import * as vscode from 'vscode';
import type { Environment, Mutation } from '../core/env/mutations';

/**
 * Shell rc files often put their own entries first on PATH (pyenv, cargo, nvm), which would
 * hide the project's tools (direnv/direnv-vscode#852). Where shell integration runs, search
 * paths are prepended again after the rc files. Only search paths: shell integration passes
 * values through `echo -e` and splits them on newlines, which would corrupt other values.
 */
const reapplyAfterRcFiles: vscode.EnvironmentVariableMutatorOptions = {
  applyAtProcessCreation: true,
  applyAtShellIntegration: true,
};

/**
 * Hands a folder's environment to its terminals (and the task terminals started there)
 * through the folder-scoped environment variable collection, so every folder of a
 * multi-root workspace gets its own. Search paths are prepended, never replaced. The API
 * cannot unset a variable a terminal inherits (microsoft/vscode#185200), so an unset becomes
 * an empty value. Only this folder's keys are ever touched.
 */
export class TerminalEnvironment {
  constructor(
    private readonly collection: vscode.GlobalEnvironmentVariableCollection,
    /** The extension host's environment before any Nix env, like a new terminal's. */
    private readonly ambient: Environment,
  ) {}

  apply(folder: vscode.WorkspaceFolder, mutations: readonly Mutation[], description: string): void {
    const scoped = this.collection.getScoped({ workspaceFolder: folder });
    const wanted = new Map(mutations.map((m) => [m.name, this.terminalMutation(m)]));
    const unchanged = new Set<string>();
    const outdated: string[] = [];
    scoped.forEach((name, existing) => {
      const next = wanted.get(name);
      if (next && next.type === existing.type && next.value === existing.value) unchanged.add(name);
      else outdated.push(name);
    });
    for (const name of outdated) scoped.delete(name);
    for (const [name, next] of wanted) {
      if (unchanged.has(name)) continue;
      if (next.type === vscode.EnvironmentVariableMutatorType.Prepend) {
        scoped.prepend(name, next.value, reapplyAfterRcFiles);
      } else {
        scoped.replace(name, next.value);
      }
    }
    scoped.description = description;
  }

  /**
   * Removes this folder's variables one by one: a scoped `clear()` matches folders by index,
   * and after a folder is removed another one takes its index.
   */
  clear(folder: vscode.WorkspaceFolder): void {
    const scoped = this.collection.getScoped({ workspaceFolder: folder });
    const names: string[] = [];
    scoped.forEach((name) => names.push(name));
    for (const name of names) scoped.delete(name);
  }

  private terminalMutation(mutation: Mutation): {
    type: vscode.EnvironmentVariableMutatorType;
    value: string;
  } {
    const { Prepend, Replace } = vscode.EnvironmentVariableMutatorType;
    switch (mutation.kind) {
      case 'set':
        return { type: Replace, value: mutation.value };
      case 'unset':
        return { type: Replace, value: '' };
      case 'prepend':
        // Prepending to a variable the terminal lacks would leave a trailing `:` (the current
        // directory, on PATH); give it nix's entries plus the defaults instead.
        return this.ambient[mutation.name] === undefined
          ? {
              type: Replace,
              value: [mutation.value, mutation.whenUnset].filter(Boolean).join(':'),
            }
          : { type: Prepend, value: `${mutation.value}:` };
    }
  }
}
