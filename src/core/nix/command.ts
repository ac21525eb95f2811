/** Flags every `nix` (new CLI) invocation gets, so nix-command and flakes work on any config. */
export const nixCommandFlags = ['--extra-experimental-features', 'nix-command flakes'] as const;

/** Verbose enough for `evaluating file` / `copied source` (cache inputs) and build activity. */
export const nixLogFlags = ['-vv', '--log-format', 'internal-json'] as const;
