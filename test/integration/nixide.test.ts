// Next to Nix IDE: with a stand-in extension installed under its id (test/integration/extensions/
// nix-ide, which starts `nixd` from the extension host's PATH as Nix IDE does), Nix Shell on
// `nixShell.languageSupport: auto` starts no language server of its own, so exactly one runs;
// and Nix IDE's gets the project environment through the extension host's.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import * as vscode from 'vscode';
import {
  installFakeNixd,
  readRecord,
  recordFile,
  shellNix,
  sleep,
  type RecordedEvent,
} from './language.fixture';
import { activateExtension, setSetting, waitFor, waitForState, workspaceFolder } from './support';

const nixIde = 'jnoortheen.nix-ide';

/** Whose server a start record is: the stand-in's says so in its environment. */
const isNixIde = (event: RecordedEvent): boolean =>
  event.env?.['NIXD_FIXTURE_CLIENT'] === 'nix-ide';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The fake nixd processes running now, by their start records. */
async function runningServers(): Promise<RecordedEvent[]> {
  const starts = (await readRecord()).filter((e) => e.event === 'start');
  return starts.filter((e) => isRunning(e.pid));
}

describe('next to Nix IDE (a stand-in with its id)', () => {
  before(async () => {
    await rm(recordFile(), { force: true });
    await installFakeNixd();
  });

  after(() => setSetting('languageSupport', undefined));

  it('is installed beside Nix IDE, and nixShell.languageSupport is auto', () => {
    assert.ok(vscode.extensions.getExtension(nixIde), `${nixIde} is installed`);
    const mode = vscode.workspace.getConfiguration('nixShell').get<string>('languageSupport');
    assert.equal(mode, 'auto');
  });

  it('in auto, only Nix IDE’s language server runs, inside the project environment', async () => {
    const api = await activateExtension();
    await vscode.commands.executeCommand('nixShell.enter');
    await waitForState(api, workspaceFolder().uri, 'active');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(shellNix()));
    const theirs = await waitFor(
      async () => (await runningServers()).find(isNixIde),
      'the stand-in’s nixd',
    );
    assert.equal(theirs.env?.['LSP_FIXTURE_GENERATION'], 'one', 'the project environment');
    assert.equal(vscode.extensions.getExtension(nixIde)?.isActive, true);
    // Ours would have started by now: the control below starts it in well under this.
    await sleep(3000);
    const servers = await runningServers();
    assert.deepEqual(
      servers.map((e) => (isNixIde(e) ? 'nix-ide' : 'nix shell')),
      ['nix-ide'],
    );
  });

  it('on "on", Nix Shell starts its own too (the control)', async () => {
    await setSetting('languageSupport', 'on');
    const ours = await waitFor(
      async () => (await runningServers()).find((e) => !isNixIde(e)),
      'Nix Shell’s nixd',
    );
    assert.equal(ours.env?.['LSP_FIXTURE_GENERATION'], 'one');
    assert.equal((await runningServers()).length, 2);
  });

  it('Nix: Restart language server starts Nix Shell’s anew, and leaves Nix IDE’s', async () => {
    const before = await runningServers();
    const ours = before.find((e) => !isNixIde(e));
    const theirs = before.find(isNixIde);
    assert.ok(ours && theirs);
    await vscode.commands.executeCommand('nixShell.restartLanguageServer');
    await waitFor(
      async () => (await runningServers()).find((e) => !isNixIde(e) && e.pid !== ours.pid),
      'a new nixd of Nix Shell',
    );
    await waitFor(() => !isRunning(ours.pid), 'the old one gone');
    assert.ok(isRunning(theirs.pid), 'Nix IDE’s server untouched');
  });

  it('back on auto, Nix Shell’s server stops and Nix IDE’s keeps running', async () => {
    await setSetting('languageSupport', undefined);
    const servers = await waitFor(async () => {
      const running = await runningServers();
      return running.length === 1 ? running : undefined;
    }, 'one server');
    assert.ok(
      servers.every(isNixIde),
      JSON.stringify(servers.map((e) => e.env?.['NIXD_FIXTURE_CLIENT'])),
    );
  });
});
