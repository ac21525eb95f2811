import { cp } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { fixturesDir } from './nixEnv';
import { scratchDir } from './scratch';

/** The fixtures' shared miniature nixpkgs (mkShell, writeShellScriptBin, a fake stdenv). */
const libName = '_lib';

/** A fixture's entry file in the repository, for tests that only read it. */
export function fixtureFile(name: string, file = 'shell.nix'): string {
  return path.join(fixturesDir, name, file);
}

export interface FixtureCopy {
  /** The copy's parent, holding `_lib` next to the fixture (the git top for flakes). */
  readonly top: string;
  /** The copied fixture directory. */
  readonly dir: string;
}

/**
 * Copies a fixture and `_lib` side by side into a scratch directory, so tests that edit files
 * never touch the repository and `../_lib` still resolves. With `git`, the copy becomes a
 * repository with everything committed: flakes only see files git tracks.
 */
export async function copyFixture(
  name: string,
  options: { git?: boolean } = {},
): Promise<FixtureCopy> {
  const top = await scratchDir('nixshell-fixture-');
  await cp(path.join(fixturesDir, libName), path.join(top, libName), { recursive: true });
  await cp(path.join(fixturesDir, name), path.join(top, name), { recursive: true });
  if (options.git) await initRepository(top);
  return { top, dir: path.join(top, name) };
}

/** Makes `dir` a git repository with everything in it committed. */
export async function initRepository(dir: string): Promise<void> {
  await git(dir, 'init', '--quiet');
  await git(dir, 'config', 'user.email', 'tests@nixshell.invalid');
  await git(dir, 'config', 'user.name', 'Nix Shell tests');
  await commitAll(dir, 'fixture');
}

export async function git(dir: string, ...args: string[]): Promise<string> {
  const { stdout } = await execa('git', args, { cwd: dir });
  return stdout;
}

export async function commitAll(dir: string, message: string): Promise<void> {
  await git(dir, 'add', '--all');
  await git(dir, 'commit', '--quiet', '--allow-empty', '-m', message);
}
