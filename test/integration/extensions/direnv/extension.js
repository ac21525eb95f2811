// The direnv extension's way of applying an environment, without direnv: the values come from
// `.direnv-standin.json` in the first workspace folder (`$FOLDER` stands for its path; a
// value `+PATH` is prepended to the variable's current value). It records DIRENV_DIFF as
// direnv does (gzenv: JSON, zlib, base64 with the URL alphabet).
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- loaded as it is, unbundled, by the extension host */
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const vscode = require('vscode');

function activate(context) {
  const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  if (!folder) return;
  const file = path.join(folder.uri.fsPath, '.direnv-standin.json');
  if (!fs.existsSync(file)) return;
  const wanted = JSON.parse(fs.readFileSync(file, 'utf8'));
  const previous = {};
  const next = {};
  for (const [name, raw] of Object.entries(wanted)) {
    let value = raw.split('$FOLDER').join(folder.uri.fsPath);
    if (value.startsWith('+')) value = `${value.slice(1)}:${process.env[name] || ''}`;
    if (process.env[name] !== undefined) previous[name] = process.env[name];
    next[name] = value;
  }
  next.DIRENV_DIR = `-${folder.uri.fsPath}`;
  next.DIRENV_FILE = path.join(folder.uri.fsPath, '.envrc');
  const diff = zlib.deflateSync(Buffer.from(JSON.stringify({ p: previous, n: next })));
  next.DIRENV_DIFF = diff.toString('base64url');
  // Synchronously, as the real one's restored cache is: before other extensions activate.
  for (const [name, value] of Object.entries(next)) {
    process.env[name] = value;
    context.environmentVariableCollection.replace(name, value);
  }
  void vscode.window
    .showWarningMessage('direnv: Environment updated. Restart extensions?', 'Restart')
    .then(() => undefined);
}

module.exports = { activate, deactivate() {} };
