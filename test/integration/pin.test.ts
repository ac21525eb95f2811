import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import { createFixtureNixpkgs, type FixtureNixpkgs } from '../support/fixtureNixpkgs';
import { startPinServer, type PinServer } from '../support/pinServer';
import {
  activateExtension,
  askHarness,
  harnessListens,
  screenshot,
  setSetting,
  waitFor,
  waitForState,
  workspaceFolder,
} from './support';

describe('pinning nixpkgs', () => {
  let fixture: FixtureNixpkgs;
  let server: PinServer;

  before(async () => {
    fixture = await createFixtureNixpkgs();
    server = await startPinServer(fixture);
    // Where GitHub would be: the fixture's server on 127.0.0.1.
    await setSetting('pin.githubUrl', server.url);
  });

  after(async () => {
    await server.close();
  });

  const pinText = () =>
    activateExtension().then((api) => api.getStatus(workspaceFolder().uri)?.pin);

  it('says the environment uses the channel, unpinned', async () => {
    const api = await activateExtension();
    const folder = workspaceFolder().uri;
    await vscode.commands.executeCommand('nixShell.enter');
    await waitForState(api, folder, 'active');
    assert.equal(process.env['MARKER'], 'channel');
    const pin = await waitFor(() => pinText(), 'the pin item');
    assert.equal(pin.text, '$(pin) nixpkgs: unpinned (channel)');
  });

  it('pins a branch: the status bar shows release and revision, the tooltip the rest', async () => {
    const folder = workspaceFolder();
    const rev = await fixture.rev('nixos-24.05');
    await vscode.commands.executeCommand('nixShell.pin', folder.uri, {
      type: 'github',
      owner: 'NixOS',
      repo: 'nixpkgs',
      ref: 'nixos-24.05',
    });
    const lockFile = path.join(folder.uri.fsPath, 'nixpkgs.lock.json');
    const lock = JSON.parse(await readFile(lockFile, 'utf8')) as { locked: { rev: string } };
    assert.equal(lock.locked.rev, rev);
    const pin = await waitFor(
      async () => ((await pinText())?.text.includes(rev.slice(0, 7)) ? pinText() : undefined),
      'the pinned status',
    );
    assert.equal(pin.text, `$(pin) nixpkgs 24.05 · ${rev.slice(0, 7)}`);
    const tooltip = pin.tooltip;
    assert.match(tooltip, new RegExp(`^revision: ${rev}$`, 'm'));
    assert.match(tooltip, /^date: 2024-06-15 \(\d+ days ago\)$/m);
    assert.match(tooltip, /^follows: github:NixOS\/nixpkgs\/nixos-24\.05$/m);
    assert.match(tooltip, new RegExp(`^source: ${lockFile.replace(/[.]/g, '\\.')}$`, 'm'));
    // The fixture commit is from 2024: older than the default 90 days, so it warns.
    assert.equal(pin.stale, true);
    assert.match(tooltip, /more than nixShell\.pin\.staleAfterDays \(90\)/);
  });

  it('re-evaluates the environment against the pin, with no edit to shell.nix', async () => {
    const api = await activateExtension();
    const folder = workspaceFolder().uri;
    await waitFor(() => process.env['MARKER'] === 'fixture-24.05', 'the pinned environment');
    await waitForState(api, folder, 'active');
    assert.match(
      process.env['NIX_PATH'] ?? '',
      /^nixpkgs=\/nix\/store\/[0-9a-z]{32}-source:nixpkgs=/,
    );
    await screenshot('pin-workbench.png');
    await screenshot('pin-statusbar.png', 'statusbar');
  });

  it('turns the warning off when the pin is younger than nixShell.pin.staleAfterDays', async () => {
    await setSetting('pin.staleAfterDays', 100_000);
    const pin = await waitFor(
      async () => ((await pinText())?.stale === false ? pinText() : undefined),
      'no warning',
    );
    assert.equal(pin.stale, false);
    await setSetting('pin.staleAfterDays', undefined);
  });

  it("the Explorer's menu on nixpkgs.lock.json offers Update, Show and Verify, and only there", () => {
    const manifest = vscode.extensions.getExtension('nixshell.nixshell')?.packageJSON as {
      contributes: { menus: Record<string, { command: string; when: string }[]> };
    };
    const onLock = (manifest.contributes.menus['explorer/context'] ?? []).filter(
      (item) => item.when === 'resourceFilename == nixpkgs.lock.json',
    );
    assert.deepEqual(onLock.map((item) => item.command).sort(), [
      'nixShell.pinShow',
      'nixShell.pinUpdate',
      'nixShell.pinVerify',
    ]);
  });

  it('updates the pin when its branch moves, and the environment follows', async () => {
    const folder = workspaceFolder();
    const rev = await fixture.advance('nixos-24.05', {
      version: '24.05',
      marker: 'fixture-24.05-later',
      date: '2024-07-01T00:00:00Z',
    });
    // On the lock file, as from the Explorer's menu: the file's folder is the one updated.
    const lock = vscode.Uri.joinPath(folder.uri, 'nixpkgs.lock.json');
    await vscode.commands.executeCommand('nixShell.pinUpdate', lock, { confirmed: true });
    const pin = await waitFor(
      async () => ((await pinText())?.text.includes(rev.slice(0, 7)) ? pinText() : undefined),
      'the updated pin',
    );
    assert.equal(pin.text, `$(pin) nixpkgs 24.05 · ${rev.slice(0, 7)}`);
    await waitFor(() => process.env['MARKER'] === 'fixture-24.05-later', 'the updated environment');
  });

  it('an invalid lock fails the Reload with Open File, which opens the lock', async function () {
    // Notifications are read and clicked through the page, which only the harness can do.
    if (!harnessListens()) this.skip();
    const api = await activateExtension();
    const folder = workspaceFolder().uri;
    const lock = path.join(folder.fsPath, 'nixpkgs.lock.json');
    const good = await readFile(lock, 'utf8');
    try {
      await writeFile(lock, good.slice(0, good.length / 2));
      void vscode.commands.executeCommand('nixShell.reload');
      await waitForState(api, folder, 'failed');
      await vscode.commands.executeCommand('notifications.showList');
      const message = await askHarness('notification', 'nixpkgs.lock.json|Open File');
      assert.match(message ?? '', /nixpkgs\.lock\.json: not valid JSON/);
      await waitFor(
        () => vscode.window.activeTextEditor?.document.uri.fsPath === lock,
        'the lock in the editor',
      );
    } finally {
      await writeFile(lock, good);
    }
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await vscode.commands.executeCommand('nixShell.reload');
    await waitForState(api, folder, 'active');
  });
});
