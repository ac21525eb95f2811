// Beside the direnv extension (a stand-in with its id, test/integration/extensions/direnv, that
// applies the .envrc's environment to process.env and to terminals as that extension does),
// on a project whose .envrc says `use nix`: one of the two applies the environment.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  activateExtension,
  askHarness,
  nixCalls,
  terminalEnvironment,
  waitFor,
  waitForState,
  workspaceFolder,
} from './support';

const ownerQuestion = 'Which one should manage it?';
const ourRestartPrompt = 'The Nix environment changed';

function entries(value: string | undefined, entry: string): number {
  return (value ?? '').split(':').filter((e) => e === entry).length;
}

/** The notification center: in test mode, notifications show there, not as toasts. */
async function showNotifications(): Promise<void> {
  await vscode.commands.executeCommand('notifications.showList');
}

async function messages(): Promise<string[]> {
  await showNotifications();
  return JSON.parse((await askHarness('notification-messages', '')) ?? '[]') as string[];
}

describe('with the direnv extension', () => {
  const folder = () => workspaceFolder().uri;
  const bin = () => `${folder().fsPath}/bin`;

  it('the stand-in applied its environment before this extension started', () => {
    assert.ok(vscode.extensions.getExtension('mkhl.direnv')?.isActive, 'the stand-in is active');
    assert.equal(process.env['GREETING'], 'hello from shell.nix');
    assert.ok(process.env['DIRENV_DIFF'], 'direnv records what it changed');
  });

  it('asks once who manages the folder, and applies nothing meanwhile', async () => {
    const api = await activateExtension();
    await waitFor(
      async () => (await messages()).some((m) => m.includes(ownerQuestion)),
      'the question',
    );
    assert.equal((await messages()).filter((m) => m.includes(ownerQuestion)).length, 1);
    assert.equal(api.getMutations(folder()), undefined);
    assert.deepEqual(nixCalls(), [], 'no nix process while the question is open');
  });

  it('answered direnv: stands back completely, and says so in the status bar', async () => {
    const api = await activateExtension();
    const before = { ...process.env };
    await showNotifications();
    await askHarness('notification', `${ownerQuestion}|direnv`);
    await waitForState(api, folder(), 'direnv');
    assert.equal(api.getStatus(folder())?.statusText, '$(circle-slash) Nix: managed by direnv');
    assert.equal(api.getMutations(folder()), undefined);
    // VS Code's own variables aside: its built-in extensions set some as they activate (JSON's
    // sets VSCODE_L10N_BUNDLE_LOCATION), at moments of their own.
    const changed = Object.keys({ ...before, ...process.env }).filter(
      (name) => !name.startsWith('VSCODE_') && process.env[name] !== before[name],
    );
    assert.deepEqual(
      changed.map((name) => `${name}: ${before[name]} → ${process.env[name]}`),
      [],
      'process.env is left as direnv made it',
    );
    const terminal = await terminalEnvironment(folder(), 'direnv-owned');
    assert.equal(entries(terminal['PATH'], bin()), 1, terminal['PATH']);
    assert.equal(terminal['GREETING'], 'hello from shell.nix', "direnv's collection applies");
    assert.equal(terminal['IN_SHELL'], undefined, 'nothing of ours reaches terminals');
    // No evaluation, and no prompt of ours.
    assert.deepEqual(nixCalls(), []);
    // No prompt may come within this: it stays a wait.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    assert.deepEqual(
      (await messages()).filter((m) => m.includes(ourRestartPrompt) || m.includes('Enter it?')),
      [],
    );
  });

  it('changed to Nix Shell: the diff sees every variable, PATH carries the project once', async () => {
    const api = await activateExtension();
    const choosing = vscode.commands.executeCommand('nixShell.chooseOwner', folder());
    await showNotifications();
    await askHarness('notification', `${ownerQuestion}|Nix Shell`);
    await choosing;
    await waitForState(api, folder(), 'active');
    const mutations = api.getMutations(folder()) ?? [];
    const names = new Set(mutations.map((m) => m.name));
    // Against the environment direnv made, these would be no change at all.
    for (const name of ['GREETING', 'HOOK_RAN', 'PATH', 'IN_SHELL']) {
      assert.ok(names.has(name), `${name} is in the diff`);
    }
    const path = mutations.find((m) => m.name === 'PATH' && m.kind === 'prepend');
    const prepended = path?.kind === 'prepend' ? path.value.split(':') : [];
    assert.ok(prepended.includes(bin()), 'the project bin is in the diff');
    assert.equal(
      api.getStatus(folder())?.statusText,
      `$(package) Nix: shell.nix (${mutations.length})`,
    );
    assert.equal(entries(process.env['PATH'], bin()), 1, process.env['PATH']);
    assert.equal(process.env['IN_SHELL'], 'yes');
    const terminal = await terminalEnvironment(folder(), 'nixshell-owned');
    assert.equal(entries(terminal['PATH'], bin()), 1, terminal['PATH']);
    assert.equal(entries(terminal['PATH'], '/opt/basic-toolchain/bin'), 1, terminal['PATH']);
    // At most one restart prompt of ours within this: a wait for what must not come.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const ours = (await messages()).filter((m) => m.includes(ourRestartPrompt));
    assert.ok(ours.length <= 1, ours.join('\n'));
  });
});

describe('Select environment on an .envrc project', () => {
  it("offers the .envrc's environment and lists the lines it did not understand", async () => {
    await activateExtension();
    const picking = vscode.commands.executeCommand('nixShell.select', workspaceFolder().uri);
    const rows = JSON.parse((await askHarness('quick-pick-rows', '')) ?? '[]') as string[];
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await picking;
    assert.ok(
      rows.some((row) => row.includes('.envrc: shell.nix')),
      rows.join('\n'),
    );
    assert.ok(
      rows.some((row) => row.includes('.envrc line 2 not understood: dotenv')),
      rows.join('\n'),
    );
  });
});
