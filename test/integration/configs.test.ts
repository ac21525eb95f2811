// NixOS configurations in a real VS Code, on the stand-in configurations of
// test/fixtures/nixos-configs (no nixpkgs here, so no real NixOS): discovery, a check whose
// error lands in the module file, check on save, and the VM run in its own terminal.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ActionOutcome } from '../../src/vscode/configurations';
import { activateExtension, setSetting, waitFor, workspaceFolder } from './support';

function configurations(options: { config: string; action: string }): Thenable<ActionOutcome> {
  return vscode.commands.executeCommand<ActionOutcome>(
    'nixShell.configurations',
    workspaceFolder().uri,
    options,
  );
}

function brokenModule(): vscode.Uri {
  return vscode.Uri.file(path.join(workspaceFolder().uri.fsPath, 'hosts/broken.nix'));
}

describe('NixOS configurations (stand-ins)', function () {
  this.timeout(120_000);

  before(async () => {
    await activateExtension();
  });

  it('finds and checks every kind: NixOS, nix-darwin, home-manager', async () => {
    for (const config of ['laptop', 'mac', 'alice@laptop']) {
      const outcome = await configurations({ config, action: 'check' });
      assert.deepEqual(outcome, { ok: true }, config);
    }
  });

  it('puts an evaluation error where nix points: the module file and line', async () => {
    const outcome = await configurations({ config: 'broken', action: 'check' });
    assert.deepEqual(outcome, { ok: false });
    const [diagnostic] = await waitFor(() => {
      const found = vscode.languages.getDiagnostics(brokenModule());
      return found.length > 0 ? found : undefined;
    }, 'the diagnostic in hosts/broken.nix');
    assert.ok(diagnostic);
    assert.equal(diagnostic.range.start.line, 4);
    assert.equal(diagnostic.range.start.character, 54);
    assert.match(
      diagnostic.message,
      /^nixosConfigurations\.broken: cannot coerce an integer to a string/,
    );
  });

  it('checks again on save, when the setting asks: the fixed module clears the error', async () => {
    await setSetting('configurations.checkOnSave', true);
    const document = await vscode.workspace.openTextDocument(brokenModule());
    const editor = await vscode.window.showTextDocument(document);
    const text = document.getText();
    const at = text.indexOf('+ 42');
    await editor.edit((edit) =>
      edit.replace(
        new vscode.Range(document.positionAt(at), document.positionAt(at + 4)),
        '+ toString 42',
      ),
    );
    await document.save();
    await waitFor(
      () => vscode.languages.getDiagnostics(brokenModule()).length === 0,
      'the diagnostic to go once the module is fixed',
    );
  });

  it('builds the VM and runs it in a terminal named after the configuration', async () => {
    const outcome = await configurations({ config: 'laptop', action: 'vm' });
    assert.deepEqual(outcome, { ok: true, terminal: 'VM: laptop' });
    assert.ok(vscode.window.terminals.some((t) => t.name === 'VM: laptop'));
    // The stand-in's run-laptop-vm writes the system it booted where the disk image goes.
    const image = path.join(workspaceFolder().uri.fsPath, 'laptop.qcow2');
    // Whole once its line ends: the script's `>` creates the file before printf writes it.
    const marker = await waitFor(
      () =>
        readFile(image, 'utf8').then(
          (text) => (text.endsWith('\n') ? text : undefined),
          () => undefined,
        ),
      'the VM to run',
    );
    assert.match(marker, /^\/nix\/store\/[0-9a-z]{32}-nixos-system-laptop-stand-in\n$/);
  });

  it('says there is no running system to compare with off NixOS', async function () {
    const outcome = await configurations({ config: 'laptop', action: 'compare' });
    if (outcome.comparison?.kind === 'compared') this.skip(); // On NixOS itself.
    assert.equal(outcome.ok, false);
    assert.equal(outcome.comparison?.kind, 'nothing-running');
  });
});
