import { firstChangedInput, type InputRecord } from './cache/inputs';
import { cacheKeys, type CacheKeys } from './cache/key';
import { EnvironmentCache, storePathsExist, type CacheEntry } from './cache/store';
import type { Environment } from './env/mutations';
import { isHostVariable } from './env/variables';
import { touchRoots } from './gcroots';
import type { Logger } from './logger';
import { locateNix, type NixInstallation } from './nix/installation';
import type { TargetSpec } from './target';
import type { StepContext } from './capture/run';

/** What the engine needs from its host (the editor or the CLI). */
export interface EngineContext {
  readonly cache: EnvironmentCache;
  /** The user's environment, as nix and the shellHook should see it. */
  readonly base: Environment;
  readonly logger: Logger;
  /** `nixShell.nixPath`: the nix executable or its directory; PATH when undefined. */
  readonly nixPath?: string | undefined;
  readonly evaluationTimeoutMs: number;
  readonly hookTimeoutMs: number;
  /** Names this host in the capture lock, for another one waiting: `nixshell env`, `VS Code`. */
  readonly client?: string | undefined;
  /**
   * Where facts of the machine, not of an environment, are kept: `nix --version`'s answers and
   * the files each flake evaluation read. A host whose caches of environments vary (`nixshell
   * env --cache-dir`) keeps them in one place. The cache's directory when undefined.
   */
  readonly machineDir?: string | undefined;
}

export type Freshness =
  | { readonly fresh: true }
  | {
      readonly fresh: false;
      readonly reason: string;
      /** The entry cannot even be applied: store paths it needs were garbage-collected. */
      readonly unusable?: boolean;
    };

export interface Lookup {
  readonly keys: CacheKeys;
  readonly nix: NixInstallation | undefined;
  /**
   * The entry for exactly this key, or else the target's last one (to apply while
   * re-capturing); undefined if none exists or its store paths are gone.
   */
  readonly entry: CacheEntry | undefined;
  readonly freshness: Freshness;
}

/** The editor's own variables are not the user's; a capture must not see or diff them. */
export function baseEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const base: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && !isHostVariable(name)) base[name] = value;
  }
  return base;
}

/**
 * Finds the cached environment for a target and whether it is still valid. Starts no process:
 * nix is located on disk, inputs are compared by stat, and hashed only when their mtime moved.
 */
export async function lookup(spec: TargetSpec, context: EngineContext): Promise<Lookup> {
  const nix = await locateNix(context.nixPath, context.base['PATH']).catch(() => undefined);
  const keys = await cacheKeys(spec, nix, context.base);
  const exact = keys.key ? await context.cache.read(keys.key) : undefined;
  const entry = exact ?? (await context.cache.latestFor(keys.targetId));
  if (!entry) return { keys, nix, entry, freshness: { fresh: false, reason: 'not captured yet' } };
  // Touched whatever the check finds: the roots of an entry that turns out unusable are
  // pruned by its next capture anyway.
  const [freshness] = await Promise.all([
    checkFreshness(entry, keys),
    touchRoots(context.cache.directory, entry.key),
  ]);
  const usable = freshness.fresh || !freshness.unusable;
  return { keys, nix, entry: usable ? entry : undefined, freshness };
}

export async function checkFreshness(entry: CacheEntry, keys: CacheKeys): Promise<Freshness> {
  if (!storePathsExist(entry)) {
    return { fresh: false, reason: 'its store paths were garbage-collected', unusable: true };
  }
  if (entry.key !== keys.key) {
    return { fresh: false, reason: 'nix, NIX_PATH or the nix settings changed' };
  }
  if (entry.unverified) return { fresh: false, reason: 'an input changed during evaluation' };
  return inputsUnchanged(entry.inputs);
}

/** Whether any recorded input changed since it was recorded. */
export async function inputsUnchanged(inputs: readonly InputRecord[]): Promise<Freshness> {
  const changed = await firstChangedInput(inputs);
  return changed ? { fresh: false, reason: changed.reason } : { fresh: true };
}

export interface CaptureOptions {
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: StepContext['onProgress'];
  /** Capture even when another window just stored a fresh entry (an explicit reload). */
  readonly force?: boolean | undefined;
  /** Told (as well as onProgress) that another process holds the capture, and whose it is. */
  readonly onWait?: ((text: string) => void) | undefined;
  /**
   * The nix and keys a lookup of the same spec found a moment ago (`nixshell env` on a miss):
   * used as they are instead of being worked out again. Not for a capture that comes later,
   * when nix or its settings may have changed.
   */
  readonly lookedUp?: Pick<Lookup, 'nix' | 'keys'> | undefined;
}

/**
 * Captures the environment and stores it, one capture per key across windows and processes.
 * A second caller waits for the first and takes its result when it is still fresh.
 */
export async function captureAndStore(
  spec: TargetSpec,
  context: EngineContext,
  options: CaptureOptions = {},
): Promise<CacheEntry> {
  // The capture code (nix, the pin, process handling) loads when a capture runs: the warm
  // path, a reopen or `nixshell env` on a cache hit, never needs it.
  const { captureAndStoreNow } = await import('./captureStore');
  return captureAndStoreNow(spec, context, options);
}
