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
  if (run.result.signal && run.errors.length === 0) {
    // The OOM killer, or someone's kill: nix had no chance to say anything.
    return new NixShellError('evaluation', `nix was killed by ${run.result.signal}`, { details });
  }
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
