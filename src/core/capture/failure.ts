import { NixShellError } from '../errors';
import { errorSummary } from '../nix/log';
import type { NixRun } from './run';

export function evaluationError(run: NixRun): NixShellError {
  // Nix's own log records are for the log; a message is made of what nix said in words.
  const said = run.result.stderrTail
    .split('\n')
    .filter((line) => !line.startsWith('@nix '))
    .join('\n');
  const text = run.errors.length > 0 ? run.errors.join('\n') : said;
  const details = [text, said].join('\n');
  if (/^(error: )?interrupted by the user$/m.test(details)) {
    // Nix says so of any SIGTERM, SIGINT or SIGHUP; ours end as a cancellation, never here.
    return new NixShellError(
      'evaluation',
      'nix was stopped by a signal from another process (SIGTERM, SIGINT or SIGHUP)',
      { details },
    );
  }
  if (/Argument list too long/.test(details)) {
    return new NixShellError(
      'too-large',
      'a variable of this environment is too large to pass to a process (E2BIG)',
      { details },
    );
  }
  const notUtf8 = notUtf8Value(details);
  if (notUtf8 !== undefined) {
    return new NixShellError(
      'evaluation',
      `a variable's value is not valid UTF-8 (${notUtf8}): nix print-dev-env, like nix develop, cannot pass it on; make it UTF-8 (a shell.nix, through nix-shell, drops it with a warning instead)`,
      { details },
    );
  }
  const untracked = untrackedFile(details);
  if (untracked) {
    return new NixShellError(
      'untracked-file',
      `${untracked} is not tracked by git, so the flake cannot see it (git add ${untracked}?)`,
      { details, file: untracked },
    );
  }
  if (run.result.signal) {
    // None of the causes above: the OOM killer, or someone's kill. Nix did not end by itself,
    // so what it logged before (a daemon relays its builds' output as errors) is not the cause.
    return new NixShellError('evaluation', `nix was killed by ${run.result.signal}`, { details });
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

/**
 * What nix quotes of a value that is not UTF-8, when nix's own JSON of the environment (a
 * flake's print-dev-env) cannot hold it: `[json.exception.parse_error.101] … ill-formed UTF-8
 * byte; last read: '"caf\xe9"'`. Undefined for any other error.
 */
function notUtf8Value(text: string): string | undefined {
  const match =
    /json\.exception\.parse_error[^\n]*(?:UTF-8|utf-8)[^\n]*?(?:last read: '([^\n]*)')?$/m.exec(
      text,
    );
  if (!match) return undefined;
  // The quoted bytes, with what is not printable shown as `?`.
  return (match[1] ?? '').replace(/[^\x20-\x7e]/g, '?').slice(0, 60) || 'unknown';
}

/** The file a flake evaluation missed because git does not track it, if that is the error. */
function untrackedFile(text: string): string | undefined {
  for (const wording of untrackedWordings) {
    const file = wording.exec(text)?.[1];
    if (file) return file;
  }
  return undefined;
}
