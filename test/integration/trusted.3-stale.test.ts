import assert from 'node:assert/strict';
import { readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import {
  activateExtension,
  askHarness,
  harnessListens,
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

/** The notifications' messages (in test mode they show in the notification center). */
async function notificationMessages(): Promise<string[]> {
  await vscode.commands.executeCommand('notifications.showList');
  return JSON.parse((await askHarness('notification-messages', '')) ?? '[]') as string[];
}

/** Whether an evaluation's progress notification (`Nix: shell.nix`, with Cancel) shows now. */
async function progressShown(): Promise<boolean> {
  return (await notificationMessages()).some((m) => m.startsWith('Nix: shell.nix'));
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
    // Nothing may follow the touch, and nothing says it was seen: this stays a wait.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await api.whenIdle(workspaceFolder().uri);
    assert.equal(nixCalls().length, calls);
    assert.equal(api.getStatus(workspaceFolder().uri)?.state, 'active');
  });

  it('a re-evaluation after an edit shows in the status bar only; a Reload shows its progress', async function () {
    // Notifications are read and clicked through the page, which only the harness can do.
    if (!harnessListens()) this.skip();
    const api = await activateExtension();
    const folder = workspaceFolder().uri;
    await setSetting('autoReload', true);
    // The stand-in stdenv sleeps this long, so the evaluation is seen while it runs.
    const text = await readFile(shellNix(), 'utf8');
    await writeFile(shellNix(), text.replace('slowSetupSeconds ? ""', 'slowSetupSeconds ? "6"'));
    await waitForState(api, folder, 'loading');
    assert.match(api.getStatus(folder)?.statusText ?? '', /^\$\(sync~spin\) Nix: shell\.nix/);
    assert.equal(await progressShown(), false, 'no progress notification for an edit');
    await waitForState(api, folder, 'active');
    void vscode.commands.executeCommand('nixShell.reload');
    await waitForState(api, folder, 'loading');
    await waitFor(progressShown, 'the progress notification of Reload', 5_000);
    await waitForState(api, folder, 'active');
  });

  it('counts builds as nix finishes them, in the status bar item and its tooltip', async () => {
    const api = await activateExtension();
    const folder = workspaceFolder().uri;
    await setSetting('autoReload', false);
    // Three inputs, each built after the one before, new to the store (the time is in them).
    const chain = [1, 2, 3]
      .map(
        (n) =>
          `step${n} = derivation { name = "basic-step-${n}-${Date.now()}"; system = builtins.currentSystem; builder = "/bin/bash"; ${n > 1 ? `previous = step${n - 1}; ` : ''}args = [ "-c" "/bin/sleep 1; echo > $out" ]; };`,
      )
      .join(' ');
    const text = await readFile(shellNix(), 'utf8');
    await writeFile(
      shellNix(),
      text.replace('derivation ({', `let ${chain} in derivation ({\n  steps = step3;`),
    );
    await waitForState(api, folder, 'stale');
    const seen: Array<{ text: string; tooltip: string }> = [];
    const subscription = api.onDidChangeStatus(() => {
      const status = api.getStatus(folder);
      if (status?.state === 'loading')
        seen.push({ text: status.statusText, tooltip: status.tooltip });
    });
    try {
      await vscode.commands.executeCommand('nixShell.reload');
      await waitForState(api, folder, 'active');
    } finally {
      subscription.dispose();
    }
    const texts = seen.map((s) => s.text);
    for (const done of [1, 2, 3]) {
      assert.ok(
        texts.includes(`$(sync~spin) Nix: shell.nix (building ${done}/3)`),
        texts.join(' | '),
      );
    }
    assert.ok(
      seen.some((s) => s.tooltip.includes('building 1/3 derivations, building basic-step-2-')),
      seen.map((s) => s.tooltip).join(' | '),
    );
  });
});
