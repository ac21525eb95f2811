// A flake whose nixConfig names a binary cache: the editor enters without it, asks once beside
// entering, and once the user accepts, evaluates with nix's accept-flake-config.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import * as vscode from 'vscode';
import {
  activateExtension,
  askHarness,
  nixCalls,
  waitFor,
  waitForState,
  workspaceFolder,
} from './support';

const question = 'asks to use the binary caches';
const accepted = '--option accept-flake-config true';

describe("a flake's nixConfig", () => {
  // Nix creates the flake's file:// cache once it is used.
  after(() => rm('/tmp/nixshell-flake-config-cache', { recursive: true, force: true }));

  it('is offered beside entering, and used once accepted', async () => {
    const api = await activateExtension();
    const folder = workspaceFolder().uri;
    await vscode.commands.executeCommand('nixShell.enter');
    await waitForState(api, folder, 'active');
    assert.equal(process.env['FLAKE_CONFIG_SHELL'], 'yes');
    assert.ok(
      nixCalls().every((call) => !call.includes(accepted)),
      'evaluated with the flake config before it was accepted',
    );
    await vscode.commands.executeCommand('notifications.showList');
    const message = await askHarness('notification', `${question}|Use them`);
    assert.match(message ?? '', /file:\/\/\/tmp\/nixshell-flake-config-cache/);
    await waitFor(
      () => nixCalls().find((call) => call.includes('print-dev-env') && call.includes(accepted)),
      'an evaluation with the flake config accepted',
    );
    await waitForState(api, folder, 'active');
  });

  it('forgets the answer: entered again without the nixConfig, and asked again', async () => {
    const api = await activateExtension();
    const folder = workspaceFolder().uri;
    const before = nixCalls().length;
    // The command waits for its message to be answered: clicked below.
    const forgetting = vscode.commands.executeCommand('nixShell.forgetFlakeConfig');
    await waitFor(
      () =>
        nixCalls()
          .slice(before)
          .find((call) => call.includes('print-dev-env') && !call.includes(accepted)),
      'an evaluation without the flake config',
    );
    await askHarness('notification', `${question}|Not now`);
    const said = await askHarness('notification', 'forgot "Use them"|Show Log');
    assert.match(said ?? '', /entered again without it, and asks again/);
    // Not waited for: a notification that showed meanwhile may have moved the list under the
    // click, leaving this message unanswered; what it says is what is tested.
    void forgetting;
    await waitForState(api, folder, 'active');
    assert.ok(
      nixCalls()
        .slice(before)
        .every((call) => !call.includes(accepted)),
      'evaluated with the flake config after it was forgotten',
    );
    // "Not now" is not remembered: there is nothing left to forget.
    const again = vscode.commands.executeCommand('nixShell.forgetFlakeConfig');
    const nothing = await askHarness('notification', 'no answer about the nixConfig|Show Log');
    assert.match(nothing ?? '', /is remembered; entering asks when it names binary caches/);
    await again;
  });
});
