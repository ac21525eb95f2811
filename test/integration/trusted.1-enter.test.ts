import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import {
  activateExtension,
  nixCalls,
  outputFile,
  recordStates,
  terminalEnvironment,
  waitForState,
  workspaceFolder,
} from './support';

describe('entering the environment', () => {
  it('activates in the folder without running nix', async () => {
    const api = await activateExtension();
    // Found and not entered: the status bar offers it, and a click on it enters.
    const status = api.getStatus(workspaceFolder().uri);
    assert.ok(status, 'the folder has a status');
    assert.equal(status.state, 'available');
    assert.equal(status.statusText, '$(circle-large-outline) Nix: shell.nix');
    assert.match(status.tooltip, /not entered\. Click to enter/);
    assert.deepEqual(nixCalls(), [], 'nothing is evaluated before the user says so');
    assert.equal(process.env['GREETING'], undefined);
    // What a terminal looks like before, to compare with one opened inside the environment.
    const baseline = await terminalEnvironment(workspaceFolder().uri, 'baseline');
    await writeFile(outputFile('baseline.json'), JSON.stringify(baseline));
  });

  it('enters on "Nix: Enter Nix shell": loading, then active, with the count in the status bar', async () => {
    const api = await activateExtension();
    const folder = workspaceFolder().uri;
    const recorder = recordStates(api, folder);
    await vscode.commands.executeCommand('nixShell.enter');
    await waitForState(api, folder, 'active');
    recorder.dispose();
    assert.deepEqual(recorder.states, ['loading', 'active']);
    const count = api.getMutations(folder)?.length ?? 0;
    assert.ok(count > 5, `${count} variables`);
    assert.equal(api.getStatus(folder)?.statusText, `$(package) Nix: shell.nix (${count})`);
    assert.equal(nixCalls().filter((call) => call.startsWith('nix ')).length > 0, true);
  });

  it('hands the environment to the extension host, for processes other extensions start', () => {
    const folder = workspaceFolder().uri.fsPath;
    assert.equal(process.env['GREETING'], 'hello from shell.nix');
    assert.equal(process.env['MULTILINE'], 'line one\nline "two" $HOME `x` é✓ a=b');
    assert.equal(process.env['IN_SHELL'], 'yes', 'evaluated with inNixShell = true');
    assert.equal(process.env['HOOK_RAN'], '1', 'the shellHook ran');
    assert.equal(process.env['UNSET_ME'], undefined, 'the shellHook unset it');
    assert.equal(process.env['out'], `${folder}/outputs/out`);
    const path = (process.env['PATH'] ?? '').split(':');
    assert.deepEqual(path.slice(0, 2), [`${folder}/bin`, '/opt/basic-toolchain/bin']);
    for (const entry of [`${folder}/bin`, '/opt/basic-toolchain/bin']) {
      assert.equal(path.filter((e) => e === entry).length, 1, `${entry} once on PATH`);
    }
    assert.notEqual(process.env['HOME'], '/homeless-shelter');
  });
});
