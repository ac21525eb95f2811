import assert from 'node:assert/strict';
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

describe('cancelling an evaluation', () => {
  after(async () => {
    await setSetting('args', undefined);
    await waitForState(await activateExtension(), workspaceFolder().uri, 'active');
  });

  it('kills nix and its builder, and keeps the environment applied before', async () => {
    const api = await activateExtension();
    const folder = workspaceFolder().uri;
    const before = process.env['GREETING'];
    // The stand-in stdenv sleeps this long while nix builds the environment.
    await setSetting('args', ['--argstr', 'slowSetupSeconds', '31.5']);
    await waitForState(api, folder, 'loading');
    await waitFor(
      async () => (await processesMatching('sleep 31.5')).length > 0,
      'the slow builder',
    );
    await vscode.commands.executeCommand('nixShell.cancel');
    await waitForState(api, folder, 'stale');
    await waitFor(
      async () => (await processesMatching('sleep 31.5')).length === 0,
      'the builder to die',
      10_000,
    );
    // nix-shell of this folder's shell.nix; its shell ran in the same process group.
    const nixShell = `nix-shell ${folder.fsPath}/shell.nix`;
    assert.deepEqual(await processesMatching(nixShell), [], 'no nix process is left');
    assert.equal(process.env['GREETING'], before, 'the environment from before stays');
    assert.equal(api.getStatus(folder)?.statusText, '$(history) Nix: shell.nix (stale)');
  });
});
