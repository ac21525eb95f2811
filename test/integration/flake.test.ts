// A flake in a git repository (the harness commits the workspace copy): a file the flake
// imports that git does not track is an error that offers Git Add, which fixes it.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import * as vscode from 'vscode';
import { importUntrackedFile } from '../support/untrackedFile';
import { activateExtension, askHarness, waitFor, waitForState, workspaceFolder } from './support';

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

  it('a failed update of its nixpkgs names flake.nix, not nixpkgs.lock.json', async () => {
    const flakeFile = path.join(dir(), 'flake.nix');
    const good = await readFile(flakeFile, 'utf8');
    try {
      // nix parses the whole flake.nix to update an input: a syntax error fails the update.
      await writeFile(flakeFile, good.replace('description =', 'description = ;'));
      await vscode.commands.executeCommand('nixShell.pinUpdate', workspaceFolder().uri, {
        confirmed: true,
      });
      await vscode.commands.executeCommand('notifications.showList');
      const message = await askHarness('notification', 'Nix could not evaluate|Open File');
      assert.match(message ?? '', /^Nix could not evaluate flake\.nix: nix flake /);
      await waitFor(
        () => vscode.window.activeTextEditor?.document.uri.fsPath === flakeFile,
        'flake.nix in the editor',
      );
    } finally {
      await writeFile(flakeFile, good);
    }
  });
});
