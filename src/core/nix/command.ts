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
 * nixLogFlags for the nix `nix --version` names: Lix logs `evaluating file` one level lower
 * (Debug), so it needs -vvv to report the files it evaluates.
 */
export function nixLogFlagsFor(versionOutput: string): readonly string[] {
  return isLix(versionOutput) ? ['-vvv', ...nixLogFlags.slice(1)] : nixLogFlags;
}
