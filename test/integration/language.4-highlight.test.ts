import assert from 'node:assert/strict';
import path from 'node:path';
import * as vscode from 'vscode';
import { askHarness, screenshot, waitFor, workspaceFolder } from './support';

interface RenderedToken {
  readonly text: string;
  readonly classes: string;
}

/**
 * Highlighting as the workbench renders it: each token's colour class (`mtkN`) on screen. The
 * scopes themselves are asserted token by token in test/grammar; this proves VS Code loads the
 * grammar from the package and tokenizes .nix files with it.
 */
describe('highlighting .nix files in the editor', () => {
  let lines: RenderedToken[][] = [];

  before(async function () {
    const file = vscode.Uri.file(path.join(workspaceFolder().uri.fsPath, 'highlight.nix'));
    const document = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(document);
    assert.equal(document.languageId, 'nix');
    const answer = await askHarness('editor-tokens', '');
    if (answer === undefined) this.skip(); // Desktop VS Code: no page to look at.
    lines = await waitFor(async () => {
      const rendered = JSON.parse(
        (await askHarness('editor-tokens', '')) ?? '[]',
      ) as RenderedToken[][];
      return rendered.some((line) => line.length > 1) ? rendered : undefined;
    }, 'the editor to render');
  });

  const colour = (text: string): string => {
    const token = lines.flat().find((t) => t.text.trim() === text);
    assert.ok(token, `a token ${JSON.stringify(text)} on screen`);
    return /mtk\d+/.exec(token.classes)?.[0] ?? '';
  };

  it('colours keywords, strings, paths and URIs apart from names', () => {
    const plain = colour('name');
    for (const text of [
      'let',
      '"world"',
      '<nixpkgs>',
      './src',
      'https://example.org/source.tar.gz',
    ]) {
      assert.notEqual(colour(text), plain, `${text} is highlighted`);
    }
    assert.equal(colour('let'), colour('in'), 'keywords share a colour');
  });

  after(() => screenshot('nix-highlighting.png'));
});
