import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, nixCalls, waitFor, waitForState, workspaceFolder } from './support';

describe('Nix: Collect garbage…', () => {
  it("keeps a live project's environment, drops an idle one and enters it again", async () => {
    const api = await activateExtension();
    const folder = workspaceFolder().uri;
    await waitForState(api, folder, 'active');

    // Used moments ago: within 90 days, nothing goes and nix collects nothing.
    let before = nixCalls().length;
    await vscode.commands.executeCommand('nixShell.collectGarbage', folder, { confirmed: true });
    const kept = nixCalls().slice(before);
    assert.ok(
      kept.some((call) => call.startsWith('nix ') && call.includes(' path-info ')),
      `the environment was not measured: ${kept.join('\n')}`,
    );
    assert.ok(
      kept.every((call) => !call.startsWith('nix-store')),
      `nix-store ran for a live project: ${kept.join('\n')}`,
    );

    // Idle for "0 days": its entry and roots go, then only what it held is collected.
    before = nixCalls().length;
    await vscode.commands.executeCommand('nixShell.collectGarbage', folder, {
      confirmed: true,
      olderThanDays: 0,
    });
    const collected = nixCalls().slice(before);
    assert.ok(
      collected.some((call) => call.startsWith('nix-store --gc --print-dead')),
      collected.join('\n'),
    );

    // Its entry is gone: nothing is left to measure, so a second collection starts no nix.
    before = nixCalls().length;
    await vscode.commands.executeCommand('nixShell.collectGarbage', folder, {
      confirmed: true,
      olderThanDays: 0,
    });
    assert.deepEqual(nixCalls().slice(before), []);

    // Reloading evaluates again, for the suites after this one.
    before = nixCalls().length;
    await vscode.commands.executeCommand('nixShell.reload');
    await waitFor(
      () =>
        nixCalls()
          .slice(before)
          .find((call) => call.startsWith('nix-shell ')),
      'a capture after the collection',
      60_000,
    );
    await waitForState(api, folder, 'active');
  });
});
