import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { readEnvrc, type EnvrcChoice } from './envrc/read';
import { compareCodeUnits } from './order';
import type { EnvTarget, TargetSpec } from './target';

/** The files that define a Nix environment, in order of precedence. */
export const environmentFileNames = ['flake.nix', 'shell.nix', 'default.nix'] as const;
export type EnvironmentFileName = (typeof environmentFileNames)[number];

export interface Candidate {
  readonly file: string;
  readonly name: EnvironmentFileName;
  /** 0 at the folder's root, 1 one level down. */
  readonly depth: number;
}

/** Directories never searched: tooling output and dependency trees, not projects. */
const skippedDirectories = new Set(['node_modules', 'result', 'outputs', 'dist', 'out', 'target']);

/**
 * Finds environment files at the folder's root and one level down, root first, then by the
 * precedence flake.nix > shell.nix > default.nix, then by path.
 */
export async function findCandidates(folder: string): Promise<Candidate[]> {
  const found: Candidate[] = [];
  const rootEntries = await listDirectory(folder);
  collect(folder, rootEntries, 0, found);
  const subdirectories = rootEntries.filter(
    (entry) =>
      entry.isDirectory() && !entry.name.startsWith('.') && !skippedDirectories.has(entry.name),
  );
  // Listed at once: while the editor starts, each trip to the thread pool can wait long.
  const listings = await Promise.all(
    subdirectories.map((dir) => listDirectory(path.join(folder, dir.name))),
  );
  subdirectories.forEach((dir, index) =>
    collect(path.join(folder, dir.name), listings[index] ?? [], 1, found),
  );
  return found.sort(
    (a, b) =>
      a.depth - b.depth ||
      environmentFileNames.indexOf(a.name) - environmentFileNames.indexOf(b.name) ||
      compareCodeUnits(a.file, b.file),
  );
}

function collect(dir: string, entries: readonly Dirent[], depth: number, into: Candidate[]): void {
  for (const name of environmentFileNames) {
    if (
      entries.some((entry) => entry.name === name && (entry.isFile() || entry.isSymbolicLink()))
    ) {
      into.push({ file: path.join(dir, name), name, depth });
    }
  }
}

async function listDirectory(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

export function candidateTarget(candidate: Candidate, devShell?: string): EnvTarget {
  return candidate.name === 'flake.nix'
    ? { kind: 'flake', dir: path.dirname(candidate.file), devShell }
    : { kind: 'file', file: candidate.file };
}

export interface TargetPreference {
  /** `nixShell.file`: a .nix file or a directory holding one, relative to the folder. */
  readonly file?: string | undefined;
  /** `nixShell.devShell`: the flake devShell to enter. */
  readonly devShell?: string | undefined;
}

/**
 * Picks the target to enter: an explicit setting (or a remembered choice) wins; otherwise the
 * first candidate by precedence. Returns undefined when the folder has no environment.
 */
export async function chooseTarget(
  folder: string,
  preference: TargetPreference,
  candidates?: readonly Candidate[],
): Promise<EnvTarget | undefined> {
  if (preference.file) {
    const explicit = path.resolve(folder, preference.file);
    const info = await stat(explicit).catch(() => undefined);
    if (info?.isDirectory()) {
      const inner = (await findCandidates(explicit)).find((c) => c.depth === 0);
      return inner ? candidateTarget(inner, preference.devShell) : undefined;
    }
    if (path.basename(explicit) === 'flake.nix') {
      return { kind: 'flake', dir: path.dirname(explicit), devShell: preference.devShell };
    }
    return { kind: 'file', file: explicit };
  }
  const all = candidates ?? (await findCandidates(folder));
  const first = preference.devShell ? all.find((c) => c.name === 'flake.nix') : all[0];
  return first ? candidateTarget(first, preference.devShell) : undefined;
}

/** What a folder offers, read from disk in one step: its candidates and its `.envrc`. */
export interface FolderScan {
  readonly candidates: readonly Candidate[];
  readonly envrc: EnvrcChoice | undefined;
}

export async function scanFolder(folder: string): Promise<FolderScan> {
  const [candidates, envrc] = await Promise.all([findCandidates(folder), readEnvrc(folder)]);
  return { candidates, envrc };
}

/** Where the chosen target came from, for the status and Select environment. */
export type TargetSource = 'setting' | 'envrc' | 'discovered';

export interface ResolvedTarget {
  readonly spec: TargetSpec | undefined;
  readonly source: TargetSource;
  /** The folder's `.envrc`, read whether or not it decided. */
  readonly envrc: EnvrcChoice | undefined;
}

/**
 * The target and arguments to enter, by precedence: an explicit setting (or a remembered
 * choice), then what the folder's `.envrc` loads (`use nix`, `use flake`), then discovery.
 * The `.envrc`'s arguments come before the configured ones, which thus win where nix lets
 * a later argument override an earlier one. `scan`: the folder as just read, not read again.
 */
export async function resolveTarget(
  folder: string,
  preference: TargetPreference,
  configuredArgs: readonly string[],
  scan?: FolderScan,
): Promise<ResolvedTarget> {
  const envrc = scan ? scan.envrc : await readEnvrc(folder);
  const explicit = Boolean(preference.file ?? preference.devShell);
  const fromEnvrc = explicit ? undefined : envrc?.target;
  const target = fromEnvrc ?? (await chooseTarget(folder, preference, scan?.candidates));
  const spec: TargetSpec | undefined = target && {
    target,
    args: fromEnvrc ? [...(envrc?.args ?? []), ...configuredArgs] : configuredArgs,
    pinDir: folder,
    ...(fromEnvrc ? { watch: envrc?.watch } : {}),
  };
  return { spec, source: explicit ? 'setting' : fromEnvrc ? 'envrc' : 'discovered', envrc };
}
