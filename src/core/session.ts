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
import { entryFiles, type TargetSpec } from './target';
import { watchInputs } from './watcher';

/** The environment a session currently hands out, and where it came from. */
export interface AppliedEnvironment {
  readonly spec: TargetSpec;
  readonly entry: CacheEntry;
}

/**
 * A session's state, as data: the status bar renders it, the adapters apply `applied`.
 * `applied` survives failures and reloads, so the last good environment stays in force.
 */
export type SessionState =
  | { readonly kind: 'off' }
  | { readonly kind: 'loading'; readonly progress: string; readonly applied?: AppliedEnvironment }
  | { readonly kind: 'active'; readonly applied: AppliedEnvironment }
  | { readonly kind: 'stale'; readonly applied: AppliedEnvironment; readonly reason: string }
  | {
      readonly kind: 'failed';
      readonly error: NixShellError;
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
  private watcher: Disposable | undefined;
  private debounce: NodeJS.Timeout | undefined;
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
   * Enters an environment: a cached one is applied before any nix process runs, then checked;
   * nix only runs when nothing is cached or an input changed.
   */
  async enter(spec: TargetSpec): Promise<void> {
    const generation = this.reset();
    this.spec = spec;
    const context = this.options.engine();
    const found = await lookup(spec, context);
    if (generation !== this.generation) return;
    if (!found.entry) {
      context.logger.info(
        `no usable cached environment (${found.freshness.fresh ? '' : found.freshness.reason})`,
      );
      await this.capture(generation);
      return;
    }
    const applied = { spec, entry: found.entry };
    this.watch(found.entry.inputs.map((input) => input.path));
    if (found.freshness.fresh) {
      context.logger.info(
        `applied the cached environment from ${found.entry.capturedAt}; nothing changed`,
      );
      this.setState({ kind: 'active', applied });
      return;
    }
    context.logger.info(`applied the cached environment; it is stale: ${found.freshness.reason}`);
    this.setState({ kind: 'stale', applied, reason: found.freshness.reason });
    if (this.options.autoReload()) await this.capture(generation);
  }

  /** Captures again now, whatever the cache says. */
  async reload(): Promise<void> {
    if (!this.spec) return;
    this.cancelRunning();
    await this.capture(++this.generation);
  }

  /** Stops a running capture; the environment applied before it stays. */
  cancel(): void {
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
    this.reset();
    this.spec = undefined;
    this.setState({ kind: 'off' });
    this.changed.dispose();
  }

  private reset(): number {
    this.cancelRunning();
    this.watcher?.dispose();
    this.watcher = undefined;
    clearTimeout(this.debounce);
    this.failedInputs = undefined;
    this.recheckAfterCapture = false;
    return ++this.generation;
  }

  private cancelRunning(): void {
    this.running?.abort();
    this.running = undefined;
  }

  private async capture(generation: number): Promise<void> {
    const spec = this.spec;
    if (!spec) return;
    const context = this.options.engine();
    const controller = new AbortController();
    this.running = controller;
    const previous = this.applied;
    this.setState({
      kind: 'loading',
      progress: 'evaluating',
      ...(previous ? { applied: previous } : {}),
    });
    try {
      const entry = await captureAndStore(spec, context, {
        signal: controller.signal,
        onProgress: (progress) => {
          if (generation === this.generation) {
            this.setState({
              kind: 'loading',
              progress,
              ...(previous ? { applied: previous } : {}),
            });
          }
        },
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
          previous
            ? { kind: 'stale', applied: previous, reason: 'the reload was cancelled' }
            : { kind: 'off' },
        );
        return;
      }
      context.logger.error(error.message);
      if (error.details) context.logger.error(error.details);
      const keep = previous && !this.options.unapplyOnFailure() ? { applied: previous } : {};
      this.setState({ kind: 'failed', error, ...keep });
      const watched = [
        ...(previous?.entry.inputs.map((input) => input.path) ?? []),
        ...entryFiles(spec.target),
        ...error.locations
          .map((location) => location.file)
          .filter((f) => !f.startsWith('/nix/store/')),
      ];
      this.failedInputs = await Promise.all([...new Set(watched)].map(recordInput));
      this.watch(this.failedInputs.map((input) => input.path));
    } finally {
      if (this.running === controller) this.running = undefined;
      if (generation === this.generation && this.recheckAfterCapture) {
        this.recheckAfterCapture = false;
        this.scheduleRecheck();
      }
    }
  }

  private watch(paths: readonly string[]): void {
    this.watcher?.dispose();
    const watch = this.options.watch ?? watchInputs;
    this.watcher = watch(paths, () => this.onInputChanged(), this.options.engine().logger);
  }

  private onInputChanged(): void {
    if (this.running) {
      this.recheckAfterCapture = true;
      return;
    }
    this.scheduleRecheck();
  }

  /** Many saves in a row make one check, and at most one evaluation. */
  private scheduleRecheck(): void {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(
      () => void this.recheck(),
      this.options.debounceMs ?? defaultDebounceMs,
    );
  }

  private async recheck(): Promise<void> {
    const generation = this.generation;
    const state = this.stateValue;
    const freshness = await this.currentFreshness(state);
    if (generation !== this.generation || freshness.fresh) return;
    const context = this.options.engine();
    context.logger.info(`the environment is stale: ${freshness.reason}`);
    const applied = this.applied;
    if (applied && state.kind !== 'failed') {
      this.setState({ kind: 'stale', applied, reason: freshness.reason });
    }
    if (this.options.autoReload()) await this.capture(generation);
  }

  private async currentFreshness(state: SessionState): Promise<Freshness> {
    if (state.kind === 'failed' && this.failedInputs) return inputsUnchanged(this.failedInputs);
    if (state.kind === 'active' || state.kind === 'stale') {
      if (state.applied.entry.unverified)
        return { fresh: false, reason: 'an input changed during evaluation' };
      return inputsUnchanged(state.applied.entry.inputs);
    }
    return { fresh: true };
  }

  private setState(state: SessionState): void {
    this.stateValue = state;
    this.changed.fire(state);
  }
}
