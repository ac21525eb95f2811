import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import { recorded, scratchDir, waitForServer } from './language.fixture';
import { setSetting } from './support';

async function openScratch(name: string, text: string): Promise<vscode.TextDocument> {
  const file = path.join(scratchDir(), name);
  await writeFile(file, text);
  const document = await vscode.workspace.openTextDocument(file);
  await vscode.window.showTextDocument(document);
  return document;
}

/** Formats as "Format Document" does, and applies the edits. */
async function format(document: vscode.TextDocument): Promise<string> {
  const edits = await vscode.commands.executeCommand<vscode.TextEdit[] | undefined>(
    'vscode.executeFormatDocumentProvider',
    document.uri,
    { tabSize: 2, insertSpaces: true },
  );
  if (!edits || edits.length === 0) return document.getText();
  const edit = new vscode.WorkspaceEdit();
  edit.set(document.uri, edits);
  assert.ok(await vscode.workspace.applyEdit(edit));
  await document.save();
  return document.getText();
}

describe('formatting .nix files', () => {
  before(async () => {
    await mkdir(scratchDir(), { recursive: true });
    // The server runs: a formatter it registered would show in these tests.
    await waitForServer('one');
  });

  after(async () => {
    await setSetting('formatter', undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await rm(scratchDir(), { recursive: true, force: true });
  });

  it('runs nixShell.formatter from the project environment, over stdin', async () => {
    const document = await openScratch('messy.nix', 'let\n  a = 1;   \n  b = 2;\t\nin a + b\n');
    assert.equal(await format(document), 'let\n  a = 1;\n  b = 2;\nin a + b\n');
  });

  it('makes no edit when the formatter changes nothing', async () => {
    const document = await openScratch('clean.nix', 'let\n  a = 1;\nin a\n');
    const edits = await vscode.commands.executeCommand<vscode.TextEdit[] | undefined>(
      'vscode.executeFormatDocumentProvider',
      document.uri,
      { tabSize: 2, insertSpaces: true },
    );
    assert.deepEqual(edits ?? [], []);
  });

  it('makes no edit when the formatter fails, and the server is not asked instead', async () => {
    const text = 'let a = 1;   \nin a # FORMATTER_FAILS\n';
    const document = await openScratch('failing.nix', text);
    assert.equal(await format(document), text);
    assert.deepEqual(await recorded('formatting'), [], 'the client registered no formatter');
  });

  it('with nixShell.formatter "none", the language server formats', async () => {
    await setSetting('formatter', 'none');
    const document = await openScratch('by-server.nix', '{ }\n');
    assert.equal(await format(document), '# formatted by the fixture server\n{ }\n');
    assert.equal((await recorded('formatting')).length, 1);
  });
});
