import * as vscode from 'vscode';
import { applyMutations, type Environment, type Mutation } from '../core/env/mutations';

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
 * multi-root workspace gets its own. Search paths are extended, never replaced. The API
 * cannot unset a variable a terminal inherits (microsoft/vscode#185200), so an unset becomes
 * an empty value. Only this folder's keys are ever touched.
 */
export class TerminalEnvironment {
  constructor(
    private readonly collection: vscode.GlobalEnvironmentVariableCollection,
    /** The extension host's environment before any Nix env, like a new terminal's. */
    private readonly ambient: Environment,
    /**
     * Whether another extension replaces variables wholesale (direnv's does): then every
     * variable is given whole too, so that whichever value a terminal gets carries the
     * project's entries once, never a prepend on top of a replaced value that already has them.
     */
    private readonly wholeValues: () => boolean = () => false,
  ) {}

  apply(folder: vscode.WorkspaceFolder, mutations: readonly Mutation[], description: string): void {
    const scoped = this.collection.getScoped({ workspaceFolder: folder });
    const wanted = this.terminalMutations(mutations);
    const unchanged = new Set<string>();
    const outdated: string[] = [];
    scoped.forEach((name, existing) => {
      const next = wanted.get(name);
      if (next && next.type === existing.type && next.value === existing.value) unchanged.add(name);
      else outdated.push(name);
    });
    for (const name of outdated) scoped.delete(name);
    const { Prepend, Append } = vscode.EnvironmentVariableMutatorType;
    for (const [name, next] of wanted) {
      if (unchanged.has(name)) continue;
      if (next.type === Prepend) scoped.prepend(name, next.value, reapplyAfterRcFiles);
      else if (next.type === Append) scoped.append(name, next.value, reapplyAfterRcFiles);
      else scoped.replace(name, next.value);
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

  /**
   * One change per variable, as the collection takes it. A search path nix extends on both
   * sides, or that the terminal lacks (a lone `:` would add the current directory to PATH),
   * is given whole, from the editor's own value.
   */
  private terminalMutations(mutations: readonly Mutation[]): Map<string, TerminalMutation> {
    const { Prepend, Append, Replace } = vscode.EnvironmentVariableMutatorType;
    const byName = new Map<string, Mutation[]>();
    for (const mutation of mutations) {
      byName.set(mutation.name, [...(byName.get(mutation.name) ?? []), mutation]);
    }
    const result = new Map<string, TerminalMutation>();
    const whole = this.wholeValues();
    for (const [name, own] of byName) {
      const [only] = own;
      if (whole) {
        result.set(name, { type: Replace, value: applyMutations(this.ambient, own)[name] ?? '' });
      } else if (own.length === 1 && only?.kind === 'prepend' && this.ambient[name] !== undefined) {
        result.set(name, { type: Prepend, value: `${only.value}:` });
      } else if (own.length === 1 && only?.kind === 'append' && this.ambient[name] !== undefined) {
        result.set(name, { type: Append, value: `:${only.value}` });
      } else {
        const value = applyMutations(this.ambient, own)[name];
        result.set(name, { type: Replace, value: value ?? '' });
      }
    }
    return result;
  }
}

interface TerminalMutation {
  readonly type: vscode.EnvironmentVariableMutatorType;
  readonly value: string;
}
