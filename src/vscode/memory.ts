import type * as vscode from 'vscode';
import type { FlakeConfigAnswer } from './flakeConfigPrompt';

/** What the user answered to "Enter it?" for a folder. `entered`: entered, and entered again on reopen. */
export type EnterDecision = 'always' | 'never' | 'entered';

/** An environment the user picked with "Select environment". */
export interface RememberedChoice {
  readonly file: string;
  readonly devShell?: string | undefined;
}

interface FolderMemory {
  readonly decision?: EnterDecision | undefined;
  readonly choice?: RememberedChoice | undefined;
  /** Who manages the environment of a folder direnv's extension applies too. */
  readonly owner?: 'nixShell' | 'direnv' | undefined;
  /** Whether nix may apply the flake's `nixConfig` (its binary caches) for this folder. */
  readonly flakeConfig?: FlakeConfigAnswer | undefined;
}

const key = 'nixShell.folders';

/** Per-folder choices, kept in the workspace's state (not in settings, not in the repo). */
export class FolderMemories {
  constructor(private readonly state: vscode.Memento) {}

  get(folder: vscode.Uri): FolderMemory {
    return this.all()[folder.toString()] ?? {};
  }

  async update(folder: vscode.Uri, change: Partial<FolderMemory>): Promise<void> {
    const all = this.all();
    all[folder.toString()] = { ...all[folder.toString()], ...change };
    await this.state.update(key, all);
  }

  private all(): Record<string, FolderMemory> {
    return { ...this.state.get<Record<string, FolderMemory>>(key, {}) };
  }
}
