import { readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { EnvTarget } from '../target';
import { parseEnvrc, type EnvrcNote, type EnvrcUse } from './parse';

/** What a folder's `.envrc` says about its Nix environment, resolved against the disk. */
export interface EnvrcChoice {
  readonly envrc: string;
  /** The environment the `.envrc` loads; undefined when it loads none this engine can enter. */
  readonly target?: EnvTarget | undefined;
  readonly args: readonly string[];
  /**
   * Absolute paths of the files it watches, inputs of the environment. The `.envrc` itself is
   * not one: an edit of it chooses the target again, which the editor watches for.
   */
  readonly watch: readonly string[];
  readonly notes: readonly EnvrcNote[];
}

export const envrcFileName = '.envrc';

/** Reads (never runs) the folder's `.envrc`; undefined when it has none. */
export async function readEnvrc(folder: string): Promise<EnvrcChoice | undefined> {
  const envrc = path.join(folder, envrcFileName);
  const content = await readFile(envrc, 'utf8').catch(() => undefined);
  if (content === undefined) return undefined;
  const hint = parseEnvrc(content);
  const notes = [...hint.notes];
  const resolved = hint.use ? await resolveUse(folder, hint.use) : undefined;
  if (resolved && 'problem' in resolved && hint.use) {
    notes.push({ line: hint.use.line, text: hint.use.text, reason: resolved.problem });
  }
  const target = resolved && 'target' in resolved ? resolved.target : undefined;
  return {
    envrc,
    target,
    args: target ? (hint.use?.args ?? []) : [],
    watch: hint.watch.map((file) => path.resolve(folder, expandHome(file))),
    notes: notes.sort((a, b) => a.line - b.line),
  };
}

/** Whether the `.envrc` loads a Nix environment at all (for deciding who owns it). */
export function loadsNix(choice: EnvrcChoice | undefined): boolean {
  return choice?.target !== undefined;
}

async function resolveUse(
  folder: string,
  use: EnvrcUse,
): Promise<{ target: EnvTarget } | { problem: string }> {
  if (use.kind === 'flake') {
    const dir = path.resolve(folder, expandHome(use.dir));
    if (!(await isFile(path.join(dir, 'flake.nix')))) {
      return { problem: `no flake.nix in ${use.dir}` };
    }
    return { target: { kind: 'flake', dir, devShell: use.devShell } };
  }
  // nix-shell's defaults: shell.nix, else default.nix; a directory means its default.nix.
  const given = use.file === undefined ? undefined : path.resolve(folder, expandHome(use.file));
  const options =
    given === undefined
      ? [path.join(folder, 'shell.nix'), path.join(folder, 'default.nix')]
      : (await isDirectory(given))
        ? [path.join(given, 'default.nix')]
        : [given];
  for (const file of options) {
    if (await isFile(file)) {
      return { target: { kind: 'file', file, ...(use.attr ? { attr: use.attr } : {}) } };
    }
  }
  return { problem: `${use.file ?? 'shell.nix or default.nix'} not found` };
}

function expandHome(file: string): string {
  return file === '~' || file.startsWith('~/') ? path.join(os.homedir(), file.slice(1)) : file;
}

async function isFile(file: string): Promise<boolean> {
  return (await stat(file).catch(() => undefined))?.isFile() ?? false;
}

async function isDirectory(file: string): Promise<boolean> {
  return (await stat(file).catch(() => undefined))?.isDirectory() ?? false;
}
