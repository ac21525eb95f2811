import path from 'node:path';
import { NixShellError } from '../errors';
import { gitTopLevel } from '../nix/flake';
import { entryFiles, targetRoot, type EnvTarget } from '../target';

const sourceStorePath = /^\/nix\/store\/[0-9a-z]{32}-source(?=\/|$)/;

/**
 * The local files an environment depends on: the entry files, plus what nix logged reading.
 * A flake is evaluated from its copy in the store (`/nix/store/<hash>-source/…`); those paths
 * are mapped back to the checkout. Other store paths never change and are not inputs. A
 * directory holding the whole project (`src = ./.`) is left out: every edit anywhere would
 * re-evaluate the environment.
 */
export async function localInputs(
  target: EnvTarget,
  readFiles: readonly string[],
): Promise<string[]> {
  const root = path.resolve(targetRoot(target));
  const toLocal =
    target.kind === 'flake' ? await flakeSourceMapper(target.dir, readFiles) : identity;
  const inputs = new Set(entryFiles(target));
  for (const file of readFiles) {
    // Not files of the checkout: nix's own (`<nix/…>`, `«nix-internal»/…`) and, on Nix ≥2.32,
    // other flakes' origins (`«github:o/r/rev»/…`).
    if (!path.isAbsolute(file)) continue;
    const local = toLocal(file);
    if (local === undefined || local.startsWith('/nix/store/')) continue;
    if (contains(local, root)) continue;
    inputs.add(local);
  }
  return [...inputs].sort();
}

const identity = (file: string): string | undefined => file;

/** Maps paths in the flake's store copies (`/nix/store/<hash>-source/…`) to the checkout. */
export async function flakeSourceMapper(
  flakeDir: string,
  readFiles: readonly string[],
): Promise<(file: string) => string | undefined> {
  const top = (await gitTopLevel(flakeDir)) ?? flakeDir;
  const flakeInSource = path.relative(top, path.join(flakeDir, 'flake.nix'));
  // The flake can be evaluated from more than one store copy of its tree: nix copies it
  // again after writing a new flake.lock. Every copy maps back to the checkout.
  const sources = new Set(
    readFiles
      .filter((file) => file.endsWith(`/${flakeInSource}`))
      .flatMap((file) => sourceStorePath.exec(file)?.[0] ?? []),
  );
  return (file) => {
    const source = sourceStorePath.exec(file)?.[0];
    return source && sources.has(source) ? path.join(top, file.slice(source.length)) : file;
  };
}

/**
 * A flake is evaluated from its copy in the store; an error there points at the store copy,
 * which the user cannot edit. Point it at the file in the checkout instead.
 */
export async function inFlakeCheckout(
  error: NixShellError,
  flakeDir: string,
  readFiles: readonly string[],
): Promise<NixShellError> {
  if (error.locations.length === 0) return error;
  const toLocal = await flakeSourceMapper(flakeDir, readFiles);
  return new NixShellError(error.kind, error.message, {
    ...(error.details ? { details: error.details } : {}),
    locations: error.locations.map((l) => ({ ...l, file: toLocal(l.file) ?? l.file })),
    cause: error,
  });
}

/**
 * Whether `outer` is `inner` or one of its ancestors. Both are absolute and normalized (nix
 * reports resolved paths; the root is resolved), so comparing strings suffices: called once
 * per file evaluation read, thousands of times.
 */
function contains(outer: string, inner: string): boolean {
  const prefix = outer.endsWith('/') ? outer : `${outer}/`;
  return inner === outer || inner.startsWith(prefix);
}
