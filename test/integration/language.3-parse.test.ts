import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import {
  folderPath,
  parseDiagnostics,
  recorded,
  scratchDir,
  sleep,
  waitForRecorded,
  waitForServer,
} from './language.fixture';
import { setSetting, waitFor } from './support';

async function open(name: string, text: string): Promise<vscode.TextDocument> {
  const file = path.join(scratchDir(), name);
  await writeFile(file, text);
  const document = await vscode.workspace.openTextDocument(file);
  await vscode.window.showTextDocument(document);
  return document;
}

function waitForParseDiagnostics(uri: vscode.Uri): Promise<vscode.Diagnostic[]> {
  return waitFor(() => {
    const found = parseDiagnostics(uri);
    return found.length > 0 ? found : undefined;
  }, `nix-instantiate diagnostics for ${uri.fsPath}`);
}

describe('syntax errors from nix-instantiate --parse, without a language server', () => {
  // Line 3 (0-based 2), column 7 (0-based 6): the `;` nix did not expect.
  const broken = 'let\n  a = 1;\n  b = ;\nin a\n';
  let document: vscode.TextDocument;

  before(async () => {
    await mkdir(scratchDir(), { recursive: true });
    await waitForServer('one');
  });

  after(async () => {
    await setSetting('languageServer', undefined);
    await setSetting('languageServerSettings', undefined);
    await setSetting('pin.githubUrl', undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // What the suite made in the folder (it runs in place on desktop VS Code).
    for (const made of [scratchDir(), 'nixpkgs.lock.json', 'nixpkgs.nix']) {
      await rm(path.resolve(folderPath(), made), { recursive: true, force: true });
    }
  });

  it('leaves .nix files alone while a language server serves them', async () => {
    document = await open('broken.nix', broken);
    // No diagnostic of ours may come within this: it stays a wait.
    await sleep(2000);
    assert.deepEqual(parseDiagnostics(document.uri), []);
  });

  it('reports the error at the line and column nix names once the server is off', async () => {
    const shutdowns = (await recorded('shutdown')).length;
    await setSetting('languageServer', 'off');
    await waitForRecorded('shutdown', shutdowns + 1);
    const [diagnostic, ...rest] = await waitForParseDiagnostics(document.uri);
    assert.deepEqual(rest, []);
    assert.equal(diagnostic?.range.start.line, 2);
    assert.equal(diagnostic.range.start.character, 6);
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Error);
    assert.match(diagnostic.message, /syntax error, unexpected ';'/);
  });

  it('checks a file when it opens, and marks the name nix points at', async () => {
    const undefinedName = await open('undefined.nix', 'let\n  a = 1;\nin\n  a + missing\n');
    const [diagnostic] = await waitForParseDiagnostics(undefinedName.uri);
    assert.match(diagnostic?.message ?? '', /undefined variable 'missing'/);
    assert.deepEqual(
      [diagnostic?.range.start.line, diagnostic?.range.start.character],
      [3, 6],
      'line 4, column 7',
    );
    assert.equal(diagnostic?.range.end.character, 13, 'the whole name');
  });

  it('clears the error when the file is fixed and saved', async () => {
    const editor = await vscode.window.showTextDocument(document);
    const semicolon = new vscode.Range(2, 6, 2, 6);
    assert.ok(await editor.edit((edit) => edit.insert(semicolon.start, '2')));
    assert.ok(await document.save());
    await waitFor(() => parseDiagnostics(document.uri).length === 0, 'the error to clear');
  });

  it('reports it again when a save breaks the file', async () => {
    const editor = await vscode.window.showTextDocument(document);
    assert.ok(await editor.edit((edit) => edit.insert(new vscode.Position(0, 0), '{ ')));
    assert.ok(await document.save());
    const [diagnostic] = await waitForParseDiagnostics(document.uri);
    assert.match(diagnostic?.message ?? '', /syntax error/);
  });
});
