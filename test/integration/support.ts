// Helpers for tests that run inside the extension host, the same under code-server and under
// @vscode/test-electron: nothing here depends on which host runs it.
import { existsSync, readFileSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import type { NixShellApi } from '../../src/vscode/api';

export async function activateExtension(): Promise<NixShellApi> {
  const extension = vscode.extensions.getExtension<NixShellApi>('nixshell.nixshell');
  if (!extension) throw new Error('the extension is not installed');
  return extension.activate();
}

export function workspaceFolder(index = 0): vscode.WorkspaceFolder {
  const folder = vscode.workspace.workspaceFolders?.[index];
  if (!folder) throw new Error(`no workspace folder ${index}`);
  return folder;
}

export async function waitFor<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Records every state a folder goes through, from now on. */
export function recordStates(
  api: NixShellApi,
  folder: vscode.Uri,
): { states: string[]; dispose(): void } {
  const states: string[] = [];
  const subscription = api.onDidChangeStatus((uri) => {
    if (uri.toString() !== folder.toString()) return;
    const state = api.getStatus(folder)?.state ?? 'none';
    if (states.at(-1) !== state) states.push(state);
  });
  return {
    states,
    dispose: () => {
      subscription.dispose();
    },
  };
}

export function waitForState(
  api: NixShellApi,
  folder: vscode.Uri,
  state: string,
  timeoutMs = 60_000,
): Promise<boolean> {
  return waitFor<boolean>(
    () => api.getStatus(folder)?.state === state,
    `state ${state} (now ${api.getStatus(folder)?.state ?? 'none'})`,
    timeoutMs,
  );
}

/** Where tests write what terminals, tasks and debuggees report (set by the runner). */
export function outputFile(name: string): string {
  const dir =
    process.env['NIXSHELL_TEST_OUTPUT'] ?? path.join(workspaceFolder().uri.fsPath, '.test-output');
  return path.join(dir, name);
}

/** Parses `env -0`. */
export function parseEnv(bytes: Buffer): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of bytes.toString('utf8').split('\0')) {
    const equals = entry.indexOf('=');
    if (equals > 0) env[entry.slice(0, equals)] = entry.slice(equals + 1);
  }
  return env;
}

/** Reads a file another process writes as `<file>.part` then renames, once it is complete. */
export async function readWhenWritten(file: string, timeoutMs = 60_000): Promise<Buffer> {
  await waitFor(() => existsSync(file), `${file} to be written`, timeoutMs);
  return readFile(file);
}

/** The environment of a new integrated terminal in `cwd`, as `env -0` prints it. */
export async function terminalEnvironment(
  cwd: vscode.Uri,
  name: string,
): Promise<Record<string, string>> {
  const file = outputFile(`${name}.env`);
  await rm(file, { force: true });
  const terminal = vscode.window.createTerminal({ name, cwd });
  try {
    terminal.sendText(`env -0 > '${file}.part' && mv '${file}.part' '${file}'`);
    return parseEnv(await readWhenWritten(file));
  } finally {
    terminal.dispose();
  }
}

/** The nix and nix-shell calls the recording shim on PATH saw, in order. */
export function nixCalls(): string[] {
  const log = process.env['NIXSHELL_SHIM_LOG'];
  if (!log || !existsSync(log)) return [];
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((line) => line !== '');
}

export async function setSetting(
  name: string,
  value: unknown,
  folder?: vscode.WorkspaceFolder,
): Promise<void> {
  const target = folder
    ? vscode.ConfigurationTarget.WorkspaceFolder
    : vscode.ConfigurationTarget.Workspace;
  await vscode.workspace.getConfiguration('nixShell', folder?.uri).update(name, value, target);
}

export async function moveIntoPlace(from: string, to: string): Promise<void> {
  await rename(from, to);
}

/** Whether the code-server harness drives this host (it reports to E2E_REPORT_FILE). */
export function harnessListens(): boolean {
  return process.env['E2E_REPORT_FILE'] !== undefined;
}

/**
 * Asks the harness for something only the page can give (see test/harness/pageRequests.ts);
 * undefined on another host (desktop VS Code), where no harness listens.
 */
export async function askHarness(kind: string, argument: string): Promise<string | undefined> {
  const dir = process.env['NIXSHELL_TEST_OUTPUT'];
  if (!dir || !harnessListens()) return undefined;
  const done = path.join(dir, `${kind}.done`);
  await rm(done, { force: true });
  // Whole or not at all: the harness takes the request as soon as the file exists.
  const request = path.join(dir, `${kind}.request`);
  await writeFile(`${request}.partial`, argument);
  await rename(`${request}.partial`, request);
  await waitFor(() => existsSync(done), `the harness to answer ${kind}`, 30_000);
  return readFile(done, 'utf8');
}

/**
 * A screenshot of the workbench now, saved as test-results/<name>; `part: 'statusbar'` takes
 * only the status bar.
 */
export async function screenshot(name: string, part?: 'statusbar'): Promise<void> {
  await askHarness('screenshot', part ? `${name}|${part}` : name);
}
