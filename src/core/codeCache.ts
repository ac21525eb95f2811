import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Script } from 'node:vm';
import { keepNewest, writeFileAtomic } from './fs';

/**
 * How a file's compiled code was found: `accepted` from the cache; `rejected` by V8 (another
 * V8, other flags, a damaged file); `absent`; `off` when no cache directory is given.
 */
export type CodeCacheStatus = 'accepted' | 'rejected' | 'absent' | 'off';

/** What each status means for this start, as the log says it. */
export const codeCacheNotes: Record<CodeCacheStatus, string> = {
  accepted: 'code cache used',
  rejected: 'code cache rejected by V8 (another Node or V8); written again',
  absent: 'no code cache yet; written after activation',
  off: 'code cache off (NODE_DISABLE_COMPILE_CACHE)',
};

export interface CodeCachedModule {
  readonly exports: unknown;
  readonly status: CodeCacheStatus;
  /** Writes the code V8 has compiled so far (more, the later it is called). */
  readonly save: () => Promise<void>;
}

/** Cache files of one script kept per directory: other versions and other Nodes or VS Codes. */
const keptPerScript = 4;

/**
 * Runs a CommonJS file as `require` would, with V8's code cache kept in `cacheDir`: a later
 * start skips parsing and compiling what an earlier one compiled. The cache file is named by a
 * hash of the source and of the runtime, since V8 itself checks only the source's length.
 * Nothing here can fail the load: a cache that cannot be read or written is only slower.
 */
export function loadWithCodeCache(
  file: string,
  cacheDir: string | undefined,
  requireFromFile: NodeJS.Require,
): CodeCachedModule {
  const source = readFileSync(file, 'utf8');
  const prefix = `${path.basename(file)}-`;
  const cacheFile =
    cacheDir === undefined ? undefined : path.join(cacheDir, `${prefix}${runtimeHash(source)}.v8`);
  const cachedData = cacheFile === undefined ? undefined : readIfPresent(cacheFile);
  // On one line, as Node's own wrapper, so that lines in stack traces and source maps hold.
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new Script(wrapped, { filename: file, ...(cachedData ? { cachedData } : {}) });
  const module = { exports: {} as unknown };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(module.exports, module.exports, requireFromFile, module, file, path.dirname(file));
  return {
    exports: module.exports,
    status:
      cacheFile === undefined
        ? 'off'
        : !cachedData
          ? 'absent'
          : script.cachedDataRejected === true
            ? 'rejected'
            : 'accepted',
    save: async () => {
      if (cacheFile === undefined) return;
      try {
        await writeFileAtomic(cacheFile, script.createCachedData());
        await keepNewest(
          path.dirname(cacheFile),
          (name) => name.startsWith(prefix) && name.endsWith('.v8'),
          keptPerScript,
        );
      } catch {
        // A read-only or full disk: the next start compiles again, as without a cache.
      }
    },
  };
}

function runtimeHash(source: string): string {
  return createHash('sha256')
    .update(`${process.version} ${process.arch} ${process.versions.v8}\n`)
    .update(source)
    .digest('hex')
    .slice(0, 32);
}

function readIfPresent(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}
