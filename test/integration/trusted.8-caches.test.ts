import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import {
  activateExtension,
  nixCalls,
  setSetting,
  waitFor,
  waitForState,
  workspaceFolder,
} from './support';

describe('team binary caches', () => {
  let cache = '';
  before(async () => {
    cache = await mkdtemp(path.join(os.tmpdir(), 'nixshell-team-cache-'));
  });
  after(async () => {
    await setSetting('binaryCaches', undefined);
    await rm(cache, { recursive: true, force: true });
  });

  it('adds nixShell.binaryCaches to the evaluation as nix settings', async () => {
    const api = await activateExtension();
    const folder = workspaceFolder().uri;
    const publicKey = `team-1:${Buffer.alloc(32, 7).toString('base64')}`;
    // The changed setting enters again (from the cache: caches do not change the environment);
    // a reload then evaluates with it. Entering again shows as a status, active as before.
    const reentered = new Promise<void>((resolve) => {
      const subscription = api.onDidChangeStatus((uri) => {
        if (uri.toString() !== folder.toString()) return;
        subscription.dispose();
        resolve();
      });
    });
    await setSetting('binaryCaches', [{ url: `file://${cache}`, publicKey }]);
    await reentered;
    // The editor may report the change more than once, each entering again and so cancelling
    // a reload under way; nothing tells when the last report has come: this stays a wait.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await waitForState(api, folder, 'active');
    await api.whenIdle(folder);
    const before = nixCalls().length;
    await vscode.commands.executeCommand('nixShell.reload');
    const capture = await waitFor(
      () =>
        nixCalls()
          .slice(before)
          .find((call) => call.startsWith('nix-shell ')),
      'a capture after the reload',
    );
    assert.ok(
      capture.includes(
        `--option extra-substituters file://${cache} --option extra-trusted-public-keys ${publicKey}`,
      ),
      capture,
    );
  });

  it('pushes what entering needs to a file:// cache', async () => {
    await vscode.commands.executeCommand('nixShell.pushToCache', workspaceFolder().uri, {
      to: `file://${cache}`,
    });
    const narinfos = await waitFor(
      async () => {
        const names = await readdir(cache).catch(() => []);
        return names.some((n) => n.endsWith('.narinfo')) && existsSync(path.join(cache, 'nar'))
          ? names.filter((n) => n.endsWith('.narinfo'))
          : undefined;
      },
      'narinfo files in the cache',
      60_000,
    );
    // The shell's stdenv source is what entering needs from the store.
    const infos = await Promise.all(narinfos.map((n) => readFile(path.join(cache, n), 'utf8')));
    assert.ok(
      infos.some((info) => /^StorePath: \/nix\/store\/[0-9a-z]{32}-stdenv$/m.test(info)),
      infos.join('\n---\n'),
    );
  });
});
