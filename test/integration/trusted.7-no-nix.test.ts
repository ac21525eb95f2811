import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, setSetting, waitForState, workspaceFolder } from './support';

describe('without nix', () => {
  after(() => setSetting('nixPath', undefined));

  it('fails with a message that names the setting, and keeps the cached environment', async () => {
    const api = await activateExtension();
    const folder = workspaceFolder().uri;
    await setSetting('nixPath', '/nonexistent/bin');
    await vscode.commands.executeCommand('nixShell.enter');
    await waitForState(api, folder, 'failed');
    const status = api.getStatus(folder) ?? { statusText: '', tooltip: '' };
    assert.equal(status.statusText, '$(error) Nix: shell.nix');
    assert.match(
      status.tooltip,
      /nix was not found at \/nonexistent\/bin \(setting nixShell\.nixPath\)/,
    );
    // Its store paths still exist, so the environment captured earlier still works.
    assert.equal(process.env['GREETING'], 'hello from shell.nix');
  });
});
