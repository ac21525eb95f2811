// A flake in a git repository (the harness commits the workspace copy): a file the flake
// imports that git does not track is an error that offers Git Add, which fixes it.
import assert from 'node:assert/strict';
import path from 'node:path';
import { execa } from 'execa';
import * as vscode from 'vscode';
import { importUntrackedFile } from '../support/untrackedFile';
import { activateExtension, askHarness, waitForState, workspaceFolder } from './support';

describe('a flake importing a file git does not track', () => {
  const dir = () => workspaceFolder().uri.fsPath;

  it('fails with Git Add offered; after a click the environment enters', async () => {
    const api = await activateExtension();
    const folder = workspaceFolder().uri;
    await importUntrackedFile(dir());
    void vscode.commands.executeCommand('nixShell.enter');
    await waitForState(api, folder, 'failed');
    await vscode.commands.executeCommand('notifications.showList');
    const message = await askHarness('notification', 'is not tracked by git|Git Add');
    assert.match(message ?? '', /workspace\/nix\/extra\.nix is not tracked by git/);
    await waitForState(api, folder, 'active');
    assert.equal(api.getEnvironment(folder)?.['SHELL_NAME'], 'default');
    // Only the intent to add: the content stays unstaged, for the user to commit. (Porcelain
    // paths are from the top of the repository, which holds the workspace.)
    const { stdout } = await execa('git', ['status', '--porcelain', '--', 'nix/extra.nix'], {
      cwd: dir(),
    });
    assert.equal(stdout.trim(), `A ${path.basename(dir())}/nix/extra.nix`);
  });
});
