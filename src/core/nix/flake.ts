import path from 'node:path';
import { access } from 'node:fs/promises';
import { NixShellError } from '../errors';
import { runInProcessGroup } from '../process';
import { nixSystem, type NixInstallation } from './installation';
import { nixCommandFlags } from './command';
import { errorSummary, locationsInText, stripAnsi } from './log';

/** The devShell names a flake offers for this system (`devShells.<system>.*`). */
export async function listDevShells(
  nix: NixInstallation,
  flakeDir: string,
  env: Record<string, string>,
  signal?: AbortSignal,
): Promise<string[]> {
  const system = await nixSystem(nix, env);
  return listFlakeAttrNames(
    nix,
    flakeDir,
    'devShells',
    `shells: builtins.attrNames (shells.${JSON.stringify(system)} or {})`,
    { env, signal },
  );
}

/**
 * The names `apply` returns for the flake output `output` (`nixosConfigurations`,
 * `devShells`), evaluating only that output; none when the flake does not have it.
 */
export async function listFlakeAttrNames(
  nix: NixInstallation,
  flakeDir: string,
  output: string,
  apply: string,
  options: { env: Record<string, string>; signal?: AbortSignal | undefined },
): Promise<string[]> {
  const result = await runInProcessGroup(
    nix.nix,
    [...nixCommandFlags, 'eval', '--json', `${flakeRef(flakeDir)}#${output}`, '--apply', apply],
    {
      cwd: flakeDir,
      env: options.env,
      signal: options.signal,
      collectStdout: true,
      timeoutMs: 600_000,
    },
  );
  if (result.exitCode !== 0) {
    const missing = new RegExp(`does not provide attribute|attribute '${output}' missing`).test(
      result.stderrTail,
    );
    if (missing) return [];
    throw new NixShellError('evaluation', errorSummary(result.stderrTail), {
      details: stripAnsi(result.stderrTail),
      locations: locationsInText(result.stderrTail),
    });
  }
  const names: unknown = JSON.parse(result.stdout);
  return Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string') : [];
}

/**
 * A flake reference for a local directory. A plain path lets nix pick `git+file:` for git
 * checkouts (only tracked files, no copying of build trees) and `path:` otherwise.
 */
export function flakeRef(dir: string): string {
  return path.resolve(dir);
}

/** The top of the git checkout holding `dir`, found on disk without running git. */
export async function gitTopLevel(dir: string): Promise<string | undefined> {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    try {
      await access(path.join(current, '.git'));
      return current;
    } catch {
      if (path.dirname(current) === current) return undefined;
    }
  }
}
