// Chaos: the CLI's capture is killed at random moments, in each of its phases: nix (evaluating,
// building, registering roots), the shell nix-shell starts (setup and the shellHook), and the
// CLI itself. After each kill, the environment captured before is still the one served, the
// next capture succeeds, and no process, capture lock or temporary file of ours is left.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { userEnvironment } from '../support/engineHarness';
import { copyFixture } from '../support/fixtures';
import { EnvironmentCache } from '../../src/core/cache/store';
import { cliPath, runCli } from '../support/cliRunner';
import { waitFor } from '../support/nixTools';
import { scratchDir } from '../support/scratch';

type Phase = 'nix' | 'shell' | 'cli';

interface Proc {
  readonly pid: number;
  readonly ppid: number;
  readonly comm: string;
}

/** Every process now, from /proc (a `ps` per poll would cost more than the capture). */
async function processes(): Promise<Proc[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  const found = await Promise.all(
    pids.map(async (pid) => {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
      // pid (comm) state ppid …; comm may hold spaces and parentheses.
      const match = /^(\d+) \((.*)\) \S+ (\d+)/s.exec(stat);
      return match ? { pid: Number(match[1]), comm: match[2] ?? '', ppid: Number(match[3]) } : [];
    }),
  );
  return found.flat();
}

/**
 * What the CLI is doing: its children are nix (`nix`, `nix-shell`, `nix-store`) or, once
 * nix-shell has exec'd the shell, bash. None: the CLI alone (starting, storing the result).
 */
async function currentPhase(cli: number): Promise<{ phase: Phase; pid: number; comm: string }> {
  const child = (await processes()).find((p) => p.ppid === cli);
  if (!child) return { phase: 'cli', pid: cli, comm: 'node' };
  return { phase: child.comm.startsWith('nix') ? 'nix' : 'shell', ...child };
}

/** Live processes that carry `marker` in their environment (builders get it in TMPDIR). */
async function markedProcesses(marker: string): Promise<string[]> {
  const found = await Promise.all(
    (await processes()).map(async (p) => {
      const environ = await readFile(`/proc/${p.pid}/environ`, 'latin1').catch(() => '');
      const state = await readFile(`/proc/${p.pid}/stat`, 'utf8').catch(() => '');
      const zombie = /\) Z /.test(state);
      return environ.includes(marker) && !zombie && p.pid !== process.pid
        ? [`${p.pid} ${p.comm}`]
        : [];
    }),
  );
  return found.flat();
}

/** A small seeded PRNG (mulberry32): the same kills, in the same order, on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const rounds = 20;
const seed = 20_261_201;
// What nix or the shell may die of: the OOM killer, or a kill from elsewhere.
const nixSignals = ['SIGKILL', 'SIGTERM'] as const;
// What a user or the system sends the CLI: a closed terminal, Ctrl-C, a kill, the OOM killer.
const cliSignals = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGKILL'] as const;

describe('chaos: the capture killed at random moments', function () {
  this.timeout(240_000);

  it(`keeps the last environment and leaves nothing behind, ${rounds} kills`, async () => {
    const random = seededRandom(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const { dir } = await copyFixture('busy-capture');
    const tmp = await scratchDir('nixshell-chaos-tmp-');
    const cache = await scratchDir('nixshell-chaos-cache-');
    const env = userEnvironment({ NIXSHELL_CACHE_DIR: cache, TMPDIR: tmp });
    const capture = async (): Promise<string> => {
      const result = await runCli(['env', dir, '--json', '--refresh'], env);
      assert.equal(result.exitCode, 0, result.stderr);
      return result.stdout;
    };
    const started = Date.now();
    let previous = await capture();
    assert.equal((JSON.parse(previous) as Record<string, string>)['BUSY'], 'ready');
    const hits: Record<Phase, number> = { nix: 0, shell: 0, cli: 0 };
    const log: string[] = [];
    /** How many kills of each process landed in each phase. */
    const phases = new Map<string, number>();

    const entries = new EnvironmentCache(cache);
    /** When the cached environment was captured: a kill after the store changes it. */
    const capturedAt = async (): Promise<string[]> => {
      const keys = await entries.keys();
      const read = await Promise.all(keys.map((key) => entries.read(key)));
      return read.map((entry) => entry?.capturedAt ?? '');
    };
    // A round whose moment comes after its phase is over kills nothing: rounds go on until
    // `rounds` kills have landed (within a bound), so every run covers as much. About a third
    // land: nix's phase is short when its build is already done (the build changes once a
    // second), the shell's about as long as the hook's sleep.
    let landed = 0;
    for (let round = 1; landed < rounds && round <= rounds * 6; round++) {
      const before = JSON.stringify(await capturedAt());
      // The victim, and the phase it is killed in: nix or the shell while they run; the CLI
      // while nix runs, while the shell runs, alone after the shell, or at any moment.
      const victim = pick(['nix', 'shell', 'cli'] as const);
      const phase = victim === 'cli' ? pick(['nix', 'shell', 'cli', 'any'] as const) : victim;
      const delayMs = Math.floor(random() * { any: 1500, cli: 50, nix: 120, shell: 250 }[phase]);
      const signal = victim === 'cli' ? pick(cliSignals) : pick(nixSignals);
      const cli: ResultPromise = execa(
        process.execPath,
        [cliPath, 'env', dir, '--json', '--refresh'],
        { env, extendEnv: false, reject: false, cwd: '/' },
      );
      const cliPid = cli.pid ?? 0;
      const run = { ended: false };
      void cli.finally(() => (run.ended = true));
      if (phase !== 'any') {
        // The CLI alone, after the shell: registering roots and storing the result.
        const seen = new Set<Phase>();
        await waitFor(`the ${phase} phase`, async () => {
          if (run.ended) return true;
          const now = (await currentPhase(cliPid)).phase;
          seen.add(now);
          return now === phase && (phase !== 'cli' || seen.has('shell')) ? true : undefined;
        });
      }
      await Promise.race([cli, new Promise((resolve) => setTimeout(resolve, delayMs))]);
      let what = `${victim}, ${delayMs} ms in: `;
      let killed: Phase | undefined;
      let killedComm = '';
      const now = run.ended ? undefined : await currentPhase(cliPid);
      if (!now) {
        what += 'the capture had ended';
      } else if (phase !== 'any' && now.phase !== phase) {
        what += `the phase was over (now ${now.phase}), no kill`;
      } else {
        const target = victim === 'cli' ? cliPid : now.pid;
        try {
          process.kill(target, signal);
          hits[victim]++;
          landed++;
          killed = victim;
          killedComm = now.comm;
          phases.set(
            `${victim} during ${now.phase}`,
            (phases.get(`${victim} during ${now.phase}`) ?? 0) + 1,
          );
          what += `phase ${now.phase} (${now.comm}): ${signal} to ${victim}`;
        } catch {
          what += `${victim} had exited`;
        }
      }
      const result = await cli;
      const lastLine = String(result.stderr).split('\n').at(-1) ?? '';
      log.push(
        `round ${round}: ${what} → exit ${String(result.exitCode ?? result.signal)} ${lastLine}`,
      );
      assert.doesNotMatch(String(result.stderr), /\n\s+at /, `round ${round}: a stack trace`);
      // A failure says what happened to whom, in one line.
      const said: Record<Phase, RegExp> = {
        nix: /^nixshell: nix was (killed by SIG[A-Z]+|stopped by a signal from another process)/,
        shell: /^nixshell: the shellHook \(status SIG(KILL|TERM)\)/,
        cli: /^$/,
      };
      // nix-shell execs the shell in its own process: a signal meant for nix-shell may land
      // on the shell if the exec came between reading its name and the kill.
      const becameShell = killed === 'nix' && killedComm === 'nix-shell';
      const expected = becameShell
        ? new RegExp(`${said.nix.source}|${said.shell.source}`)
        : killed && said[killed];
      if (expected && result.exitCode === 1)
        assert.match(lastLine, expected, `round ${round}: ${what}: ${String(result.stderr)}`);

      // Nothing of this capture is left running, locked or lying around. A CLI killed outright
      // cannot clean up: nix ends by itself, and the next capture takes over the lock and
      // removes the scratch directory.
      const nothingLeft = async (): Promise<void> => {
        const locks = await readdir(path.join(cache, 'locks')).catch(() => []);
        const lock = locks.filter((name) => name.endsWith('.lock'));
        assert.deepEqual(lock, [], `round ${round}: a capture lock`);
        const ours = (await readdir(tmp)).filter((name) => name.startsWith('nixshell-'));
        assert.deepEqual(ours, [], `round ${round}: temporary files of ours`);
      };
      const outright = killed === 'cli' && signal === 'SIGKILL';
      await waitFor(
        `round ${round}: the capture's processes to end`,
        async () => ((await markedProcesses(tmp)).length === 0 ? true : undefined),
        10_000,
      ).catch(async (error: unknown) => {
        assert.fail(`${String(error)}: ${(await markedProcesses(tmp)).join(', ')}`);
      });
      if (!outright) await nothingLeft();
      // The environment from before is served as it was, without a capture; or, where the
      // kill came after the capture stored its result, that new one.
      const served = await runCli(['env', dir, '--json'], env);
      assert.equal(served.exitCode, 0, served.stderr);
      const stored = JSON.stringify(await capturedAt()) !== before;
      if (!stored)
        assert.equal(served.stdout, previous, `round ${round}: the environment from before`);
      else assert.equal((JSON.parse(served.stdout) as Record<string, string>)['BUSY'], 'ready');
      if (result.exitCode === 0) assert.equal(served.stdout, result.stdout);
      if (stored) log.push(`round ${round}: the killed capture had stored its result`);
      previous = await capture();
      if (outright) await nothingLeft();
    }
    // Nix's own (not ours to remove): a build directory when nix itself was killed outright,
    // nix-shell's rc directory when its shell died before the rc ran.
    const leftByNix = (await readdir(tmp)).filter((name) => /^nix-(build|shell)-/.test(name));
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`      ${log.join('\n      ')}`);
    console.log(
      `      kills: nix ${hits.nix}, shell ${hits.shell}, cli ${hits.cli}; ${[...phases].map(([k, n]) => `${k}: ${n}`).join(', ')}; ${seconds} s`,
    );
    console.log(`      left by nix itself: ${leftByNix.join(', ') || 'nothing'}`);
    assert.equal(landed, rounds, `only ${landed} kills landed:\n${log.join('\n')}`);
    for (const phase of ['nix', 'shell', 'cli'] as const) {
      assert.ok(hits[phase] >= 2, `only ${hits[phase]} kills hit ${phase}:\n${log.join('\n')}`);
    }
  });
});
