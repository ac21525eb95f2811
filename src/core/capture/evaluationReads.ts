// nix's evaluation cache (on by default, as `nix develop` uses it) answers a flake's devShell
// from a database keyed by the locked flake, without evaluating it: nix then reads, and
// reports, few or none of the files evaluation reads, and those files are the inputs an
// environment is checked against. So what each evaluation read is remembered here, per store
// copy of the flake's tree (named by its content) and cache key (the nix, its settings, the
// devShell and arguments): the same copy under the same key is the same pure evaluation. An
// answer from the cache then costs what it costs `nix develop`, and the inputs stay exact.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { keepNewest, readJsonFile, writeFileAtomic } from '../fs';
import type { FlakeCopies } from './inputs';

/** Evaluations remembered per machine: small files, one per version of a flake evaluated. */
const keptEvaluations = 256;

/**
 * What one evaluation read that can be an input: files of the flake's own copy by their path in
 * it, and files outside the store (a relative path input, read from the checkout by Nix 2.26).
 */
export interface Remembered {
  readonly inSource: readonly string[];
  readonly elsewhere: readonly string[];
}

function isRemembered(value: unknown): value is Remembered {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Partial<Remembered>;
  const strings = (list: unknown) =>
    Array.isArray(list) && list.every((item) => typeof item === 'string');
  return strings(record.inSource) && strings(record.elsewhere);
}

/** Remembers, per copy of the flake's tree, the files an evaluation under one key read. */
export class EvaluationReads {
  constructor(
    private readonly dir: string,
    /** The capture's cache key: what, besides the tree, decides what evaluation reads. */
    private readonly key: string,
  ) {}

  /** Where the reads of a copy are kept; with none, those of the last copy evaluated. */
  private file(source?: string): string {
    const hash = createHash('sha256').update(JSON.stringify([source ?? null, this.key]));
    return path.join(this.dir, `${hash.digest('hex').slice(0, 32)}.json`);
  }

  /**
   * What the last evaluation under this key read, by path in the copy or whole: to hash while
   * nix runs, before it names the copy (late, once it has copied the tree).
   */
  recallLatest(): Promise<Remembered | undefined> {
    return this.read();
  }

  /**
   * The files an earlier evaluation of this copy read, as that run reported them, with this
   * copy's path; undefined when none is remembered.
   */
  async recall(source: string): Promise<string[] | undefined> {
    const remembered = await this.read(source);
    if (!remembered) return undefined;
    return [...remembered.inSource.map((file) => source + file), ...remembered.elsewhere];
  }

  private async read(source?: string): Promise<Remembered | undefined> {
    const remembered = await readJsonFile(this.file(source));
    return isRemembered(remembered) ? remembered : undefined;
  }

  /** Remembers what an evaluation read. Only a cache: a failure to write loses nothing. */
  async remember(copies: FlakeCopies, readFiles: readonly string[]): Promise<void> {
    const inSource: string[] = [];
    const elsewhere: string[] = [];
    for (const file of readFiles) {
      if (!path.isAbsolute(file)) continue;
      const source = copies.sourceOf(file);
      if (source) inSource.push(file.slice(source.length));
      // Other store paths (nixpkgs', thousands of them) never change and are never inputs.
      else if (!file.startsWith('/nix/store/')) elsewhere.push(file);
    }
    const content = JSON.stringify({ inSource, elsewhere } satisfies Remembered);
    try {
      await Promise.all(
        [...copies.sources, undefined].map((source) =>
          writeFileAtomic(this.file(source), content, { flush: false }),
        ),
      );
      await keepNewest(this.dir, (name) => name.endsWith('.json'), keptEvaluations);
    } catch {
      // A read-only or full disk: the next answer from the cache evaluates again.
    }
  }
}
