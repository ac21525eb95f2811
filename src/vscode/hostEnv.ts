import { createHash } from 'node:crypto';
import * as vscode from 'vscode';
import { applyMutations, type Environment, type Mutation } from '../core/env/mutations';
import type { Logger } from '../core/logger';
import { config } from './config';

const fingerprintKey = 'nixShell.extensionsStartedWith';
const settleMs = 1500;

/**
 * Keeps the extension host's `process.env` equal to the user's environment with every entered
 * folder's Nix env applied, so processes other extensions start from now on see the Nix PATH.
 * With several folders, the first folder's value wins and its entries come first.
 *
 * Processes other extensions already started keep the old environment; restarting extensions
 * fixes that. It is offered only when the environment differs from the one extensions were
 * last (re)started with, which is remembered, so applying the cached environment after a
 * restart never asks again (direnv/direnv-vscode#161).
 */
export class HostEnvironment implements vscode.Disposable {
  private touched = new Set<string>();
  /** What `process.env` held before this extension first set a name (maybe direnv's value). */
  private readonly before = new Map<string, string | undefined>();
  private pendingOffer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pristine: Environment,
    private readonly state: vscode.Memento,
    private readonly logger: Logger,
  ) {}

  /**
   * Applies the folders' mutations, in folder order, and offers a restart if they changed.
   * Only the names they mutate are set; a name no longer mutated gets back what it held
   * before (another extension's value included). `quiet`: the environment is another
   * extension's to announce (direnv's asks to restart on its own).
   */
  apply(perFolder: readonly (readonly Mutation[])[], options: { quiet?: boolean } = {}): void {
    const target = composeEnvironments(this.pristine, perFolder);
    const mutated = new Set(perFolder.flatMap((mutations) => mutations.map((m) => m.name)));
    for (const name of new Set([...this.touched, ...mutated])) {
      if (!this.before.has(name)) this.before.set(name, process.env[name]);
      const value = mutated.has(name) ? target[name] : this.before.get(name);
      if (!mutated.has(name)) this.before.delete(name);
      if (process.env[name] === value) continue;
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    const touched = mutated;
    this.touched = touched;
    // Folders are applied one by one as they open; judge the change once they have settled,
    // or a window with two folders would see two changes (and restart twice with `always`).
    clearTimeout(this.pendingOffer);
    const current = fingerprint(target, touched);
    this.pendingOffer = setTimeout(() => {
      if (options.quiet && touched.size === 0) {
        void this.state.update(fingerprintKey, current);
        return;
      }
      this.offerRestart(current).catch((error: unknown) =>
        this.logger.warn(`restarting extensions: ${String(error)}`),
      );
    }, settleMs);
  }

  /** Gives the extension host back the environment it started with. */
  dispose(): void {
    clearTimeout(this.pendingOffer);
    for (const [name, value] of this.before) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    this.before.clear();
    this.touched.clear();
  }

  private async offerRestart(current: string): Promise<void> {
    const previous = this.state.get<string>(fingerprintKey);
    if (previous === undefined && this.touched.size === 0) return;
    if (current === previous) return;
    await this.state.update(fingerprintKey, current);
    const mode = config.restartExtensions.get();
    if (mode === 'never') return;
    if (mode === 'always') {
      this.logger.info('restarting extensions so they see the new environment');
      await vscode.commands.executeCommand('workbench.action.restartExtensionHost');
      return;
    }
    const restart = 'Restart Extensions';
    const always = 'Always';
    const answer = await vscode.window.showInformationMessage(
      'The Nix environment changed. Restart extensions so that language servers and tools see it?',
      restart,
      always,
    );
    if (answer === always) await config.restartExtensions.update('always');
    if (answer === restart || answer === always) {
      await vscode.commands.executeCommand('workbench.action.restartExtensionHost');
    }
  }
}

/** The user's environment with each folder's mutations; earlier folders take precedence. */
export function composeEnvironments(
  pristine: Environment,
  perFolder: readonly (readonly Mutation[])[],
): Record<string, string> {
  return [...perFolder].reverse().reduce<Record<string, string>>(applyMutations, { ...pristine });
}

function fingerprint(env: Environment, names: ReadonlySet<string>): string {
  const relevant = [...names].sort().map((name) => [name, env[name] ?? null]);
  return createHash('sha256').update(JSON.stringify(relevant)).digest('hex');
}
