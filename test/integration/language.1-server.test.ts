import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import { pinnedStorePath, type NixpkgsLock } from '../../src/core/pin';
import { createFixtureNixpkgs } from '../support/fixtureNixpkgs';
import { startPinServer, type PinServer } from '../support/pinServer';
import {
  folderPath,
  installFakeNixd,
  recordFile,
  recorded,
  setGeneration,
  shellNix,
  sleep,
  waitForRecorded,
  waitForServer,
} from './language.fixture';
import {
  activateExtension,
  recordStates,
  setSetting,
  waitFor,
  waitForState,
  workspaceFolder,
} from './support';

const userSettings = {
  nixd: { diagnostic: { suppress: ['sema-unused-def'] } },
  nil: { formatting: { command: ['nixfmt'] } },
};

describe('the language server, inside the project environment', () => {
  let originalShellNix = '';
  let wrapper = '';
  let pinServer: PinServer;

  before(async () => {
    await activateExtension();
    originalShellNix = await readFile(shellNix(), 'utf8');
    await rm(recordFile(), { force: true });
    wrapper = await installFakeNixd();
    await setSetting('languageServerSettings', userSettings);
    // A real pin (nixpkgs.lock.json), from the fixture nixpkgs served where GitHub would be.
    pinServer = await startPinServer(await createFixtureNixpkgs());
    await setSetting('pin.githubUrl', pinServer.url);
    await vscode.commands.executeCommand('nixShell.pin', workspaceFolder().uri, {
      type: 'github',
      owner: 'NixOS',
      repo: 'nixpkgs',
      ref: 'nixos-24.05',
    });
  });

  after(async () => {
    await pinServer.close();
    // Later files (and a desktop run in place) start from the fixture as committed.
    await writeFile(shellNix(), originalShellNix);
    const api = await activateExtension();
    await waitFor(
      () => api.getEnvironment(workspaceFolder().uri)?.['LSP_FIXTURE_GENERATION'] === 'one',
      'the restored environment',
    );
  });

  it('starts nothing before the environment is entered: nixd is on no PATH the editor has', async () => {
    const editorPath = (process.env['PATH'] ?? '').split(':').filter((dir) => dir !== '');
    assert.ok(editorPath.length > 0);
    for (const dir of editorPath) {
      assert.equal(existsSync(path.join(dir, 'nixd')), false, `${dir}/nixd`);
      assert.equal(existsSync(path.join(dir, 'nil')), false, `${dir}/nil`);
    }
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(shellNix()));
    // No server may start within this: it stays a wait.
    await sleep(1500);
    assert.equal(existsSync(recordFile()), false, 'no server was started');
  });

  it('starts nixd found through the project environment, with exactly that environment', async () => {
    const api = await activateExtension();
    const folder = workspaceFolder().uri;
    await vscode.commands.executeCommand('nixShell.enter');
    await waitForState(api, folder, 'active');
    const [start] = await waitForRecorded('start', 1);
    const env = start?.env ?? {};
    assert.equal(env['NIXD_FIXTURE_WRAPPER'], wrapper, 'the nixd in the project bin/');
    assert.equal(start?.cwd, folderPath());
    const expected = api.getEnvironment(folder) ?? {};
    const mutations = api.getMutations(folder) ?? [];
    assert.ok(mutations.length > 3, `${mutations.length} mutations`);
    for (const mutation of mutations) {
      assert.equal(env[mutation.name], expected[mutation.name], mutation.name);
    }
    assert.equal(env['LSP_FIXTURE_GENERATION'], 'one');
    assert.equal(env['UNSET_ME'], undefined, 'unset by the shellHook');
    // Not the extension host's process.env (it has the editor's own variables): the folder's.
    const hostOwn = Object.keys(process.env).filter((name) => name.startsWith('VSCODE_'));
    assert.ok(hostOwn.length > 0, 'the extension host has VSCODE_ variables');
    assert.deepEqual(
      Object.keys(env).filter((name) => name.startsWith('VSCODE_')),
      [],
      'none reach the server',
    );
  });

  it('serves the folder: its workspace folder, and its open .nix file', async () => {
    const [initialize] = await waitForRecorded('initialize', 1);
    assert.deepEqual(
      initialize?.workspaceFolders?.map((f) => f.uri),
      [workspaceFolder().uri.toString()],
    );
    const opened = await waitForRecorded('didOpen', 1);
    assert.ok(
      opened.some((e) => e.uri === vscode.Uri.file(shellNix()).toString()),
      JSON.stringify(opened),
    );
  });

  it('answers workspace/configuration for nixd: the settings, plus the pinned nixpkgs', async () => {
    const lock = JSON.parse(
      await readFile(path.join(folderPath(), 'nixpkgs.lock.json'), 'utf8'),
    ) as { locked: { url: string; narHash: string } };
    assert.match(lock.locked.url, /^http:\/\/127\.0\.0\.1:\d+\/NixOS\/nixpkgs\/archive\//);
    // The tree the environment was evaluated with, first on its NIX_PATH.
    const pinned = `import ${pinnedStorePath(lock as NixpkgsLock)} { }`;
    const [configuration] = await waitForRecorded('configuration', 1);
    assert.deepEqual(configuration?.items, [{ section: 'nixd' }]);
    assert.deepEqual(configuration.answer, [{ ...userSettings.nixd, nixpkgs: { expr: pinned } }]);
  });

  it('passes changed settings on without a restart; the user’s nixpkgs.expr wins', async () => {
    const nixd = { nixpkgs: { expr: 'import <nixpkgs> { }' } };
    await setSetting('languageServerSettings', { nixd });
    const configurations = await waitForRecorded('configuration', 2);
    assert.equal(configurations[1]?.pid, configurations[0]?.pid, 'the same server');
    assert.deepEqual(configurations[1]?.answer, [nixd]);
    assert.equal((await recorded('didChangeConfiguration')).length, 1);
    assert.equal((await recorded('start')).length, 1);
  });

  it('a reload that yields the same environment restarts nothing', async () => {
    const api = await activateExtension();
    const folder = workspaceFolder().uri;
    const recorder = recordStates(api, folder);
    await vscode.commands.executeCommand('nixShell.reload');
    await waitForState(api, folder, 'active');
    recorder.dispose();
    assert.deepEqual(recorder.states, ['loading', 'active'], 'it did re-evaluate');
    // No restart may follow within this: it stays a wait.
    await sleep(2000);
    assert.equal((await recorded('start')).length, 1);
  });

  it('restarts the server exactly once when the environment really changes', async () => {
    const api = await activateExtension();
    const folder = workspaceFolder().uri;
    await setGeneration('two');
    await waitFor(
      () => api.getEnvironment(folder)?.['LSP_FIXTURE_GENERATION'] === 'two',
      'the re-captured environment',
    );
    const second = await waitForServer('two');
    // Whatever else the change would set off has happened by now.
    await sleep(3000);
    const starts = await recorded('start');
    assert.equal(starts.length, 2, starts.map((s) => s.env?.['LSP_FIXTURE_GENERATION']).join());
    assert.equal(second.env?.['NIXD_FIXTURE_WRAPPER'], wrapper);
    const first = starts[0]?.pid;
    assert.ok(
      (await recorded('shutdown')).some((e) => e.pid === first),
      'the first server was shut down',
    );
  });
});
