// The `nixshell` command on the user's PATH: a small sh launcher in ~/.local/bin that runs the
// CLI bundled with the extension (dist/cli.cjs) with the editor's own Node. The editor's Node is
// the one sure to exist and to be new enough (a `node` on PATH may be missing or older than 20).
import { readFile, chmod } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from './fs';
import { shellQuote } from './shellQuote';

export interface LauncherTarget {
  /** The bundled CLI, dist/cli.cjs of the installed extension. */
  readonly cli: string;
  /** The editor's executable: Node itself, or Electron, which acts as Node with the flag below. */
  readonly node: string;
}

/** The first line after the shebang: how a launcher of ours is told from a user's own file. */
const marker = '# nixshell launcher, written by the Nix Shell extension';

/**
 * The directory for user executables: `$XDG_BIN_HOME`, else `~/.local/bin` (the XDG/systemd
 * place, on PATH by default in most distributions' profiles once it exists).
 */
export function userBinDirectory(env: NodeJS.ProcessEnv, home: string): string {
  const xdg = env['XDG_BIN_HOME'];
  return xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.local', 'bin');
}

export function isOnPath(directory: string, pathVariable: string | undefined): boolean {
  const wanted = path.resolve(directory);
  return (pathVariable ?? '').split(':').some((entry) => entry && path.resolve(entry) === wanted);
}

export function launcherScript(target: LauncherTarget): string {
  return [
    '#!/bin/sh',
    marker,
    '# (Nix: Install the nixshell command-line tool). The extension rewrites it when it moves.',
    `cli=${shellQuote(target.cli)}`,
    `node=${shellQuote(target.node)}`,
    'if [ ! -f "$cli" ]; then',
    '  echo "nixshell: $cli is gone (Nix Shell was updated or removed): run \'Nix: Install the nixshell command-line tool\' again" >&2',
    '  exit 127',
    'fi',
    // ELECTRON_RUN_AS_NODE makes Electron act as Node; NIXSHELL_LAUNCHER tells the CLI to drop
    // it again, so it never reaches the environments the CLI prints or the processes it starts.
    'if [ -x "$node" ]; then',
    '  ELECTRON_RUN_AS_NODE=1 NIXSHELL_LAUNCHER=1 exec "$node" "$cli" "$@"',
    'fi',
    'exec node "$cli" "$@"',
    '',
  ].join('\n');
}

export type InstallResult =
  | { readonly kind: 'installed' | 'unchanged'; readonly file: string }
  /** A `nixshell` that is not ours is there: it is left alone unless `replace` is given. */
  | { readonly kind: 'foreign'; readonly file: string };

/** Writes the launcher as `<directory>/nixshell`, executable, atomically. */
export async function installLauncher(
  directory: string,
  target: LauncherTarget,
  options: { replace?: boolean } = {},
): Promise<InstallResult> {
  const file = path.join(directory, 'nixshell');
  const existing = await readFile(file, 'utf8').catch(() => undefined);
  const script = launcherScript(target);
  if (existing === script) return { kind: 'unchanged', file };
  if (existing !== undefined && !isOurs(existing) && !options.replace) {
    return { kind: 'foreign', file };
  }
  await writeFileAtomic(file, script);
  await chmod(file, 0o755);
  return { kind: 'installed', file };
}

/**
 * After the extension or the editor moved (an update): a launcher of ours that points at the
 * old place is rewritten; none, or someone else's, is left as it is. True when rewritten.
 */
export async function refreshLauncher(directory: string, target: LauncherTarget): Promise<boolean> {
  const existing = await readFile(path.join(directory, 'nixshell'), 'utf8').catch(() => undefined);
  if (existing === undefined || !isOurs(existing)) return false;
  return (await installLauncher(directory, target)).kind === 'installed';
}

function isOurs(script: string): boolean {
  return script.split('\n')[1] === marker;
}

/** The CLI's side: undo what the launcher set only to start it. */
export function forgetLauncherEnvironment(env: NodeJS.ProcessEnv): void {
  if (env['NIXSHELL_LAUNCHER'] !== '1') return;
  delete env['NIXSHELL_LAUNCHER'];
  delete env['ELECTRON_RUN_AS_NODE'];
}
