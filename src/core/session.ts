import { recordInput, type InputRecord } from './cache/inputs';
import type { CacheEntry } from './cache/store';
import {
  captureAndStore,
  inputsUnchanged,
  lookup,
  type EngineContext,
  type Freshness,
} from './engine';
import { asNixShellError, type NixShellError } from './errors';
import { Emitter, type Disposable, type Event } from './events';
import { describeCounts, type ProgressCounts } from './nix/log';
import { silentLogger } from './logger';
import { entryFiles, type TargetSpec } from './target';
import { watchInputs, type InputWatcher } from './watcher';

/** The environment a session currently hands out, and where it came from. */
export interface AppliedEnvironment {
  readonly spec: TargetSpec;
  readonly entry: CacheEntry;
}

/** Why a capture runs: the user asked (enter, reload), or a watched input changed. */
export type CaptureOrigin = 'user' | 'watch';

/**
 * A session's state, as data: the status bar renders it, the adapters apply `applied`.
 * `applied` survives failures and reloads of the same target, so the last good environment
 * stays in force.
 */
export type SessionState =
  | { readonly kind: 'off' }
  | {
      readonly kind: 'loading';
      readonly progress: string;
      /** Builds and downloads finished so far, while nix builds or downloads. */
      readonly counts?: ProgressCounts;
      readonly origin: CaptureOrigin;
      readonly applied?: AppliedEnvironment;
    }
  | { readonly kind: 'active'; readonly applied: AppliedEnvironment }
  | { readonly kind: 'stale'; readonly applied: AppliedEnvironment; readonly reason: string }
  | {
      readonly kind: 'failed';
      readonly error: NixShellError;
      readonly origin: CaptureOrigin;
      readonly applied?: AppliedEnvironment;
    };

export interface SessionOptions {
  /** Read at each use, so changed settings apply to the next capture. */
  readonly engine: () => EngineContext;
  readonly autoReload: () => boolean;
  /** `nixShell.unapplyOnFailure`: drop the last good environment when a capture fails. */
  readonly unapplyOnFailure: () => boolean;
  readonly debounceMs?: number;
  readonly watch?: typeof watchInputs;
}

const defaultDebounceMs = 300;

/**
 * One environment for one workspace folder: applies the cached environment at once, checks it
 * without running nix, re-captures in the background when an input really changed, and owns
 * its watcher and its nix process. Everything it does is reported through `onDidChange`.
 */
export class EnvironmentSession implements Disposable {
  private stateValue: SessionState = { kind: 'off' };
  private spec: TargetSpec | undefined;
  /** Bumped by every enter, reload and leave; older operations drop their results. */
  private generation = 0;
  private running: AbortController | undefined;
  private runningCapture: Promise<void> | undefined;
  private checking = false;
  private watcher: InputWatcher | undefined;
  /** The re-check scheduled now; `scheduled` settles when it has run, or is dropped. */
  private debounce: { timer: NodeJS.Timeout; scheduled: Promise<void>; drop(): void } | undefined;
  /** The re-check that runs now, if one does. */
  private rechecking: Promise<void> | undefined;
  private inputChanges = 0;
  private recheckAfterCapture = false;
  /** The inputs as they were when the last capture failed: no retry until one changes. */
  private failedInputs: InputRecord[] | undefined;
  private readonly changed = new Emitter<SessionState>();

  readonly onDidChange: Event<SessionState> = this.changed.event;

  constructor(private readonly options: SessionOptions) {}

  get state(): SessionState {
    return this.stateValue;
  }

  get target(): TargetSpec | undefined {
    return this.spec;
  }

  get applied(): AppliedEnvironment | undefined {
    return this.stateValue.kind === 'off' ? undefined : this.stateValue.applied;
  }

  /**
   * Enters an environment. Resolves as soon as a cached environment is applied (before any nix
   * process runs) or known to be missing; a capture, when one is needed, goes on in the
   * background (`settled()` waits for it).
   */
  async enter(spec: TargetSpec): Promise<void> {
    const kept = this.spec && sameTarget(this.spec, spec) ? this.applied : undefined;
    const generation = this.reset();
    this.spec = spec;
    const context = this.options.engine();
    let found: Awaited<ReturnType<typeof lookup>>;
    try {
      found = await lookup(spec, context);
    } catch (thrown) {
      if (generation !== this.generation) return;
      this.fail(asNixShellError(thrown), 'user', kept);
      return;
    }
    if (generation !== this.generation) return;
    if (!found.entry) {
      const reason = found.freshness.fresh ? '' : found.freshness.reason;
      context.logger.info(`no usable cached environment (${reason})`);
      this.startCapture(generation, 'user', kept);
      return;
    }
    const applied = { spec, entry: found.entry };
    const inputs = found.entry.inputs.map((input) => input.path);
    if (found.freshness.fresh) {
      context.logger.info(
        `applied the cached environment from ${found.entry.capturedAt}; nothing changed`,
      );
      this.setState({ kind: 'active', applied });
      // After applying: setting up watchers for many inputs takes a while, and the editor
      // needs the environment first. Both happen before enter resolves.
      this.watch(inputs);
      return;
    }
    context.logger.info(`applied the cached environment; it is stale: ${found.freshness.reason}`);
    this.setState({ kind: 'stale', applied, reason: found.freshness.reason });
    this.watch(inputs);
    if (this.options.autoReload()) this.startCapture(generation, 'user', applied);
  }

  /** Captures again now, whatever the cache says; resolves when the capture ends. */
  async reload(): Promise<void> {
    if (!this.spec) return;
    const kept = this.applied;
    this.cancelRunning();
    this.dropRecheck();
    this.startCapture(++this.generation, 'user', kept, true);
    await this.settled();
  }

  /** Resolves when no capture is running. */
  async settled(): Promise<void> {
    while (this.runningCapture) await this.runningCapture;
  }

  /**
   * Resolves when nothing is pending: no capture running, no re-check scheduled or running.
   * What a change seen before the call starts is over by then.
   */
  async idle(): Promise<void> {
    for (;;) {
      const pending = this.runningCapture ?? this.rechecking ?? this.debounce?.scheduled;
      if (!pending) return;
      await pending;
    }
  }

  /** Resolves once the watcher of the inputs reports every change (its initial scan is done). */
  async watching(): Promise<void> {
    await this.watcher?.ready;
  }

  /** How many changes of its inputs the watcher has reported, so far. */
  get changesSeen(): number {
    return this.inputChanges;
  }

  /** Stops a running capture, and any re-check queued behind it; what was applied stays. */
  cancel(): void {
    this.recheckAfterCapture = false;
    this.dropRecheck();
    this.running?.abort();
  }

  /** Reverts everything: no environment, no watcher, no process. */
  leave(): void {
    this.reset();
    this.spec = undefined;
    this.setState({ kind: 'off' });
  }

  /** Stops everything; listeners hear a last `off` (the applied environment is theirs to keep). */
  dispose(): void {
    this.leave();
    this.changed.dispose();
  }

  private reset(): number {
    this.cancelRunning();
    this.watcher?.dispose();
    this.watcher = undefined;
    this.dropRecheck();
    this.failedInputs = undefined;
    this.recheckAfterCapture = false;
    return ++this.generation;
  }

  private cancelRunning(): void {
    this.running?.abort();
    this.running = undefined;
  }

  private startCapture(
    generation: number,
    origin: CaptureOrigin,
    kept: AppliedEnvironment | undefined,
    force = false,
  ): void {
    const capture = this.capture(generation, origin, kept, force).finally(() => {
      if (this.runningCapture === capture) this.runningCapture = undefined;
    });
    this.runningCapture = capture;
  }

  /** Never rejects: every outcome becomes a state. */
  private async capture(
    generation: number,
    origin: CaptureOrigin,
    kept: AppliedEnvironment | undefined,
    force: boolean,
  ): Promise<void> {
    const spec = this.spec;
    if (!spec) return;
    const context = this.options.engine();
    const controller = new AbortController();
    this.running = controller;
    const started = Date.now();
    // What the wait is for ("builds 2, downloads 1.4 MiB"), once the plan knows it.
    let cost: string | undefined;
    let lastProgress = 'evaluating';
    let lastCounts: ProgressCounts | undefined;
    const loading = (progress: string, counts?: ProgressCounts) => {
      lastProgress = progress;
      lastCounts = counts;
      if (generation !== this.generation) return;
      const text = cost ? `${cost} · ${progress}` : progress;
      const counted = counts && describeCounts(counts) !== '' ? { counts } : {};
      this.setState({
        kind: 'loading',
        progress: text,
        ...counted,
        origin,
        ...(kept ? { applied: kept } : {}),
      });
    };
    loading('evaluating');
    // Stopped with the capture, whichever way it ends: no nix process outlives it.
    const planStop = new AbortController();
    controller.signal.addEventListener('abort', () => planStop.abort());
    const planning = kept ? undefined : this.planAlongside(spec, context, planStop.signal);
    void planning?.then((words) => {
      cost = words;
      if (words && this.running === controller) loading(lastProgress, lastCounts);
    });
    try {
      const entry = await captureAndStore(spec, context, {
        signal: controller.signal,
        onProgress: loading,
        force,
      });
      if (generation !== this.generation) return;
      this.failedInputs = undefined;
      this.watch(entry.inputs.map((input) => input.path));
      this.setState({ kind: 'active', applied: { spec, entry } });
      if (entry.unverified) this.scheduleRecheck();
    } catch (thrown) {
      if (generation !== this.generation) return;
      const error = asNixShellError(thrown);
      if (error.kind === 'cancelled') {
        context.logger.info('evaluation cancelled');
        this.setState(
          kept
            ? { kind: 'stale', applied: kept, reason: 'the evaluation was cancelled' }
            : { kind: 'off' },
        );
        return;
      }
      this.fail(error, origin, kept);
      await this.watchAfterFailure(spec, error, kept, started, generation);
    } finally {
      planStop.abort();
      // Its nix processes are gone before the capture counts as settled.
      await planning;
      if (this.running === controller) this.running = undefined;
      if (generation === this.generation && this.recheckAfterCapture) {
        this.recheckAfterCapture = false;
        this.scheduleRecheck();
      }
    }
  }

  /**
   * The plan costs an evaluation of its own, so it runs only when nothing is applied yet (a
   * first open, or an environment garbage-collected): the long waits. It runs beside the
   * capture, not before it, so it never delays it, and it stops when the capture ends.
   */
  private async planAlongside(
    spec: TargetSpec,
    context: EngineContext,
    signal: AbortSignal,
  ): Promise<string | undefined> {
    // nix's own messages belong to the capture's log; the plan's would repeat them.
    const quiet = {
      ...context,
      logger: { ...silentLogger, debug: (m: string) => context.logger.debug(`plan: ${m}`) },
    };
    try {
      // Loaded with the capture it goes alongside, not with the session.
      const { planInWords } = await import('./store/enterPlan');
      const { words } = await planInWords(spec, quiet, signal);
      if (words) context.logger.info(`entering ${words}`);
      return words;
    } catch (error) {
      context.logger.debug(`no plan: ${asNixShellError(error).message}`);
      return undefined;
    }
  }

  private fail(
    error: NixShellError,
    origin: CaptureOrigin,
    kept: AppliedEnvironment | undefined,
  ): void {
    const context = this.options.engine();
    context.logger.error(error.message);
    if (error.details) context.logger.error(error.details);
    const keep = kept && !this.options.unapplyOnFailure() ? { applied: kept } : {};
    this.setState({ kind: 'failed', error, origin, ...keep });
  }

  /**
   * After a failure, watch the files involved and remember them as they are: no retry until
   * one changes. A file saved while the failing evaluation ran may hold the fix: retry then.
   */
  private async watchAfterFailure(
    spec: TargetSpec,
    error: NixShellError,
    kept: AppliedEnvironment | undefined,
    started: number,
    generation: number,
  ): Promise<void> {
    const watched = [
      ...(kept?.entry.inputs.map((input) => input.path) ?? []),
      ...entryFiles(spec.target),
      ...error.locations.map((l) => l.file).filter((file) => !file.startsWith('/nix/store/')),
    ];
    const records = await Promise.all([...new Set(watched)].map(recordInput));
    if (generation !== this.generation) return;
    this.watch(records.map((input) => input.path));
    // Edited while nix ran: what failed may not be what is on disk now. Leave no record, so
    // that the re-check sees a change and captures again.
    const editedMeanwhile = records.some((input) => input.mtimeMs > started);
    this.failedInputs = editedMeanwhile ? undefined : records;
    if (editedMeanwhile) this.recheckAfterCapture = true;
  }

  private watch(paths: readonly string[]): void {
    this.watcher?.dispose();
    const watch = this.options.watch ?? watchInputs;
    this.watcher = watch(paths, () => this.onInputChanged(), this.options.engine().logger);
  }

  private onInputChanged(): void {
    this.inputChanges++;
    if (this.running || this.checking) {
      this.recheckAfterCapture = true;
      return;
    }
    this.scheduleRecheck();
  }

  /** Many saves in a row make one check, and at most one evaluation. */
  private scheduleRecheck(): void {
    this.dropRecheck();
    let done = () => {};
    const scheduled = new Promise<void>((resolve) => (done = resolve));
    const timer = setTimeout(() => {
      this.debounce = undefined;
      const running = this.recheck().catch((error: unknown) =>
        this.options.engine().logger.error(`checking the inputs: ${String(error)}`),
      );
      this.rechecking = running;
      void running.finally(() => {
        if (this.rechecking === running) this.rechecking = undefined;
        done();
      });
    }, this.options.debounceMs ?? defaultDebounceMs);
    this.debounce = {
      timer,
      scheduled,
      drop: () => {
        clearTimeout(timer);
        done();
      },
    };
  }

  private dropRecheck(): void {
    this.debounce?.drop();
    this.debounce = undefined;
  }

  private async recheck(): Promise<void> {
    const generation = this.generation;
    const state = this.stateValue;
    this.checking = true;
    let freshness: Freshness;
    try {
      freshness = await this.currentFreshness(state);
    } finally {
      this.checking = false;
    }
    if (generation !== this.generation) return;
    if (freshness.fresh) {
      if (this.recheckAfterCapture) {
        this.recheckAfterCapture = false;
        this.scheduleRecheck();
      }
      return;
    }
    const context = this.options.engine();
    context.logger.info(`the environment is stale: ${freshness.reason}`);
    const applied = this.applied;
    if (applied && state.kind !== 'failed') {
      this.setState({ kind: 'stale', applied, reason: freshness.reason });
    }
    if (this.options.autoReload()) this.startCapture(generation, 'watch', applied);
  }

  private async currentFreshness(state: SessionState): Promise<Freshness> {
    if (state.kind === 'failed') {
      // Failed without a record of its inputs (the failure happened during a re-check):
      // anything that changed is worth a retry.
      return this.failedInputs
        ? inputsUnchanged(this.failedInputs)
        : { fresh: false, reason: 'an input changed' };
    }
    if (state.kind === 'active' || state.kind === 'stale') {
      if (state.applied.entry.unverified) {
        return { fresh: false, reason: 'an input changed during evaluation' };
      }
      return inputsUnchanged(state.applied.entry.inputs);
    }
    // Loading: a capture is running and will be followed by a re-check if needed.
    return { fresh: true };
  }

  private setState(state: SessionState): void {
    this.stateValue = state;
    this.changed.fire(state);
  }
}

/**
 * The same file or devShell (its arguments may differ): its last environment stays applied
 * while it is evaluated again. Another target starts from nothing.
 */
function sameTarget(a: TargetSpec, b: TargetSpec): boolean {
  return JSON.stringify(a.target) === JSON.stringify(b.target);
}
