import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import { mutatedValue } from '../../src/core/env/mutations';
import {
  activateExtension,
  outputFile,
  parseEnv,
  readWhenWritten,
  terminalEnvironment,
  workspaceFolder,
} from './support';

/** Variables that differ between any two terminals, Nix or not: the editor's own and the shell's. */
const perTerminal = (name: string) =>
  name.startsWith('VSCODE_') || ['_', 'SHLVL', 'OLDPWD'].includes(name);

async function runTask(execution: vscode.ShellExecution | vscode.ProcessExecution, name: string) {
  const folder = workspaceFolder();
  const task = new vscode.Task({ type: 'nixshell-test' }, folder, name, 'test', execution);
  const ended = new Promise<number | undefined>((resolve) => {
    const subscription = vscode.tasks.onDidEndTaskProcess((event) => {
      if (event.execution.task.name !== name) return;
      subscription.dispose();
      resolve(event.exitCode);
    });
  });
  await vscode.tasks.executeTask(task);
  assert.equal(await ended, 0);
}

/**
 * Starts debugging with a configuration and resolves with its session, as the adapter got it.
 * Matched by name: another session may start meanwhile (the Node debugger starts a child
 * session for the program of a previous test).
 */
async function debugSession(
  folder: vscode.WorkspaceFolder,
  configuration: vscode.DebugConfiguration,
): Promise<vscode.DebugSession> {
  const started = new Promise<vscode.DebugSession>((resolve) => {
    const subscription = vscode.debug.onDidStartDebugSession((session) => {
      if (session.configuration.name !== configuration.name) return;
      subscription.dispose();
      resolve(session);
    });
  });
  assert.equal(await vscode.debug.startDebugging(folder, configuration), true);
  return started;
}

describe('where the environment goes', () => {
  it('a new terminal gets exactly the Nix changes: set, prepended, and unset as empty', async () => {
    const api = await activateExtension();
    const folder = workspaceFolder().uri;
    const baseline = JSON.parse(await readFile(outputFile('baseline.json'), 'utf8')) as Record<
      string,
      string
    >;
    const inside = await terminalEnvironment(folder, 'inside');
    const mutations = api.getMutations(folder) ?? [];
    const changed = new Set(mutations.map((m) => m.name));
    for (const mutation of mutations) {
      if (mutation.kind === 'prepend') {
        // Nix's entries first; then the terminal's own PATH, whatever its rc files put in
        // front, with Nix's entries again where shell integration re-applied them.
        const ours = mutation.value.split(':');
        const without = (value = '') => value.split(':').filter((entry) => !ours.includes(entry));
        assert.ok(inside[mutation.name]?.startsWith(`${mutation.value}:`), mutation.name);
        assert.deepEqual(
          without(inside[mutation.name]),
          without(baseline[mutation.name]),
          mutation.name,
        );
        continue;
      }
      const expected =
        mutation.kind === 'unset' ? '' : mutatedValue(baseline[mutation.name], mutation);
      assert.equal(inside[mutation.name], expected, mutation.name);
    }
    for (const name of new Set([...Object.keys(baseline), ...Object.keys(inside)])) {
      if (changed.has(name) || perTerminal(name)) continue;
      assert.equal(inside[name], baseline[name], `${name} is not the environment's to change`);
    }
    assert.equal(inside['MULTILINE'], 'line one\nline "two" $HOME `x` é✓ a=b');
    assert.equal(inside['UNSET_ME'], '', 'the terminal API cannot unset; the value is emptied');
  });

  it('shell tasks and process tasks see it', async () => {
    const shellFile = outputFile('shell-task.env');
    const processFile = outputFile('process-task.env');
    await rm(shellFile, { force: true });
    await rm(processFile, { force: true });
    await runTask(new vscode.ShellExecution(`env -0 > '${shellFile}'`), 'shell task');
    await runTask(
      new vscode.ProcessExecution('/bin/sh', ['-c', `env -0 > '${processFile}'`]),
      'process task',
    );
    for (const file of [shellFile, processFile]) {
      const env = parseEnv(await readWhenWritten(file));
      assert.equal(env['GREETING'], 'hello from shell.nix', file);
      assert.equal(env['MULTILINE'], 'line one\nline "two" $HOME `x` é✓ a=b', file);
      assert.ok(env['PATH']?.startsWith(`${workspaceFolder().uri.fsPath}/bin:`), file);
    }
  });

  it('debug configurations get it, and the user’s own env entries win', async () => {
    const folder = workspaceFolder();
    const file = outputFile('debuggee.json');
    await rm(file, { force: true });
    const session = await debugSession(folder, {
      type: 'node',
      request: 'launch',
      name: 'print env',
      program: path.join(folder.uri.fsPath, 'print-env.cjs'),
      args: [file],
      env: { GREETING: 'the user wins', USER_ONLY: 'kept' },
      console: 'internalConsole',
    });
    const resolvedEnv = session.configuration['env'] as Record<string, string>;
    assert.equal(resolvedEnv['GREETING'], 'the user wins');
    assert.equal(resolvedEnv['USER_ONLY'], 'kept');
    assert.equal(resolvedEnv['HOOK_RAN'], '1');
    const debuggee = JSON.parse((await readWhenWritten(file)).toString('utf8')) as Record<
      string,
      string
    >;
    assert.equal(debuggee['GREETING'], 'the user wins');
    assert.equal(debuggee['MULTILINE'], 'line one\nline "two" $HOME `x` é✓ a=b');
    assert.ok(debuggee['PATH']?.startsWith(`${folder.uri.fsPath}/bin:`));
  });

  it('a cpptools (cppdbg) configuration gets it as its environment array; the user’s entries win', async () => {
    const folder = workspaceFolder();
    const { configuration } = await debugSession(folder, {
      type: 'cppdbg',
      request: 'launch',
      name: 'a C++ program',
      program: path.join(folder.uri.fsPath, 'a.out'),
      environment: [{ name: 'GREETING', value: 'the user wins' }],
    });
    const entries = configuration['environment'] as Array<{ name: string; value: string }>;
    const byName = new Map(entries.map((entry) => [entry.name, entry.value]));
    assert.equal(entries.filter((entry) => entry.name === 'GREETING').length, 1);
    assert.equal(byName.get('GREETING'), 'the user wins');
    assert.equal(byName.get('HOOK_RAN'), '1');
    assert.equal(byName.get('MULTILINE'), 'line one\nline "two" $HOME `x` é✓ a=b');
    assert.ok(byName.get('PATH')?.startsWith(`${folder.uri.fsPath}/bin:`));
    assert.equal(configuration['env'], undefined, 'no env object its adapter would not read');
  });

  it('a "Nix shell" terminal has the functions and aliases of setup and the shellHook', async () => {
    const file = outputFile('functions.txt');
    await rm(file, { force: true });
    await vscode.commands.executeCommand('nixShell.openTerminal', workspaceFolder().uri);
    const terminal = vscode.window.terminals.find((t) => t.name.startsWith('Nix shell: '));
    assert.ok(terminal, 'no Nix shell terminal');
    try {
      terminal.sendText(
        `{ type genericBuild; type greet; alias gs; greet nix; echo "$GREETING"; } > '${file}.part' 2>&1; mv '${file}.part' '${file}'`,
      );
      // Shell integration's own sequences may precede the output: its preexec trap runs inside
      // the redirection. They show it is loaded in this terminal too.
      const text = (await readWhenWritten(file)).toString('utf8');
      assert.match(text, /\]633;/);
      assert.match(text, /genericBuild is a function$/m);
      assert.match(text, /^greet is a function$/m);
      assert.match(text, /^alias gs='echo status'$/m);
      assert.match(text, /^hello nix$/m);
      assert.match(text, /^hello from shell\.nix$/m);
    } finally {
      terminal.dispose();
    }
  });

  it('other extensions get it through the API', async () => {
    const api = await activateExtension();
    const env = api.getEnvironment(workspaceFolder().uri) ?? {};
    assert.equal(env['GREETING'], 'hello from shell.nix');
    assert.equal(env['UNSET_ME'], undefined);
  });

  it('"Nix: Show environment" lists what is set, prepended and unset, and where from', async () => {
    await vscode.commands.executeCommand('nixShell.showEnvironment');
    const text = vscode.window.activeTextEditor?.document.getText() ?? '';
    const shellNix = path.join(workspaceFolder().uri.fsPath, 'shell.nix');
    assert.match(text, new RegExp(`^# Nix environment from ${shellNix}$`, 'm'));
    assert.match(text, /^export GREETING='hello from shell\.nix'$/m);
    assert.match(text, /^# prepended \(1\), from /m);
    assert.match(text, /^unset UNSET_ME$/m);
    assert.match(text, /^# functions \(\d+\), from .*\n#.*\bgreet\b/m);
    assert.match(text, /^# aliases \(1\), from .*\n# +gs$/m);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
