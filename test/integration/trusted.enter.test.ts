import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, nixCalls, recordStates, waitForState, workspaceFolder } from './support';

describe('entering the environment', () => {
  it('activates in the folder without running nix, and enters on the palette command', async () => {
    const api = await activateExtension();
    const folder = workspaceFolder().uri;
    assert.equal(api.getStatus(folder)?.state, 'off');
    assert.deepEqual(nixCalls(), [], 'nothing is evaluated before the user says so');
    const recorder = recordStates(api, folder);
    await vscode.commands.executeCommand('nixShell.enter');
    await waitForState(api, folder, 'active');
    recorder.dispose();
    assert.deepEqual(recorder.states, ['loading', 'active']);
    assert.equal(process.env['GREETING'], 'hello from shell.nix');
    assert.match(api.getStatus(folder)?.statusText ?? '', /^\$\(package\) Nix: shell\.nix \(\d+\)$/);
  });
});
