// What the language suite's tests share: the fake nixd's wrapper on the project's PATH, and
// the record the fake nixd (test/lsp/fakeNixd.ts) keeps of what it saw.
import { existsSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import { waitFor, workspaceFolder } from './support';

export interface RecordedEvent {
  /** start, initialize, configuration, didChangeConfiguration, didOpen, formatting, shutdown, exit */
  readonly event: string;
  readonly pid: number;
  readonly argv?: string[];
  readonly cwd?: string;
  readonly env?: Record<string, string>;
  readonly items?: unknown;
  readonly answer?: unknown;
  readonly uri?: string;
  readonly workspaceFolders?: { uri: string; name: string }[] | null;
}

export const folderPath = (): string => workspaceFolder().uri.fsPath;
export const shellNix = (): string => path.join(folderPath(), 'shell.nix');
/** Where the project environment (its shellHook) tells the fake nixd to record. */
export const recordFile = (): string => path.join(folderPath(), '.nixd-record.jsonl');
export const scratchDir = (): string => path.join(folderPath(), 'scratch');

/**
 * Puts `bin/nixd` in the project: a wrapper that runs the fake nixd with the node running this
 * extension host (ELECTRON_RUN_AS_NODE makes Electron's binary one, on desktop). bin/ is on
 * PATH only inside the project's environment. Written here because it names absolute paths.
 */
export async function installFakeNixd(): Promise<string> {
  const extension = vscode.extensions.getExtension('nixshell.nixshell');
  if (!extension) throw new Error('the extension is not installed');
  const server = path.join(extension.extensionPath, 'out/test/lsp/nixd.cjs');
  if (!existsSync(server)) throw new Error(`${server} is missing: run npm run build`);
  const wrapper = path.join(folderPath(), 'bin/nixd');
  await writeFile(
    wrapper,
    [
      '#!/bin/sh',
      '# Written by the language tests: the fake nixd, a fixture (see test/lsp/fakeNixd.ts).',
      'export NIXD_FIXTURE_WRAPPER="$0"',
      `ELECTRON_RUN_AS_NODE=1 exec '${process.execPath}' '${server}' "$@"`,
      '',
    ].join('\n'),
  );
  await chmod(wrapper, 0o755);
  return wrapper;
}

export async function readRecord(): Promise<RecordedEvent[]> {
  const text = await readFile(recordFile(), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as RecordedEvent);
}

export async function recorded(event: string): Promise<RecordedEvent[]> {
  return (await readRecord()).filter((e) => e.event === event);
}

/** The recorded events of a kind, once there are at least `count` of them. */
export function waitForRecorded(event: string, count: number): Promise<RecordedEvent[]> {
  return waitFor(async () => {
    const events = await recorded(event);
    return events.length >= count ? events : undefined;
  }, `${count} "${event}" events from the fake nixd`);
}

/** The newest server, once it runs with this generation of the environment and is initialized. */
export function waitForServer(generation: string): Promise<RecordedEvent> {
  return waitFor(async () => {
    const events = await readRecord();
    const start = events.filter((e) => e.event === 'start').at(-1);
    if (start?.env?.['LSP_FIXTURE_GENERATION'] !== generation) return undefined;
    const initialized = events.some((e) => e.event === 'configuration' && e.pid === start.pid);
    return initialized ? start : undefined;
  }, `a fake nixd started with LSP_FIXTURE_GENERATION=${generation}`);
}

/** Sets the fixture's variable, as a user editing shell.nix would. */
export async function setGeneration(generation: string): Promise<void> {
  const text = await readFile(shellNix(), 'utf8');
  await writeFile(
    shellNix(),
    text.replace(/LSP_FIXTURE_GENERATION = ".*";/, `LSP_FIXTURE_GENERATION = "${generation}";`),
  );
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The syntax errors nix-instantiate reported for a file. */
export function parseDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'nix-instantiate');
}
