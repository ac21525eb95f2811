// EnvironmentSession with the real chokidar watcher and real nix: what a workspace folder
// lives through (anchors-envcapture.md §6, cases 23–25 and cancellation). Captures are counted
// with a recording nix shim on the user's PATH.
import assert from 'node:assert/strict';
import { readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CacheEntry } from '../../src/core/cache/store';
import { EnvironmentSession, type SessionState } from '../../src/core/session';
import {
  fileSpec,
  flakeSpec,
  testContext,
  userEnvironment,
  userPath,
  type TestContext,
} from '../support/engineHarness';
import { appliedEnvironment } from '../support/expectations';
import { copyFixture, fixtureFile } from '../support/fixtures';
import { createNixShim, type NixShim } from '../support/nixShim';
import { evaluations, processesMatching, waitFor } from '../support/nixTools';
import { groupAlive } from '../support/processes';
import { scratchDir } from '../support/scratch';

const debounceMs = 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Harness {
  readonly session: EnvironmentSession;
  readonly context: TestContext;
  readonly shim: NixShim;
  readonly states: SessionState[];
  /** How many environment evaluations nix has been asked for so far. */
  captures(): Promise<number>;
}

const open: EnvironmentSession[] = [];

/** A session (a workspace folder's) on `context`, recording every state it goes through. */
function openSession(context: TestContext, unapplyOnFailure = false, debounce = debounceMs) {
  const session = new EnvironmentSession({
    engine: () => context,
    autoReload: () => true,
    unapplyOnFailure: () => unapplyOnFailure,
    debounceMs: debounce,
  });
  open.push(session);
  const states: SessionState[] = [];
  session.onDidChange((state) => states.push(state));
  return { session, states };
}

async function harness(
  options: { unapplyOnFailure?: boolean; debounceMs?: number } = {},
): Promise<Harness> {
  const shim = await createNixShim(await scratchDir('nixshell-shim-'));
  const context = await testContext({ base: userEnvironment({ PATH: `${shim.dir}:${userPath}` }) });
  const { session, states } = openSession(context, options.unapplyOnFailure, options.debounceMs);
  return {
    session,
    context,
    shim,
    states,
    captures: async () => evaluations(await shim.calls()).length,
  };
}

function appliedValue(h: Harness, name: string): string | undefined {
  const applied = h.session.applied;
  return applied ? appliedEnvironment(h.context.base, applied.entry)[name] : undefined;
}

/** Waits until the session's watcher has seen a change after `before` of them, and dealt with it. */
async function changeHandled(session: EnvironmentSession, before: number): Promise<void> {
  await waitFor('the watcher to see the change', () =>
    session.changesSeen > before ? true : undefined,
  );
  await session.idle();
}

/** Times the session went into `loading` from another state: one per capture it started. */
function loadingStarts(states: readonly SessionState[]): number {
  return states.filter((s, i) => s.kind === 'loading' && states[i - 1]?.kind !== 'loading').length;
}

describe('a session against real nix', function () {
  this.timeout(60_000);

  afterEach(() => {
    for (const session of open.splice(0)) session.dispose();
  });

  it('enters: captures once and becomes active; a second window starts no nix', async () => {
    const { dir } = await copyFixture('stdenv-basic');
    const spec = fileSpec(path.join(dir, 'shell.nix'));
    const h = await harness();
    await h.session.enter(spec);
    await h.session.settled();
    assert.equal(h.session.state.kind, 'active');
    assert.equal(appliedValue(h, 'FOO'), 'foo from nix');
    assert.equal(await h.captures(), 1);

    // Another session on the same cache: applied from the cache, no nix process.
    const calls = await h.shim.calls();
    const { session: other } = openSession(h.context);
    await other.enter(spec);
    await other.settled();
    assert.equal(other.state.kind, 'active');
    assert.deepEqual(await h.shim.calls(), calls);
  });

  it('re-captures exactly once for 100 rapid saves of an input', async () => {
    const { dir } = await copyFixture('stdenv-basic');
    const file = path.join(dir, 'shell.nix');
    // The editor's own debounce: a burst is saves closer together than it.
    const debounce = 300;
    const h = await harness({ debounceMs: debounce });
    await h.session.enter(fileSpec(file));
    await h.session.settled();
    assert.equal(h.session.state.kind, 'active');
    await h.session.watching();
    const source = await readFile(file, 'utf8');
    const statesBefore = h.states.length;
    const started = Date.now();
    let previous = started;
    let longestGap = 0;
    for (let i = 1; i <= 100; i++) {
      await writeFile(file, source.replace('foo from nix', `foo after save ${i}`));
      longestGap = Math.max(longestGap, Date.now() - previous);
      previous = Date.now();
      // Paced from the start, not per save, so slow writes do not stretch the burst.
      await sleep(started + i * 5 - Date.now());
    }
    // What the test is about needs a burst: a machine that stalled longer than the debounce
    // between two saves made two bursts of them.
    assert.ok(longestGap < debounce, `two saves were ${longestGap} ms apart`);
    await waitFor('the re-captured environment', () =>
      h.session.state.kind === 'active' && appliedValue(h, 'FOO') === 'foo after save 100'
        ? true
        : undefined,
    );
    // Every save was seen before the last one's capture ended: a capture they queued has run.
    await h.session.idle();
    assert.equal(await h.captures(), 2);
    assert.equal(loadingStarts(h.states.slice(statesBefore)), 1);
    assert.equal(h.session.state.kind, 'active');
  });

  it('does not capture for an unrelated file or a touch of an input', async () => {
    const { top, dir } = await copyFixture('imports');
    const h = await harness();
    await h.session.enter(fileSpec(path.join(dir, 'shell.nix')));
    await h.session.settled();
    assert.equal(h.session.state.kind, 'active');
    await h.session.watching();
    const seen = h.session.changesSeen;
    await writeFile(path.join(dir, 'README.md'), '# notes\n');
    await writeFile(path.join(top, 'unrelated.nix'), '{ }\n');
    const later = new Date(Date.now() + 10_000);
    await utimes(path.join(dir, 'sub/main.rs'), later, later);
    // Last, so that once its touch is handled the writes before it are too.
    await utimes(path.join(dir, 'nix/tools.nix'), later, later);
    await changeHandled(h.session, seen);
    assert.equal(await h.captures(), 1);
    assert.equal(h.session.state.kind, 'active');
  });

  it('keeps the last environment on a syntax error, and does not retry until it changes', async () => {
    const { dir } = await copyFixture('stdenv-basic');
    const file = path.join(dir, 'shell.nix');
    const h = await harness();
    await h.session.enter(fileSpec(file));
    await h.session.settled();
    const good: CacheEntry | undefined = h.session.applied?.entry;
    assert.ok(good);
    await h.session.watching();
    const source = await readFile(file, 'utf8');
    await writeFile(
      file,
      source.replace('FOO = "foo from nix";', 'FOO = "foo from nix"\n  BAR = 1;'),
    );
    const failed = await waitFor('the failed state', () =>
      h.session.state.kind === 'failed' ? h.session.state : undefined,
    );
    assert.equal(failed.error.kind, 'evaluation');
    assert.deepEqual(failed.applied?.entry, good);
    const afterFailure = await h.captures();
    assert.equal(afterFailure, 2);

    // Unchanged broken file: neither time nor a touch starts another capture.
    await h.session.idle();
    await h.session.watching();
    // Time itself: nothing may happen within this, so it stays a wait.
    await sleep(1000);
    const seen = h.session.changesSeen;
    const later = new Date(Date.now() + 10_000);
    await utimes(file, later, later);
    await changeHandled(h.session, seen);
    assert.equal(await h.captures(), afterFailure);
    assert.equal(h.session.state.kind, 'failed');

    await writeFile(file, source.replace('foo from nix', 'foo fixed'));
    await waitFor('the repaired environment', () =>
      h.session.state.kind === 'active' && appliedValue(h, 'FOO') === 'foo fixed'
        ? true
        : undefined,
    );
    assert.equal(await h.captures(), afterFailure + 1);
  });

  it('enters a project with a broken import, and recovers once the import is fixed', async () => {
    const { dir } = await copyFixture('imports');
    const tools = path.join(dir, 'nix/tools.nix');
    const original = await readFile(tools, 'utf8');
    await writeFile(tools, original.replace(/\]\s*$/, ''));
    const h = await harness();
    await h.session.enter(fileSpec(path.join(dir, 'shell.nix')));
    await h.session.settled();
    assert.equal(h.session.state.kind, 'failed');
    assert.equal(h.session.applied, undefined);
    await h.session.watching();
    await writeFile(tools, original);
    await waitFor('the repaired environment', () =>
      h.session.state.kind === 'active' ? true : undefined,
    );
    assert.equal(appliedValue(h, 'TOOLS_VERSION'), '1');
    assert.equal(await h.captures(), 2);
  });

  it('applies a stale cached environment at once, then the re-captured one', async () => {
    const { dir } = await copyFixture('stdenv-basic');
    const file = path.join(dir, 'shell.nix');
    const first = await harness();
    await first.session.enter(fileSpec(file));
    await first.session.settled();
    const old = first.session.applied?.entry;
    assert.ok(old);
    first.session.dispose();
    // Edited while no window was open.
    await writeFile(file, (await readFile(file, 'utf8')).replace('foo from nix', 'foo edited'));

    // A new window on the same cache.
    const { session, states } = openSession(first.context);
    await session.enter(fileSpec(file));
    await session.settled();
    const [applyingFirst] = states;
    assert.ok(applyingFirst?.kind === 'stale', `first state: ${applyingFirst?.kind ?? 'none'}`);
    assert.deepEqual(applyingFirst.applied.entry, old);
    assert.equal(session.state.kind, 'active');
    const applied = session.applied;
    assert.ok(applied);
    assert.equal(appliedEnvironment(first.context.base, applied.entry)['FOO'], 'foo edited');
  });

  it('drops the environment on failure with unapplyOnFailure', async () => {
    const { dir } = await copyFixture('stdenv-basic');
    const file = path.join(dir, 'shell.nix');
    const h = await harness({ unapplyOnFailure: true });
    await h.session.enter(fileSpec(file));
    await h.session.settled();
    assert.equal(h.session.state.kind, 'active');
    await h.session.watching();
    await writeFile(file, 'syntax error here\n');
    const failed = await waitFor('the failed state', () =>
      h.session.state.kind === 'failed' ? h.session.state : undefined,
    );
    assert.equal(failed.applied, undefined);
    assert.equal(h.session.applied, undefined);
  });

  it('does not loop on the flake.lock its first capture writes', async () => {
    const flake = await copyFixture('flake-two-shells', { git: true });
    const h = await harness();
    await h.session.enter(flakeSpec(flake.dir));
    await h.session.settled();
    assert.equal(h.session.state.kind, 'active');
    await h.session.watching();
    // A loop would show within this: nothing may happen, so it stays a wait.
    await sleep(1000);
    await h.session.idle();
    assert.equal(await h.captures(), 1);
    assert.equal(h.session.state.kind, 'active');
  });

  it('cancel kills nix and its build, and leaves no environment', async () => {
    const file = fixtureFile('slow-build');
    const h = await harness();
    const entering = h.session.enter(fileSpec(file));
    const [nix] = await waitFor('nix-shell', async () => {
      const found = (await processesMatching(/nix-shell .*slow-build\/shell\.nix/)).filter(
        (p) => p.ppid === process.pid,
      );
      return found.length > 0 ? found : undefined;
    });
    assert.ok(nix);
    // Wait for the slow builder itself, so the cancel lands in the middle of a build.
    const builders = await waitFor('the slow builder', async () => {
      const found = await processesMatching(/^\/bin\/sleep 60$/);
      return found.length > 0 ? found : undefined;
    });
    assert.equal(h.session.state.kind, 'loading');
    h.session.cancel();
    await entering;
    await h.session.settled();
    assert.deepEqual(h.session.state, { kind: 'off' });
    assert.equal(await groupAlive(nix.pgid), false, 'nix process group still alive');
    for (const builder of builders) {
      assert.equal(await groupAlive(builder.pgid), false, `builder group ${builder.pgid} alive`);
    }
  });

  it('retries when the fix was saved while the failing evaluation ran', async () => {
    const { dir } = await copyFixture('stdenv-basic');
    const file = path.join(dir, 'shell.nix');
    const good = await readFile(file, 'utf8');
    // Fails, but only after a while: a dependency whose build breaks.
    await writeFile(
      file,
      `let pkgs = import ../_lib { }; in pkgs.mkShell { packages = [ (pkgs.mkDerivation { name = "breaks"; dontUnpack = true; buildPhase = "/bin/sleep 2; exit 1"; }) ]; }`,
    );
    const h = await harness();
    const entering = h.session.enter(fileSpec(file));
    await waitFor('the failing build', async () => {
      const found = await processesMatching(/^\/bin\/sleep 2$/);
      return found.length > 0 ? found : undefined;
    });
    await writeFile(file, good);
    await entering;
    const state = await waitFor('the fixed environment', () =>
      h.session.state.kind === 'active' ? h.session.state : undefined,
    );
    assert.equal(state.kind, 'active');
    assert.equal(appliedValue(h, 'FOO'), 'foo from nix');
  });

  it('cancel also drops the re-check a save queued behind the running capture', async () => {
    const { dir } = await copyFixture('stdenv-basic');
    const file = path.join(dir, 'shell.nix');
    const h = await harness();
    await h.session.enter(fileSpec(file));
    await h.session.settled();
    const text = await readFile(file, 'utf8');
    // An edit that makes the next capture slow (a long build, unique to this run so no
    // earlier run built it already), then a save during it.
    const slow = (await readFile(fixtureFile('slow-build'), 'utf8')).replace(
      '/bin/sleep 60',
      `/bin/sleep 61 # ${path.basename(dir)} ${Date.now()}`,
    );
    const before = h.states.length;
    await writeFile(file, slow);
    await waitFor('the slow build', async () => {
      const found = await processesMatching(/^\/bin\/sleep 61$/);
      return found.length > 0 ? found : undefined;
    });
    const seen = h.session.changesSeen;
    await writeFile(file, `${text}\n# saved again\n`);
    await waitFor('the watcher to see the save', () =>
      h.session.changesSeen > seen ? true : undefined,
    );
    h.session.cancel();
    await h.session.idle();
    assert.equal(h.session.state.kind, 'stale');
    assert.equal(loadingStarts(h.states.slice(before)), 1, 'no capture after the cancel');
    assert.deepEqual(await processesMatching(/^\/bin\/sleep 61$/), []);
  });
});
