import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import {
  activateExtension,
  askHarness,
  harnessListens,
  nixCalls,
  outputFile,
  terminalEnvironment,
  waitForState,
  workspaceFolder,
} from './support';

describe('leaving the Nix shell', () => {
  it('reverts everything it applied', async () => {
    const api = await activateExtension();
    const folder = workspaceFolder();
    await vscode.commands.executeCommand('nixShell.leave');
    await waitForState(api, folder.uri, 'available');
    // What was left can be entered again from the status bar.
    assert.equal(api.getStatus(folder.uri)?.statusText, '$(circle-large-outline) Nix: shell.nix');
    assert.equal(process.env['GREETING'], undefined);
    assert.equal(process.env['UNSET_ME'], 'set by the user', 'unset variables come back');
    assert.ok(!(process.env['PATH'] ?? '').includes(`${folder.uri.fsPath}/bin`));
    assert.equal(api.getEnvironment(folder.uri), undefined);
    const baseline = JSON.parse(await readFile(outputFile('baseline.json'), 'utf8')) as Record<
      string,
      string
    >;
    const after = await terminalEnvironment(folder.uri, 'after-leave');
    assert.equal(after['GREETING'], undefined);
    assert.equal(after['PATH'], baseline['PATH']);
    assert.equal(after['UNSET_ME'], baseline['UNSET_ME']);
  });

  it('the "Enter it?" prompt, answered by entering another way, does nothing when clicked', async function () {
    // Notifications are read and clicked through the page, which only the harness can do.
    if (!harnessListens()) this.skip();
    // The prompt showed on open; the folder was entered with the palette command since.
    const api = await activateExtension();
    const folder = workspaceFolder().uri;
    const calls = nixCalls().length;
    await vscode.commands.executeCommand('notifications.showList');
    const clicked = await askHarness('notification', 'Enter it?|Enter');
    assert.match(clicked ?? '', /has a Nix environment \(shell\.nix\)\. Enter it\?/);
    // The click reaches the extension after the page reports it; nothing may follow within
    // this, so it stays a wait.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    assert.equal(api.getStatus(folder)?.state, 'available', 'the click entered nothing');
    assert.equal(nixCalls().length, calls);
  });
});
