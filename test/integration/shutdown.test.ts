// The window closes (or reloads) while nix builds: the extension is deactivated in the middle
// of a capture. This suite only starts the capture and says what to look for; the harness
// checks, once the extension host has stopped, that nothing of it is left
// (test/harness/afterShutdown.ts).
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { execa } from 'execa';
import * as vscode from 'vscode';
import {
  activateExtension,
  outputFile,
  setSetting,
  waitFor,
  waitForState,
  workspaceFolder,
} from './support';

describe('closing the window during an evaluation', () => {
  it('leaves the host with nix building, for the harness to check after it stops', async () => {
    const api = await activateExtension();
    const folder = workspaceFolder().uri;
    // An input whose build sleeps this long; a new one each run, so nix really builds it.
    const sleep = `sleep 33.${Date.now() % 100_000}`;
    await setSetting('args', ['--argstr', 'slowBuildSeconds', sleep.slice('sleep '.length)]);
    await vscode.commands.executeCommand('nixShell.enter');
    await waitForState(api, folder, 'loading');
    await waitFor(async () => {
      const { stdout } = await execa('ps', ['-eo', 'args=']);
      return stdout.split('\n').some((line) => line.trim() === `/bin/${sleep}`) || undefined;
    }, 'the slow build');
    const temp = (await readdir(os.tmpdir())).filter((name) => /^nix(shell|-build)-/.test(name));
    assert.ok(
      temp.some((name) => name.startsWith('nixshell-')),
      temp.join(', '),
    );
    assert.ok(
      temp.some((name) => name.startsWith('nix-build-')),
      temp.join(', '),
    );
    await writeFile(
      outputFile('shutdown.json'),
      JSON.stringify({
        sleep: `/bin/${sleep}`,
        tmpdir: os.tmpdir(),
        nixShell: `${folder.fsPath}/shell.nix`,
      }),
    );
    // The suite ends here: the workbench stops the extension host, which deactivates us.
  });
});
