import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import os from 'node:os';
import { execa } from 'execa';
import * as vscode from 'vscode';
import { activateExtension, setSetting, waitFor, waitForState, workspaceFolder } from './support';

/** Live (not zombie) processes whose command line contains `text`. */
async function processesMatching(text: string): Promise<string[]> {
  const { stdout } = await execa('ps', ['-eo', 'stat=,args=']);
  return stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => !line.startsWith('Z') && line.includes(text) && !line.includes('ps -eo'));
}

/**
 * Temporary files of a capture in the extension host's TMPDIR (the harness gives each suite
 * its own): ours (`nixshell-*`) and the build directories nix removes when it ends gently.
 */
async function captureTempFiles(): Promise<string[]> {
  const names = await readdir(os.tmpdir());
  return names.filter((name) => name.startsWith('nixshell-') || name.startsWith('nix-build-'));
}

describe('cancelling an evaluation', () => {
  afterEach(async () => {
    await setSetting('args', undefined);
    await waitForState(await activateExtension(), workspaceFolder().uri, 'active');
  });

  /**
   * Starts an evaluation that `sleep SECONDS` keeps busy (in the shell nix-shell starts, or in
   * a build), cancels it once the sleep runs, and checks that nothing of it is left.
   */
  async function cancelDuring(args: string[], sleep: string): Promise<void> {
    const api = await activateExtension();
    const folder = workspaceFolder().uri;
    const before = process.env['GREETING'];
    await setSetting('args', args);
    await waitForState(api, folder, 'loading');
    await waitFor(async () => (await processesMatching(sleep)).length > 0, `the ${sleep}`);
    assert.notDeepEqual(await captureTempFiles(), [], 'the capture has temporary files');
    await vscode.commands.executeCommand('nixShell.cancel');
    await waitForState(api, folder, 'stale');
    await waitFor(
      async () => (await processesMatching(sleep)).length === 0,
      `the ${sleep} to end`,
      10_000,
    );
    // nix-shell of this folder's shell.nix; its shell ran in the same process group.
    const nixShell = `nix-shell ${folder.fsPath}/shell.nix`;
    assert.deepEqual(await processesMatching(nixShell), [], 'no nix process is left');
    // nix removes its build directory only when it ends gently (SIGTERM, not SIGKILL).
    await waitFor(
      async () => ((await captureTempFiles()).length === 0 ? true : undefined),
      `no temporary files (${(await captureTempFiles()).join(', ')})`,
      5_000,
    );
    assert.equal(process.env['GREETING'], before, 'the environment from before stays');
    assert.equal(api.getStatus(folder)?.statusText, '$(history) Nix: shell.nix (stale)');
  }

  it('kills the shell nix-shell started, and keeps the environment applied before', async () => {
    // The stand-in stdenv sleeps this long while nix-shell's shell sources it.
    await cancelDuring(['--argstr', 'slowSetupSeconds', '31.5'], 'sleep 31.5');
  });

  it('ends nix in the middle of a build, gently: its build directory is removed', async () => {
    // An input whose build sleeps this long; a new one each run, so nix really builds it.
    const seconds = `32.${Date.now() % 100_000}`;
    await cancelDuring(['--argstr', 'slowBuildSeconds', seconds], `sleep ${seconds}`);
  });
});
