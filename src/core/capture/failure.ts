import { NixShellError } from '../errors';
import { errorSummary } from '../nix/log';
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
    // Nix ≥2.29 words it `Cannot build '…-env.drv'.` and gives the reason on the next line.
    /Cannot build '[^']*-env\.drv'/,
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
  const untracked = untrackedFile(details);
  if (untracked) {
    return new NixShellError(
      'untracked-file',
      `${untracked} is not tracked by git, so the flake cannot see it (git add ${untracked}?)`,
      { details },
    );
  }
  return new NixShellError('evaluation', errorSummary(text), {
    details,
    locations: run.locations,
  });
}

// How nix says a flake's git checkout lacks a file, by version; each captures the path
// relative to the top of the repository.
const untrackedWordings = [
  // ≤2.18 and Lix: the flake's store copy has no such file.
  /getting status of '\/nix\/store\/[0-9a-z]{32}-source\/([^']+)'/,
  // 2.19–2.31.
  /path '\/nix\/store\/[0-9a-z]{32}-source\/([^']+)' does not exist/,
  // ≥2.32 and Determinate ≥3.2 read the checkout itself.
  /Path '([^']+)' in the repository "[^"]*" is not tracked by Git\./,
  // An untracked flake.nix, ≤2.18 (the subdirectory is given with or without a leading /).
  /source tree referenced by 'git\+file:[^']*' does not contain a '\/?([^']*flake\.nix)' file/,
];

/** The file a flake evaluation missed because git does not track it, if that is the error. */
function untrackedFile(text: string): string | undefined {
  for (const wording of untrackedWordings) {
    const file = wording.exec(text)?.[1];
    if (file) return file;
  }
  return undefined;
}
