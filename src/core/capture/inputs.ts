import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
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
  copies?: FlakeCopies,
): Promise<string[]> {
  const root = path.resolve(targetRoot(target));
  const toLocal =
    target.kind === 'flake' ? await flakeSourceMapper(target.dir, readFiles, copies) : identity;
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

/**
 * The store copies (`/nix/store/<hash>-source/…`) of the flake's own tree, learnt from the
 * files nix reports reading, and the checkout they copy: the git top level, or the flake's
 * directory outside git. A flake can be evaluated from more than one copy: nix copies its tree
 * again after writing a new flake.lock.
 */
export class FlakeCopies {
  private readonly known = new Set<string>();
  private readonly others = new Set<string>();

  private constructor(
    private readonly top: string,
    private readonly flakeInSource: string,
    private readonly flakeNix: Buffer | undefined,
  ) {}

  static async of(flakeDir: string): Promise<FlakeCopies> {
    const top = (await gitTopLevel(flakeDir)) ?? flakeDir;
    const flakeNix = await readFile(path.join(flakeDir, 'flake.nix')).catch(() => undefined);
    return new FlakeCopies(top, path.relative(top, path.join(flakeDir, 'flake.nix')), flakeNix);
  }

  get sources(): ReadonlySet<string> {
    return this.known;
  }

  /** Takes a file nix read: a copy's flake.nix makes it known. Returns a copy so learnt. */
  learn(file: string): string | undefined {
    if (!file.endsWith(`/${this.flakeInSource}`)) return undefined;
    const source = sourceStorePath.exec(file)?.[0];
    if (!source || this.known.has(source) || this.others.has(source)) return undefined;
    // An input that is a flake has its flake.nix at the same place when both are at the top
    // of their trees: a copy of this checkout has this checkout's flake.nix. Read once per
    // copy, a few small files per capture.
    if (!this.hasCheckoutFlakeNix(file)) {
      this.others.add(source);
      return undefined;
    }
    this.known.add(source);
    return source;
  }

  private hasCheckoutFlakeNix(file: string): boolean {
    if (!this.flakeNix) return true;
    try {
      return readFileSync(file).equals(this.flakeNix);
    } catch {
      // Unreadable here (a store this process cannot read): taken for a copy, as the path says.
      return true;
    }
  }

  /** The copy `file` is in, if it is in a known one. */
  sourceOf(file: string): string | undefined {
    const source = sourceStorePath.exec(file)?.[0];
    return source && this.known.has(source) ? source : undefined;
  }

  /** `file`, or for a file in a known copy the checkout's file. */
  toLocal(file: string): string {
    const source = this.sourceOf(file);
    return source ? this.inCheckout(file.slice(source.length)) : file;
  }

  /** The checkout's file at a path in a copy (`/nix/tools.nix`). */
  inCheckout(pathInCopy: string): string {
    return path.join(this.top, pathInCopy);
  }
}

/**
 * Maps paths in the flake's store copies (`/nix/store/<hash>-source/…`) to the checkout; with
 * the copies a capture learnt as nix ran, if given.
 */
export async function flakeSourceMapper(
  flakeDir: string,
  readFiles: readonly string[],
  learnt?: FlakeCopies,
): Promise<(file: string) => string | undefined> {
  const copies = learnt ?? (await FlakeCopies.of(flakeDir));
  for (const file of readFiles) copies.learn(file);
  return (file) => copies.toLocal(file);
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
