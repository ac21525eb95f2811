import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, nixCalls, waitFor, waitForState, workspaceFolder } from './support';

describe('a broken shell.nix', () => {
  let original = '';
  const shellNix = () => path.join(workspaceFolder().uri.fsPath, 'shell.nix');

  before(async () => (original = await readFile(shellNix(), 'utf8')));

  it('fails with a diagnostic at the line nix names, and keeps the last good environment', async () => {
    const api = await activateExtension();
    const folder = workspaceFolder().uri;
    const good = process.env['GREETING'];
    const lines = original.split('\n');
    const line = lines.findIndex((l) => l.includes('GREETING ='));
    lines[line] = '  GREETING = ;';
    await writeFile(shellNix(), lines.join('\n'));
    await waitForState(api, folder, 'failed');
    assert.equal(api.getStatus(folder)?.statusText, '$(error) Nix: shell.nix');
    const diagnostics = await waitFor(() => {
      const found = vscode.languages.getDiagnostics(vscode.Uri.file(shellNix()));
      return found.length > 0 ? found : undefined;
    }, 'a diagnostic');
    const [diagnostic, ...others] = diagnostics;
    assert.deepEqual(others, []);
    assert.equal(diagnostic?.range.start.line, line);
    assert.equal(diagnostic.source, 'nix');
    assert.match(diagnostic.message, /syntax error/);
    assert.equal(process.env['GREETING'], good, 'the last good environment stays in force');
    assert.equal(api.getEnvironment(folder)?.['GREETING'], good);
  });

  it('does not retry while the file stays broken', async () => {
    const calls = nixCalls().length;
    // Time itself: nothing may happen within it, so this stays a wait.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    assert.equal(nixCalls().length, calls);
  });

  it('recovers when the file is fixed, and the diagnostic goes away', async () => {
    const api = await activateExtension();
    await writeFile(shellNix(), original);
    await waitForState(api, workspaceFolder().uri, 'active');
    assert.deepEqual(vscode.languages.getDiagnostics(vscode.Uri.file(shellNix())), []);
  });
});
