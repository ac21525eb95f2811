import path from 'node:path';

/** What to enter: a Nix file (`nix-shell FILE`) or a flake's devShell (`nix develop DIR#NAME`). */
export type EnvTarget =
  | { readonly kind: 'file'; readonly file: string; readonly attr?: string | undefined }
  | { readonly kind: 'flake'; readonly dir: string; readonly devShell?: string | undefined };

/** A target plus the extra nix arguments (`--arg`, `--argstr`, `-I`) the user configured. */
export interface TargetSpec {
  readonly target: EnvTarget;
  readonly args: readonly string[];
  /**
   * Nix settings as `--option NAME VALUE` pairs, flattened (a team's binary cache). Only those
   * that change evaluation (not where store paths come from) are part of the cache key.
   */
  readonly options?: readonly string[] | undefined;
  /**
   * The project directory whose `nixpkgs.lock.json`, if any, pins `<nixpkgs>` for this
   * environment (the workspace folder; the CLI's DIR).
   */
  readonly pinDir?: string | undefined;
  /** Files that count as inputs besides what nix reads (the `.envrc` and what it watches). */
  readonly watch?: readonly string[] | undefined;
}

/** The directory the environment belongs to: the shell's `$PWD` and the `outputs/` parent. */
export function targetRoot(target: EnvTarget): string {
  return target.kind === 'file' ? path.dirname(target.file) : target.dir;
}

/** The files that always count as inputs, even when nix does not log reading them. */
export function entryFiles(target: EnvTarget): string[] {
  return target.kind === 'file'
    ? [target.file]
    : [path.join(target.dir, 'flake.nix'), path.join(target.dir, 'flake.lock')];
}

/** A short name for status bars and messages, relative to the workspace folder. */
export function targetLabel(target: EnvTarget, folder: string): string {
  const relative = (p: string) => path.relative(folder, p) || '.';
  if (target.kind === 'file') {
    const file = relative(target.file);
    return target.attr ? `${file} (${target.attr})` : file;
  }
  const flake = path.join(relative(target.dir), 'flake.nix').replace(/^\.\//, '');
  return target.devShell && target.devShell !== 'default' ? `${flake}#${target.devShell}` : flake;
}

/** The file that defines the environment, for diagnostics and "open" actions. */
export function targetFile(target: EnvTarget): string {
  return target.kind === 'file' ? target.file : path.join(target.dir, 'flake.nix');
}
