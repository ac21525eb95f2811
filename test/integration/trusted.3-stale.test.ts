import assert from 'node:assert/strict';
import { readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import {
  activateExtension,
  nixCalls,
  recordStates,
  setSetting,
  waitFor,
  waitForState,
  workspaceFolder,
} from './support';

const shellNix = () => path.join(workspaceFolder().uri.fsPath, 'shell.nix');

async function editGreeting(greeting: string): Promise<void> {
  const text = await readFile(shellNix(), 'utf8');
  await writeFile(shellNix(), text.replace(/GREETING = ".*";/, `GREETING = "${greeting}";`));
}

describe('keeping the environment current', () => {
  let original = '';
  before(async () => (original = await readFile(shellNix(), 'utf8')));
  after(async () => {
    await setSetting('autoReload', undefined);
    await writeFile(shellNix(), original);
    await waitForState(await activateExtension(), workspaceFolder().uri, 'active');
  });

  it('an edit marks it stale (autoReload off); the old one stays until Reload', async () => {
    const api = await activateExtension();
    const folder = workspaceFolder().uri;
    await setSetting('autoReload', false);
    const calls = nixCalls().length;
    await editGreeting('edited once');
    await waitForState(api, folder, 'stale');
    assert.equal(api.getStatus(folder)?.statusText, '$(history) Nix: shell.nix (stale)');
    assert.equal(process.env['GREETING'], 'hello from shell.nix', 'the last good env stays');
    assert.equal(nixCalls().length, calls, 'no evaluation without autoReload');
    const recorder = recordStates(api, folder);
    await vscode.commands.executeCommand('nixShell.reload');
    await waitForState(api, folder, 'active');
    recorder.dispose();
    assert.deepEqual(recorder.states, ['loading', 'active']);
    assert.equal(process.env['GREETING'], 'edited once');
  });

  it('with autoReload, an edit re-evaluates by itself: stale → loading → active', async () => {
    const api = await activateExtension();
    const folder = workspaceFolder().uri;
    await setSetting('autoReload', true);
    const recorder = recordStates(api, folder);
    await editGreeting('edited twice');
    await waitFor(() => process.env['GREETING'] === 'edited twice', 'the new value');
    await waitForState(api, folder, 'active');
    recorder.dispose();
    assert.deepEqual(recorder.states, ['stale', 'loading', 'active']);
  });

  it('touching a file without changing it evaluates nothing', async () => {
    const api = await activateExtension();
    const calls = nixCalls().length;
    const later = new Date(Date.now() + 10_000);
    await utimes(shellNix(), later, later);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(nixCalls().length, calls);
    assert.equal(api.getStatus(workspaceFolder().uri)?.state, 'active');
  });
});
