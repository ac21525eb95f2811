import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  activateExtension,
  nixCalls,
  setSetting,
  terminalEnvironment,
  waitFor,
  waitForState,
  workspaceFolder,
} from './support';

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
    await waitForState(api, workspaceFolder(0).uri, 'available');
    assert.equal(process.env['FOLDER_NAME'], 'beta');
    const beta = await terminalEnvironment(workspaceFolder(1).uri, 'beta-after');
    assert.equal(beta['FOLDER_NAME'], 'beta');
    const alpha = await terminalEnvironment(workspaceFolder(0).uri, 'alpha-after');
    assert.equal(alpha['FOLDER_NAME'], undefined);
  });
});

describe('"Enter Nix shell" in the Explorer, on a file', () => {
  const beta = () => workspaceFolder(1).uri;
  /** As the Explorer's context menu runs it: the file clicked, then the selection. */
  const enterFromExplorer = (...segments: string[]) => {
    const file = vscode.Uri.joinPath(beta(), ...segments);
    return vscode.commands.executeCommand('nixShell.enter', file, [file]);
  };

  it('is offered on shell.nix, default.nix and flake.nix only', () => {
    const manifest = vscode.extensions.getExtension('nixshell.nixshell')?.packageJSON as {
      contributes: { menus: Record<string, { command: string; when: string }[]> };
    };
    const entry = manifest.contributes.menus['explorer/context']?.find(
      (item) => item.command === 'nixShell.enter',
    );
    const pattern = /resourceFilename =~ \/(.*)\/ /.exec(entry?.when ?? '')?.[1];
    assert.ok(pattern, `no filename condition in ${entry?.when}`);
    const offered = ['shell.nix', 'default.nix', 'flake.nix', 'other.nix', 'shell.nix.bak'].filter(
      (name) => new RegExp(pattern).test(name),
    );
    assert.deepEqual(offered, ['shell.nix', 'default.nix', 'flake.nix']);
  });

  it("enters that file's environment in the file's folder, not the one discovery finds", async () => {
    const api = await activateExtension();
    const alphaBefore = api.getStatus(workspaceFolder(0).uri)?.state;
    await enterFromExplorer('tools', 'default.nix');
    await waitFor(
      () => api.getEnvironment(beta())?.['FOLDER_NAME'] === 'beta-tools',
      `beta-tools' environment (FOLDER_NAME=${api.getEnvironment(beta())?.['FOLDER_NAME']})`,
    );
    await waitForState(api, beta(), 'active');
    assert.match(api.getStatus(beta())?.statusText ?? '', /tools\/default\.nix/);
    const terminal = await terminalEnvironment(beta(), 'beta-tools');
    assert.equal(terminal['FOLDER_NAME'], 'beta-tools');
    // The other folder is none of this command's business.
    assert.equal(api.getStatus(workspaceFolder(0).uri)?.state, alphaBefore);
  });

  it('on the root shell.nix, enters that one again', async () => {
    const api = await activateExtension();
    await enterFromExplorer('shell.nix');
    await waitFor(
      () => api.getEnvironment(beta())?.['FOLDER_NAME'] === 'beta',
      `beta's environment (FOLDER_NAME=${api.getEnvironment(beta())?.['FOLDER_NAME']})`,
    );
    assert.match(api.getStatus(beta())?.statusText ?? '', /Nix \(beta\): shell\.nix/);
  });

  it('not entered, the status bar names what a click would enter, as the settings choose it', async () => {
    const api = await activateExtension();
    await vscode.commands.executeCommand('nixShell.leave', beta());
    await waitForState(api, beta(), 'available');
    const calls = nixCalls().length;
    const folder = workspaceFolder(1);
    await setSetting('file', 'tools/default.nix', folder);
    try {
      await waitFor(
        () =>
          api.getStatus(beta())?.statusText ===
          '$(circle-large-outline) Nix (beta): tools/default.nix',
        `the item to name tools/default.nix (now ${api.getStatus(beta())?.statusText})`,
      );
      assert.equal(api.getStatus(beta())?.state, 'available', 'a setting does not enter');
      assert.equal(nixCalls().length, calls, 'nothing was evaluated');
    } finally {
      await setSetting('file', undefined, folder);
    }
  });
});
