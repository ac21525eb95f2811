import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, nixCalls, waitForState, workspaceFolder } from './support';

describe('an untrusted workspace', () => {
  it('is really untrusted in this run', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('shows what it found and asks for trust, in the status bar', async () => {
    const api = await activateExtension();
    const folder = workspaceFolder().uri;
    await waitForState(api, folder, 'limited');
    assert.equal(api.getStatus(folder)?.statusText, '$(shield) Nix: shell.nix');
  });

  it('never runs nix, not even from the palette', async () => {
    const api = await activateExtension();
    const folder = workspaceFolder().uri;
    await vscode.commands.executeCommand('nixShell.enter');
    await vscode.commands.executeCommand('nixShell.enter', folder);
    await vscode.commands.executeCommand('nixShell.reload');
    // A folder given explicitly (a keybinding, another extension) takes the same gate.
    await vscode.commands.executeCommand('nixShell.reload', folder);
    // An evaluation the commands started would be running until then.
    await api.whenIdle(folder);
    assert.deepEqual(nixCalls(), []);
    assert.equal(process.env['GREETING'], undefined);
    assert.equal(api.getEnvironment(workspaceFolder().uri), undefined);
    assert.equal(api.getStatus(workspaceFolder().uri)?.state, 'limited');
  });
});
