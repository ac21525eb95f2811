import { inflateSync } from 'node:zlib';
import * as z from 'zod/mini';
import type { Environment } from './mutations';

/**
 * What direnv changed, as it records it in `DIRENV_DIFF`: the previous values of the variables
 * it changed or removed (`p`) and their new values (`n`), as JSON, zlib-compressed, in base64
 * with the URL alphabet (direnv's "gzenv" format).
 */
export interface DirenvDiff {
  readonly previous: Environment;
  readonly next: Environment;
}

const variables = z.nullish(z.record(z.string(), z.string()));
const diffSchema = z.object({ p: variables, n: variables });

/** Decodes a `DIRENV_DIFF` value; undefined when it is not one. */
export function decodeDirenvDiff(value: string): DirenvDiff | undefined {
  try {
    const compressed = Buffer.from(value.trim(), 'base64url');
    const parsed = diffSchema.safeParse(JSON.parse(inflateSync(compressed).toString('utf8')));
    if (!parsed.success) return undefined;
    return { previous: parsed.data.p ?? {}, next: parsed.data.n ?? {} };
  } catch {
    return undefined;
  }
}

/** direnv's own bookkeeping, never the user's. */
const direnvVariables = ['DIRENV_DIFF', 'DIRENV_DIR', 'DIRENV_FILE', 'DIRENV_WATCHES'];

/**
 * The environment as it was before direnv (the shell hook or the editor extension) loaded an
 * `.envrc`: what direnv set is taken away and what it changed or removed is given back. An
 * environment without a readable `DIRENV_DIFF` is returned as it is.
 */
export function withoutDirenv(env: Environment): {
  env: Record<string, string>;
  undone: number;
} {
  const recorded = env['DIRENV_DIFF'];
  const diff = recorded === undefined ? undefined : decodeDirenvDiff(recorded);
  if (!diff) return { env: { ...env }, undone: 0 };
  const base: Record<string, string> = { ...env };
  for (const name of Object.keys(diff.next)) delete base[name];
  Object.assign(base, diff.previous);
  for (const name of direnvVariables) {
    if (diff.previous[name] === undefined) delete base[name];
  }
  const changed = new Set([...Object.keys(diff.next), ...Object.keys(diff.previous)]);
  return { env: base, undone: [...changed].filter((n) => !direnvVariables.includes(n)).length };
}
