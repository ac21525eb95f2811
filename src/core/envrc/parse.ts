import { logicalLines, shellWords } from './words';

/** What `use nix` asks for: nix-shell's file (or its default), attribute and arguments. */
export interface UseNix {
  readonly kind: 'nix';
  readonly line: number;
  /** As written, relative to the `.envrc`; undefined: nix-shell's default (shell.nix, default.nix). */
  readonly file?: string | undefined;
  readonly attr?: string | undefined;
  readonly args: readonly string[];
}

/** What `use flake` asks for: a flake in a local directory and one of its devShells. */
export interface UseFlake {
  readonly kind: 'flake';
  readonly line: number;
  /** As written, relative to the `.envrc` (`.` when no reference is given). */
  readonly dir: string;
  readonly devShell?: string | undefined;
  readonly args: readonly string[];
}

/** The line's text goes with it, for notes that quote it. */
export type EnvrcUse = (UseNix | UseFlake) & { readonly text: string };

/** A line the hint does not take into account, and why. */
export interface EnvrcNote {
  readonly line: number;
  readonly text: string;
  readonly reason: string;
}

export interface EnvrcHint {
  /** The first `use nix` / `use flake` line: the one whose environment direnv builds first. */
  readonly use?: EnvrcUse | undefined;
  /** Extra inputs (`nix_direnv_watch_file`, `watch_file`), as written. */
  readonly watch: readonly string[];
  readonly notes: readonly EnvrcNote[];
}

/**
 * Reads an `.envrc` without running it: the forms of direnv's stdlib and nix-direnv that
 * choose a Nix environment. Every other line is noted, so the user can see what was not
 * taken into account; nix-direnv's loader boilerplate and its switches are accepted quietly.
 */
export function parseEnvrc(content: string): EnvrcHint {
  let use: EnvrcUse | undefined;
  const watch: string[] = [];
  const notes: EnvrcNote[] = [];
  for (const { line, text } of logicalLines(content)) {
    const trimmed = text.trim();
    if (trimmed === '' || trimmed.startsWith('#') || isLoaderBoilerplate(trimmed)) continue;
    const note = (reason: string) => notes.push({ line, text: trimmed, reason });
    const split = shellWords(trimmed);
    if ('problem' in split) {
      note(split.problem);
      continue;
    }
    const [command = '', ...rest] = split.words;
    const [what, args] =
      command === 'use' ? [`use_${rest[0] ?? ''}`, rest.slice(1)] : [command, rest];
    if (quietCommands.has(what)) continue;
    if (what === 'watch_file' || what === 'nix_direnv_watch_file') {
      watch.push(...args);
      continue;
    }
    if (what !== 'use_nix' && what !== 'use_flake') {
      note('only `use nix`, `use flake` and watched files are read');
      continue;
    }
    const parsed = what === 'use_nix' ? parseUseNix(line, args) : parseUseFlake(line, args);
    if ('problem' in parsed) {
      note(parsed.problem);
      continue;
    }
    for (const ignored of parsed.ignored) note(`\`${ignored}\` is ignored`);
    if (use) note(`the environment of line ${use.line} is used`);
    else use = { ...parsed.use, text: trimmed };
  }
  return { use, watch, notes };
}

/** Switches of nix-direnv that change how it caches, not what the environment is. */
const quietCommands = new Set([
  'nix_direnv_manual_reload',
  'nix_direnv_disallow_fallback',
  'strict_env',
  'unstrict_env',
]);

/** `if ! has nix_direnv_version || ! nix_direnv_version 3.0.6; then source_url … fi` */
function isLoaderBoilerplate(text: string): boolean {
  return (
    /^(then|else|fi)$/.test(text) ||
    /\bnix_direnv_version\b/.test(text) ||
    (/^source_url\b/.test(text) && text.includes('nix-direnv'))
  );
}

type Parsed<U> = { use: U; ignored: string[] } | { problem: string };

/** Arguments both `use nix` and `use flake` hand to nix, in the form the engine takes. */
function takeNixArgument(args: readonly string[], i: number, into: string[]): number {
  const arg = args[i] ?? '';
  if ((arg === '--arg' || arg === '--argstr') && i + 2 < args.length) {
    into.push(arg, args[i + 1] ?? '', args[i + 2] ?? '');
    return 3;
  }
  if ((arg === '-I' || arg === '--include') && i + 1 < args.length) {
    into.push('-I', args[i + 1] ?? '');
    return 2;
  }
  return 0;
}

/** nix-shell's own options that shape the shell session, not the environment (nix-direnv ignores them too). */
const sessionOptions = new Map([
  ['--pure', 0],
  ['-i', 1],
  ['--keep', 1],
  ['--command', 1],
  ['--run', 1],
  ['--exclude', 1],
]);

function parseUseNix(line: number, args: readonly string[]): Parsed<UseNix> {
  let file: string | undefined;
  let attr: string | undefined;
  const nixArgs: string[] = [];
  const ignored: string[] = [];
  for (let i = 0; i < args.length;) {
    const arg = args[i] ?? '';
    const taken = takeNixArgument(args, i, nixArgs);
    if (taken > 0) {
      i += taken;
    } else if (arg === '-p' || arg === '--packages' || arg === '-E' || arg === '--expr') {
      return {
        problem: `\`use nix ${arg}\` names packages or an expression, not a project file; select a file instead`,
      };
    } else if ((arg === '-A' || arg === '--attr') && i + 1 < args.length) {
      attr = args[i + 1];
      i += 2;
    } else if (sessionOptions.has(arg)) {
      const arity = sessionOptions.get(arg) ?? 0;
      ignored.push(args.slice(i, i + 1 + arity).join(' '));
      i += 1 + arity;
    } else if (arg.startsWith('-')) {
      ignored.push(arg);
      i += 1;
    } else if (file === undefined) {
      file = arg;
      i += 1;
    } else {
      return { problem: `\`use nix\` with more than one file (${file}, ${arg})` };
    }
  }
  return { use: { kind: 'nix', line, file, attr, args: nixArgs }, ignored };
}

function parseUseFlake(line: number, args: readonly string[]): Parsed<UseFlake> {
  const [first, ...rest] = args;
  const reference = first !== undefined && !first.startsWith('-') ? first : undefined;
  const options = reference === undefined ? args : rest;
  const flake = parseFlakeReference(reference ?? '.');
  if ('problem' in flake) return flake;
  const nixArgs: string[] = [];
  const ignored: string[] = [];
  for (let i = 0; i < options.length;) {
    const taken = takeNixArgument(options, i, nixArgs);
    if (taken === 0) ignored.push(options[i] ?? '');
    i += Math.max(taken, 1);
  }
  return { use: { kind: 'flake', line, ...flake, args: nixArgs }, ignored };
}

/**
 * A flake reference to a directory of the project: `.`, `./dir`, `dir/sub`, `path:dir`, `/abs`,
 * `~/dir`, each with an optional `#devShell` or `#devShells.<system>.<name>`. Remote and
 * registry references (`github:o/r`, `nixpkgs#hello`) are not a project file.
 */
export function parseFlakeReference(
  reference: string,
): { dir: string; devShell?: string | undefined } | { problem: string } {
  const hash = reference.indexOf('#');
  const base = hash < 0 ? reference : reference.slice(0, hash);
  const fragment = hash < 0 ? '' : reference.slice(hash + 1);
  const location = base.startsWith('path:') ? base.slice('path:'.length) : base;
  const local =
    location === '' ||
    /^[./~]/.test(location) ||
    (location.includes('/') && !location.includes(':'));
  if (!local) {
    return {
      problem: `\`${reference}\` is not a flake of the project (only local flakes are entered)`,
    };
  }
  if (location.includes('?')) {
    return { problem: `flake reference parameters are not read (\`${reference}\`)` };
  }
  const dir = location === '' ? '.' : location;
  if (fragment === '') return { dir };
  const qualified = /^devShells\.[^.]+\.([^.]+)$/.exec(fragment);
  if (qualified) return { dir, devShell: qualified[1] };
  if (/^[^.]+$/.test(fragment)) return { dir, devShell: fragment };
  return { problem: `\`#${fragment}\` is not a devShell` };
}

/** "`.envrc` line 3 not understood: …", as Select environment and the CLI say it. */
export function envrcNoteText(note: EnvrcNote): string {
  return `.envrc line ${note.line} not understood: ${note.text} (${note.reason})`;
}
