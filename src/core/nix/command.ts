import { isLix } from './installation';

/**
 * Flags every `nix` (new CLI) invocation gets, so nix-command and flakes work on any config,
 * and a flake in a checkout with uncommitted changes does not warn on every capture.
 */
export const nixCommandFlags = [
  '--extra-experimental-features',
  'nix-command flakes',
  '--no-warn-dirty',
] as const;

/** Verbose enough for `evaluating file` / `copied source` (cache inputs) and build activity. */
export const nixLogFlags = ['-vv', '--log-format', 'internal-json'] as const;

/**
 * nixLogFlags for the nix that `nix --version` (or the installation's identity, its real path)
 * names: Lix logs `evaluating file` one level lower (Debug), so it needs -vvv to report the
 * files it evaluates. The identity needs no process, so captures use it.
 */
export function nixLogFlagsFor(versionOutputOrIdentity: string): readonly string[] {
  return isLix(versionOutputOrIdentity) ? ['-vvv', ...nixLogFlags.slice(1)] : nixLogFlags;
}
