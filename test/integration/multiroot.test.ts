import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, terminalEnvironment, waitForState, workspaceFolder } from './support';

describe('a multi-root workspace', () => {
  it('enters each folder on its own', async () => {
    const api = await activateExtension();
    for (const folder of [workspaceFolder(0), workspaceFolder(1)]) {
      await vscode.commands.executeCommand('nixShell.enter', folder.uri);
      await waitForState(api, folder.uri, 'active');
    }
    assert.equal(
      api
        .getStatus(workspaceFolder(0).uri)
        ?.statusText.startsWith('$(package) Nix (alpha): shell.nix'),
      true,
    );
    assert.equal(
      api
        .getStatus(workspaceFolder(1).uri)
        ?.statusText.startsWith('$(package) Nix (beta): shell.nix'),
      true,
    );
  });

  it("gives each folder's terminals that folder's environment", async () => {
    const alpha = await terminalEnvironment(workspaceFolder(0).uri, 'alpha');
    const beta = await terminalEnvironment(workspaceFolder(1).uri, 'beta');
    assert.equal(alpha['FOLDER_NAME'], 'alpha');
    assert.equal(beta['FOLDER_NAME'], 'beta');
    assert.ok(alpha['PATH']?.startsWith(`${workspaceFolder(0).uri.fsPath}/bin:`));
    assert.ok(beta['PATH']?.startsWith(`${workspaceFolder(1).uri.fsPath}/bin:`));
  });

  it('gives the extension host the first folder’s values, and both folders’ PATH entries', () => {
    assert.equal(process.env['FOLDER_NAME'], 'alpha');
    const path = (process.env['PATH'] ?? '').split(':');
    // alpha's entries, then beta's that alpha did not have.
    assert.deepEqual(path.slice(0, 3), [
      `${workspaceFolder(0).uri.fsPath}/bin`,
      '/opt/basic-toolchain/bin',
      `${workspaceFolder(1).uri.fsPath}/bin`,
    ]);
  });

  it('leaves one folder without touching the other', async () => {
    const api = await activateExtension();
    await vscode.commands.executeCommand('nixShell.leave', workspaceFolder(0).uri);
    await waitForState(api, workspaceFolder(0).uri, 'off');
    assert.equal(process.env['FOLDER_NAME'], 'beta');
    const beta = await terminalEnvironment(workspaceFolder(1).uri, 'beta-after');
    assert.equal(beta['FOLDER_NAME'], 'beta');
    const alpha = await terminalEnvironment(workspaceFolder(0).uri, 'alpha-after');
    assert.equal(alpha['FOLDER_NAME'], undefined);
  });
});
