import path from 'node:path';
import { captureEnvironment } from './capture/capture';
import { InputRecorder } from './cache/inputs';
import { cacheKeys, cacheSchemaVersion, type CacheKeys } from './cache/key';
import { describeHolder, withFileLock } from './cache/lock';
import type { EnvironmentCache, CacheEntry } from './cache/store';
import type { StepContext } from './capture/run';
import { checkFreshness, type CaptureOptions, type EngineContext } from './engine';
import type { Environment } from './env/mutations';
import { NixShellError } from './errors';
import { pathExists } from './fs';
import {
  profileFor,
  profileStorePath,
  prunePathRoots,
  pruneGenerations,
  removeRoots,
  rootStorePaths,
} from './gcroots';
import { locateNix, type NixInstallation } from './nix/installation';
import { lockFileName } from './pin/lockFileName';
import { targetLabel, targetRoot, type TargetSpec } from './target';

/** engine.ts's captureAndStore, loaded when a capture runs. */
export async function captureAndStoreNow(
  spec: TargetSpec,
  context: EngineContext,
  options: CaptureOptions = {},
): Promise<CacheEntry> {
  const nix = options.lookedUp?.nix ?? (await locateNix(context.nixPath, context.base['PATH']));
  const keys =
    options.lookedUp?.nix === nix
      ? options.lookedUp.keys
      : await cacheKeys(spec, nix, context.base);
  const key = keys.key;
  if (!key) throw new NixShellError('nix-not-found', 'nix was not found');
  const lockFile = path.join(context.cache.directory, 'locks', `${key}.lock`);
  return withFileLock(
    lockFile,
    async (waited) => {
      if (waited && !options.force) {
        const existing = await context.cache.read(key);
        if (existing && (await checkFreshness(existing, keys)).fresh) {
          context.logger.info('another window captured this environment; using its result');
          return existing;
        }
      }
      // Scratch directories are removed while the result is stored, and before the lock goes.
      const cleanups: Promise<unknown>[] = [];
      try {
        return await captureFresh(spec, nix, keys, key, context, options, (cleanup) =>
          cleanups.push(cleanup),
        );
      } finally {
        await Promise.allSettled(cleanups);
      }
    },
    {
      signal: options.signal,
      client: context.client,
      onWait: (holder) => {
        const text = `waiting for ${describeHolder(holder)} to finish…`;
        context.logger.info(text);
        options.onWait?.(text);
        options.onProgress?.(text);
      },
    },
  );
}

/**
 * The project's pinned nixpkgs in the store, fetched (and hash-checked) if it is not there
 * yet: the zero-edit pin. Undefined when the project has no `nixpkgs.lock.json`.
 */
async function realisePinnedNixpkgs(
  spec: TargetSpec,
  nix: NixInstallation,
  context: EngineContext,
  options: CaptureOptions,
): Promise<string | undefined> {
  // A flake's devShells evaluate purely, against its own inputs (flake.lock): <nixpkgs> is unused.
  if (!spec.pinDir || spec.target.kind === 'flake') return undefined;
  const pinDir = spec.pinDir;
  // The pin code (and its schema library) loads only for a project that has a lock.
  if (!(await pathExists(path.join(pinDir, lockFileName)))) return undefined;
  const { namingLockFile, pinnedStorePathIfPresent, pinSources, readLock, realisePin } =
    await import('./pin');
  const lock = await readLock(pinDir).catch((error: unknown) => {
    throw namingLockFile(error, pinDir);
  });
  if (!lock) return undefined;
  if (!(await pinnedStorePathIfPresent(lock))) options.onProgress?.('fetching the pinned nixpkgs');
  const storePath = await realisePin(lock, {
    nix,
    env: context.base,
    sources: pinSources({}, context.base),
    logger: context.logger,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  context.logger.info(`<nixpkgs> is the pinned ${lock.locked.rev.slice(0, 7)}: ${storePath}`);
  return storePath;
}

/**
 * The spec and environment nix evaluates with: a pinned nixpkgs (fetched if needed) first on
 * the search path. What capture, `plan` and `push` all evaluate, so they agree on the shell.
 */
export async function evaluation(
  spec: TargetSpec,
  nix: NixInstallation,
  context: EngineContext,
  options: CaptureOptions,
): Promise<{ pinned: string | undefined; spec: TargetSpec; evalBase: Record<string, string> }> {
  const pinned = await realisePinnedNixpkgs(spec, nix, context, options);
  if (!pinned) return { pinned, spec, evalBase: context.base };
  // -I as well as NIX_PATH: a `nix-path` in nix.conf makes nix 2.14–2.23 ignore NIX_PATH.
  return {
    pinned,
    spec: { ...spec, args: [...spec.args, '-I', `nixpkgs=${pinned}`] },
    evalBase: withNixpkgs(context.base, pinned),
  };
}

/** `<nixpkgs>` resolves to `storePath` first, for evaluation and for the shell's own NIX_PATH. */
function withNixpkgs(base: Environment, storePath: string): Record<string, string> {
  const rest = base['NIX_PATH'] ? `:${base['NIX_PATH']}` : '';
  return { ...base, NIX_PATH: `nixpkgs=${storePath}${rest}` };
}

/**
 * Entries of the same target under other keys (an older nix, another NIX_PATH, other args)
 * are superseded by the new one: delete them and their GC roots, so old toolchains do not stay
 * pinned against garbage collection forever.
 */
async function pruneSupersededEntries(cache: EnvironmentCache, current: CacheEntry): Promise<void> {
  // One read per entry in the cache, of every project: all at once, not one after another.
  await Promise.all(
    (await cache.keys()).map(async (key) => {
      if (key === current.key) return;
      if ((await cache.targetIdOf(key)) !== current.targetId) return;
      await cache.remove(key);
      await removeRoots(cache.directory, key);
    }),
  );
}

async function captureFresh(
  spec: TargetSpec,
  nix: NixInstallation,
  keys: CacheKeys,
  key: string,
  context: EngineContext,
  options: CaptureOptions,
  deferCleanup: StepContext['deferCleanup'],
): Promise<CacheEntry> {
  const started = Date.now();
  const [profile, { pinned, spec: evaluated, evalBase }] = await Promise.all([
    profileFor(context.cache.directory, key),
    evaluation(spec, nix, context, options),
  ]);
  const recorder = new InputRecorder();
  const capture = await captureEnvironment(
    {
      spec: evaluated,
      nix,
      base: context.base,
      ...(pinned ? { evalBase } : {}),
      profile,
      machineDir: context.machineDir ?? context.cache.directory,
      key,
    },
    {
      logger: context.logger,
      signal: options.signal,
      onProgress: options.onProgress,
      evaluationTimeoutMs: context.evaluationTimeoutMs,
      hookTimeoutMs: context.hookTimeoutMs,
      onReadFile: (file) => recorder.prefetch(file),
      deferCleanup,
    },
  );
  // Creating, editing or removing the pin makes the environment stale.
  const lockFile =
    spec.pinDir && spec.target.kind === 'file' ? [path.join(spec.pinDir, lockFileName)] : [];
  // Inputs, the `-env` path and the GC roots of the rest do not depend on each other.
  const [inputs, envStorePath, pathRoots] = await Promise.all([
    Promise.all(
      [...new Set([...capture.inputs, ...lockFile, ...(spec.watch ?? [])])].map((file) =>
        recorder.record(file),
      ),
    ),
    capture.method === 'print-dev-env' ? profileStorePath(profile) : undefined,
    // Root what the environment refers to as well: nix-shell gives no `-env` path, and a
    // pinned nixpkgs (on NIX_PATH) is not in the `-env` path's closure.
    rootStorePaths(nix, context.cache.directory, key, capture.storePaths, context.base),
  ]);
  // nix itself may write flake.lock while evaluating; that is not an edit by the user.
  const editedDuringCapture = inputs.filter(
    (input) => input.mtimeMs > started && path.basename(input.path) !== 'flake.lock',
  );
  for (const input of editedDuringCapture) {
    context.logger.info(`${input.path} changed during evaluation; the result will be re-checked`);
  }
  if (!envStorePath && !pathRoots && capture.storePaths.length > 0) {
    context.logger.warn(
      'could not register GC roots: a garbage collection may remove this environment',
    );
  }
  const entry: CacheEntry = {
    schema: cacheSchemaVersion,
    key,
    targetId: keys.targetId,
    capturedAt: new Date().toISOString(),
    nixVersion: capture.nixVersion,
    method: capture.method,
    mutations: capture.mutations,
    shell: capture.shell,
    inputs,
    storePaths: [...capture.storePaths, ...(envStorePath ? [envStorePath] : [])],
    ...(envStorePath ? { gcRoot: profile } : pathRoots ? { gcRoot: pathRoots } : {}),
    unverified: editedDuringCapture.length > 0,
    warnings: capture.warnings,
    nixpkgs: pinned ? 'pinned' : capture.usedSearchPathNixpkgs ? 'search-path' : 'none',
    project: spec.pinDir ?? targetRoot(spec.target),
    targetLabel: targetLabel(spec.target, spec.pinDir ?? targetRoot(spec.target)),
  };
  for (const warning of entry.warnings) context.logger.warn(warning);
  await context.cache.write(entry);
  // What the new entry supersedes: roots of this key's earlier captures, and other keys' entries.
  await Promise.all([
    pruneGenerations(profile),
    pathRoots ? prunePathRoots(context.cache.directory, key, pathRoots) : undefined,
    pruneSupersededEntries(context.cache, entry),
  ]);
  context.logger.info(
    `captured ${spec.target.kind === 'file' ? spec.target.file : spec.target.dir} with ${capture.method} in ${Date.now() - started} ms: ${entry.mutations.length} variables, ${inputs.length} inputs`,
  );
  return entry;
}
