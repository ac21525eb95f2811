import { NixShellError } from '../errors';
import { firstErrorLine } from '../nix/flake';
import type { NixRun } from './run';

/**
 * Failures of print-dev-env itself (not of evaluation) that `nix-shell` handles: non-bash
 * builders, derivations without `outputs`, `__structuredAttrs` and control bytes on older nix,
 * and a nix without the nix-command feature.
 */
export function printDevEnvCannotWork(run: NixRun): boolean {
  const text = [...run.errors, run.result.stderrTail].join('\n');
  return [
    /builder for '[^']*-env\.drv' failed/,
    /only works on derivations that use 'bash'/,
    /json\.exception/,
    /experimental Nix feature/,
    /not a recogni[sz]ed command|unrecogni[sz]ed flag/,
  ].some((pattern) => pattern.test(text));
}

export function evaluationError(run: NixRun): NixShellError {
  const text = run.errors.length > 0 ? run.errors.join('\n') : run.result.stderrTail;
  const details = [text, run.result.stderrTail].join('\n');
  if (/Argument list too long/.test(details)) {
    return new NixShellError(
      'too-large',
      'a variable of this environment is too large to pass to a process (E2BIG)',
      { details },
    );
  }
  const untracked = /getting status of '\/nix\/store\/[0-9a-z]{32}-source\/([^']+)'/.exec(details);
  if (untracked?.[1]) {
    return new NixShellError(
      'untracked-file',
      `${untracked[1]} is not tracked by git, so the flake cannot see it (git add ${untracked[1]}?)`,
      { details },
    );
  }
  return new NixShellError('evaluation', firstErrorLine(text), {
    details,
    locations: run.locations,
  });
}
