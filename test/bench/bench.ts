// `npm run bench`: the engine against nix itself and against Node's start-up, in one
// interleaved run on one machine, so that load on the machine weighs on every case alike and
// the ratios hold whatever the machine. Every round runs each case once, in the same order;
// figures are medians over the rounds. The store is warmed for every project before the
// first round (each nix command once), and nix's own caches stay as nix keeps them on both
// sides. `--smoke` runs one round (npm test runs it, so the bench cannot rot); `--json FILE`
// writes every figure. Exit status 1 when a target is missed (not in --smoke).
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { execa } from 'execa';
import { EnvironmentCache } from '../../src/core/cache/store';
import { printDevEnvArgs } from '../../src/core/capture/capture';
import { parseDevEnv, replayCommand } from '../../src/core/capture/devEnv';
import { prepareNixShell } from '../../src/core/capture/nixShell';
import { locateNix } from '../../src/core/nix/installation';
import { captureAndStore, lookup, type EngineContext } from '../../src/core/engine';
import { silentLogger } from '../../src/core/logger';
import { EnvironmentSession, type SessionState } from '../../src/core/session';
import type { TargetSpec } from '../../src/core/target';
import { nixTestEnv, nixTool, repoRoot } from '../support/nixEnv';
import { installedHarness } from '../harness/codeServer';
import { activationTimes } from './activation';
import { removeTempDirs, tempDir } from '../support/temp';
import {
  benchProjects,
  channelFiles,
  importedFiles,
  smallFileProjects,
  type BenchProject,
} from './projects';

const smoke = process.argv.includes('--smoke');
const jsonIndex = process.argv.indexOf('--json');
const jsonOut = jsonIndex === -1 ? undefined : process.argv[jsonIndex + 1];
const rounds = smoke ? 1 : 7;
const cli = path.join(repoRoot, 'dist/cli.cjs');
const root = await tempDir('nixshell-bench-');
// Every process's TMPDIR is in the bench's own directory: `nix develop --command` execs the
// command and so never removes its `nix-shell.*` directory; it goes with the bench's.
const benchTmp = path.join(root, 'tmp');
await mkdir(benchTmp);
// What nixshell keeps for the machine (compiled code, nix's version, what flake evaluations
// read) is in the bench's directory too (NIXSHELL_CACHE_DIR), warmed like the store; each run
// gets its own cache of environments (--cache-dir), so that a cold run is a project never
// captured, on a machine where nixshell has run before. A run without compiled code, as the
// first after an install or an update is, is timed on its own ("code cache off").
const machineDir = path.join(root, 'nixshell');
const env = nixTestEnv({
  NIX_BUILD_SHELL: '/bin/bash',
  TMPDIR: benchTmp,
  NIXSHELL_CACHE_DIR: machineDir,
});
/** `nixshell env --json` on a project, with its own cache of environments. */
const cliArgs = (p: BenchProject, cacheDir: string) => [
  cli,
  'env',
  p.dir,
  '--json',
  '--cache-dir',
  cacheDir,
];

const projects = await benchProjects(root, env);
const byName = (name: string) => projects.find((p) => p.name === name) as BenchProject;

const nixArgs = (p: BenchProject) => ({
  raw:
    p.kind === 'file'
      ? [nixTool('nix-shell'), [p.target, '--run', 'true']]
      : [nixTool('nix'), ['develop', p.target, '--command', 'true']],
  printDevEnv:
    p.kind === 'file'
      ? [nixTool('nix'), ['print-dev-env', '--json', '--impure', '-f', p.target]]
      : [nixTool('nix'), ['print-dev-env', '--json', p.target]],
});

/**
 * `nix develop` with its evaluation cache off: it evaluates on every run, as nix does for a
 * flake whose tree changed (the usual capture, after an edit). In the rounds, nix's cache
 * answers for the unchanged flakes, for `nix develop` and for the capture alike.
 */
const evaluatingDevelop = (p: BenchProject) =>
  [
    nixTool('nix'),
    ['develop', p.target, '--option', 'eval-cache', 'false', '--command', 'true'],
  ] as const;
const evaluatingName = 'nix develop --command true, eval cache off';

/**
 * Nix asked what a capture asks of it, run as the capture runs it but from no Node process,
 * into the same kind of log file: for a file, nix-shell with the files it evaluates reported,
 * the launcher as its shell and the shell's state dumped after the shellHook; for a flake,
 * print-dev-env as the capture runs it, then the replay of its shellHook in bash. Its ratio to
 * the raw command is the least a capture can cost, whatever runs it.
 */
const asCaptured = (kind: BenchProject['kind']) =>
  kind === 'file' ? 'nix-shell as a capture runs it' : 'print-dev-env and replay as a capture';
const nixInstallation = await locateNix(undefined, env['PATH']);
async function runAsCaptured(p: BenchProject): Promise<number> {
  const scratch = await tempDir('nixshell-bench-scratch-');
  const log = { file: path.join(scratch, 'log') };
  const base = { ...env, ...p.env };
  let ms: number;
  let dumpDir: string;
  if (p.kind === 'file') {
    const spec = { target: { kind: 'file' as const, file: p.target }, args: [] };
    const command = await prepareNixShell(spec, nixInstallation, base, scratch);
    const options = { cwd: command.root, env: command.env, extendEnv: false, stderr: log };
    ms = await timed(() => execa(command.file, command.args, { ...options, stdout: 'ignore' }));
    dumpDir = command.dumpDir;
  } else {
    const spec = { target: { kind: 'flake' as const, dir: p.target }, args: [] };
    const evaluate = () =>
      execa(nixInstallation.nix, printDevEnvArgs(spec, { evalCache: true }), {
        cwd: p.target,
        env: { ...base, IN_NIX_SHELL: 'impure' },
        extendEnv: false,
        stderr: log,
      });
    // The replay's script is written before the timing, from a run of the same command.
    const replay = replayCommand(parseDevEnv((await evaluate()).stdout), base, p.target);
    const script = path.join(scratch, 'replay.sh');
    dumpDir = path.join(scratch, 'dump');
    await mkdir(dumpDir);
    await writeFile(script, replay.script(dumpDir));
    ms = await timed(async () => {
      await evaluate();
      // As runReplay runs it.
      await execa(replay.bash, ['--noprofile', '--norc', script], {
        ...replay.options,
        extendEnv: false,
        stdout: 'ignore',
        stderr: 'ignore',
      });
    });
  }
  // Timed only if it did the capture's work: the shell's variables are dumped.
  if ((await readdir(dumpDir)).length === 0) throw new Error(`${p.name}: no dump`);
  return ms;
}

/** The raw nix command a project's capture is measured against. */
const rawName = (kind: BenchProject['kind']) =>
  kind === 'file' ? 'nix-shell --run true' : 'nix develop --command true';

async function run(command: string, args: readonly string[], extra: Record<string, string> = {}) {
  await execa(command, args, { env: { ...env, ...extra }, stdout: 'ignore' });
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await action();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function median(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] ?? NaN)
    : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

const specOf = (p: BenchProject): TargetSpec => ({
  target: p.kind === 'file' ? { kind: 'file', file: p.target } : { kind: 'flake', dir: p.target },
  args: [],
  pinDir: p.dir,
});

const engineContext = (cacheDir: string, p?: BenchProject): EngineContext => ({
  cache: new EnvironmentCache(cacheDir),
  // As the extension keeps them, in its one cache directory: warm, as the store is.
  machineDir,
  base: { ...env, ...p?.env },
  logger: silentLogger,
  evaluationTimeoutMs: 0,
  hookTimeoutMs: 30_000,
});

// Warm the store: build what every shell needs, and lock the flakes, before anything is timed.
const warmCaches = new Map<string, string>();
for (const p of projects) {
  const commands = nixArgs(p);
  for (const [command, args] of [commands.raw, commands.printDevEnv] as const) {
    await run(command as string, args as string[], p.env);
  }
  if (p.kind === 'flake') await run(...evaluatingDevelop(p), p.env);
  const cacheDir = await tempDir('nixshell-bench-cache-');
  await run('node', cliArgs(p, cacheDir), p.env);
  warmCaches.set(p.name, cacheDir);
}

// The interleaved rounds.
const samples = new Map<string, number[]>();
const sample = (name: string, ms: number) => samples.set(name, [...(samples.get(name) ?? []), ms]);
for (let round = 0; round < rounds; round++) {
  sample('node -e 0', await timed(() => run('node', ['-e', '0'])));
  for (const p of projects) {
    const commands = nixArgs(p);
    const [rawCommand, rawArgs] = commands.raw as [string, string[]];
    sample(`${p.name}: ${rawName(p.kind)}`, await timed(() => run(rawCommand, rawArgs, p.env)));
    sample(`${p.name}: ${asCaptured(p.kind)}`, await runAsCaptured(p));
    const [printCommand, printArgs] = commands.printDevEnv as [string, string[]];
    sample(`${p.name}: nix print-dev-env`, await timed(() => run(printCommand, printArgs, p.env)));
    if (p.kind === 'flake') {
      sample(
        `${p.name}: ${evaluatingName}`,
        await timed(() => run(...evaluatingDevelop(p), p.env)),
      );
    }
    const coldCache = await tempDir('nixshell-bench-cache-');
    sample(
      `${p.name}: nixshell env --json, cold`,
      await timed(() => run('node', cliArgs(p, coldCache), p.env)),
    );
    const uncompiledCache = await tempDir('nixshell-bench-cache-');
    sample(
      `${p.name}: nixshell env --json, cold, code cache off`,
      await timed(() =>
        run('node', cliArgs(p, uncompiledCache), {
          ...p.env,
          NODE_DISABLE_COMPILE_CACHE: '1',
        }),
      ),
    );
    const warmCache = warmCaches.get(p.name) ?? '';
    sample(
      `${p.name}: nixshell env --json, warm`,
      await timed(() => run('node', cliArgs(p, warmCache), p.env)),
    );
    // What the editor pays on a miss: its extension host has Node started and the code loaded.
    const inProcessCache = engineContext(await tempDir('nixshell-bench-cache-'), p);
    sample(
      `${p.name}: in-process capture, cold`,
      await timed(() => captureAndStore(specOf(p), inProcessCache)),
    );
    const context = engineContext(warmCache, p);
    sample(
      `${p.name}: in-process lookup`,
      await timed(async () => {
        const found = await lookup(specOf(p), context);
        if (!found.freshness.fresh)
          throw new Error(`${p.name}: not fresh: ${found.freshness.reason}`);
      }),
    );
  }
}
const figure = (name: string) => median(samples.get(name) ?? []);
const figures: Record<string, number> = {};
for (const name of samples.keys()) figures[`${name} (ms)`] = figure(name);

/**
 * The event loop's delay (p99) while the engine captures the large file project in-process.
 * A small capture runs first: the extension host has the capture code loaded with its bundle,
 * while here the first capture would also compile it (through tsx).
 */
async function eventLoopDelayDuringCapture(): Promise<number> {
  const monitor = monitorEventLoopDelay({ resolution: 5 });
  await captureAndStore(
    specOf(byName('small-file')),
    engineContext(await tempDir('nixshell-bench-cache-')),
  );
  const context = engineContext(await tempDir('nixshell-bench-cache-'));
  monitor.enable();
  await captureAndStore(specOf(byName('large-file')), context);
  monitor.disable();
  return monitor.percentile(99) / 1e6;
}

/** The peak RSS of the CLI capturing the large file project with an empty cache. */
async function peakRssDuringCapture(): Promise<number> {
  const cacheDir = await tempDir('nixshell-bench-cache-');
  const result = await execa(
    '/usr/bin/time',
    ['-f', '%M', 'node', ...cliArgs(byName('large-file'), cacheDir)],
    { env, stdout: 'ignore' },
  );
  return Number(result.stderr.trim().split('\n').at(-1)) / 1024;
}

/**
 * Evaluations a live session starts for 100 writes within a second: to a file of the project
 * that is no input (expect 0), then to shell.nix (expect 1: the debounce makes them one).
 */
async function evaluationsForWrites(): Promise<{ unrelated: number; shellNix: number }> {
  const [project] = await smallFileProjects(path.join(root, 'watch'), 1, root);
  if (!project) throw new Error('no project');
  const context = engineContext(await tempDir('nixshell-bench-cache-'));
  const session = new EnvironmentSession({
    engine: () => context,
    autoReload: () => true,
    unapplyOnFailure: () => false,
  });
  let evaluations = 0;
  let previous: SessionState['kind'] = 'off';
  session.onDidChange((state) => {
    if (state.kind === 'loading' && previous !== 'loading') evaluations++;
    previous = state.kind;
  });
  await session.enter(specOf(project));
  await session.settled();
  if (session.state.kind !== 'active') throw new Error(`session is ${session.state.kind}`);
  const writes = async (file: string, text: (i: number) => string) => {
    evaluations = 0;
    const started = Date.now();
    for (let i = 0; i < 100; i++) {
      await writeFile(file, text(i));
      // Paced from the start, so that slow writes do not stretch the burst past a second.
      await new Promise((resolve) => setTimeout(resolve, started + (i + 1) * 8 - Date.now()));
    }
    // Past the debounce, and past any evaluation it started.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await session.settled();
    return evaluations;
  };
  const notes = path.join(project.dir, 'NOTES.md');
  const unrelated = await writes(notes, (i) => `note ${i}\n`);
  const original = await import('node:fs/promises').then((fs) =>
    fs.readFile(project.target, 'utf8'),
  );
  const shellNix = await writes(project.target, (i) => `${original}# edit ${i}\n`);
  session.dispose();
  return { unrelated, shellNix };
}

/** Ten folders, each with a cached environment: the time until every session has applied it. */
async function tenFoldersApplied(): Promise<number> {
  const folders = await smallFileProjects(path.join(root, 'multi'), 10, root);
  const context = engineContext(await tempDir('nixshell-bench-cache-'));
  for (const folder of folders) await captureAndStore(specOf(folder), context);
  const sessions = folders.map(
    () =>
      new EnvironmentSession({
        engine: () => context,
        autoReload: () => true,
        unapplyOnFailure: () => false,
      }),
  );
  const ms = await timed(() =>
    Promise.all(sessions.map((s, i) => s.enter(specOf(folders[i] as BenchProject)))),
  );
  const notActive = sessions.filter((s) => s.state.kind !== 'active').length;
  for (const s of sessions) s.dispose();
  if (notActive > 0) throw new Error(`${notActive} of 10 folders were not applied from the cache`);
  return ms;
}

/**
 * Loading the extension's bundle in plain Node, as on its first start: without the code cache
 * (module evaluation only: `activate` needs the VS Code API, so it is not run here; `vscode`
 * resolves to an inert object while loading).
 */
async function extensionBundleLoad(): Promise<number> {
  const script = `
const Module = require('node:module');
const load = Module._load;
const inert = new Proxy(function () {}, { get: () => inert, apply: () => inert, construct: () => inert });
Module._load = function (request, ...rest) { return request === 'vscode' ? inert : load.call(this, request, ...rest); };
const started = performance.now();
require(${JSON.stringify(path.join(repoRoot, 'dist/extension.cjs'))});
process.stdout.write(String(performance.now() - started));`;
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const { stdout } = await execa('node', ['-e', script], {
      env: { ...env, NODE_DISABLE_COMPILE_CACHE: '1' },
    });
    times.push(Number(stdout));
  }
  return median(times);
}

/** The bundles' sizes, in KiB: the CLI's warm path loads only its entry chunk. */
async function bundleSizes(): Promise<Record<string, number>> {
  const sizes: Record<string, number> = {};
  const dist = path.join(repoRoot, 'dist');
  for (const name of await readdir(dist, { recursive: true })) {
    if (!/\.([cm]?js)$/.test(name)) continue;
    sizes[`bundle dist/${name} (KiB)`] = (await stat(path.join(dist, name))).size / 1024;
  }
  return sizes;
}

figures['event-loop delay p99 during a capture (ms)'] = await eventLoopDelayDuringCapture();
figures['peak RSS of a CLI capture (MiB)'] = await peakRssDuringCapture();
const writes = await evaluationsForWrites();
figures['evaluations for 100 unrelated writes'] = writes.unrelated;
figures['evaluations for 100 writes to shell.nix'] = writes.shellNix;
figures['10 cached folders applied (ms)'] = await tenFoldersApplied();
figures['extension bundle load, no activate (ms)'] = await extensionBundleLoad();
// Before the activation figure, whose packaging leaves the development build in dist/.
Object.assign(figures, await bundleSizes());
// In a real VS Code when the harness is installed (npm test installs it), else not measured.
const harness = await installedHarness();
if (harness) {
  const times = await activationTimes(
    harness,
    byName('large-file'),
    await tempDir('nixshell-bench-vscode-'),
    rounds,
  );
  figures['extension activation in VS Code, cached environment (ms)'] = median(
    times.map((t) => t.activation),
  );
  figures['cached environment applied after activate began (ms)'] = median(
    times.map((t) => t.applied),
  );
} else {
  console.log('activation in VS Code: not measured, the VS Code test harness is not installed');
}

// Ratios and targets.
const node = figure('node -e 0');
const afterNode = (ms: number) => ms - node;
interface Target {
  readonly name: string;
  readonly value: number;
  readonly pass: boolean;
  readonly target: string;
}
const targets: Target[] = [];
const target = (name: string, value: number, limit: number, unit = '×') =>
  targets.push({ name, value, pass: value <= limit, target: `≤ ${limit}${unit}` });
for (const kind of ['file', 'flake'] as const) {
  const large = `large-${kind}`;
  target(
    `warm CLI, ${large} / node -e 0`,
    figure(`${large}: nixshell env --json, warm`) / node,
    1.8,
  );
  target(`in-process lookup, ${large} (ms)`, figure(`${large}: in-process lookup`), 10, ' ms');
  for (const size of ['large', 'small']) {
    const p = `${size}-${kind}`;
    const raw = rawName(kind);
    target(
      `cold CLI − node, ${p} / ${raw}`,
      afterNode(figure(`${p}: nixshell env --json, cold`)) / figure(`${p}: ${raw}`),
      1.1,
    );
  }
}
target(
  'event-loop delay p99 during a capture (ms)',
  figures['event-loop delay p99 during a capture (ms)'] ?? NaN,
  20,
  ' ms',
);
target(
  'extension activation in VS Code, cached environment (ms)',
  figures['extension activation in VS Code, cached environment (ms)'] ?? NaN,
  30,
  ' ms',
);
target('evaluations for 100 unrelated writes', writes.unrelated, 0, '');
targets.push({
  name: 'evaluations for 100 writes to shell.nix',
  value: writes.shellNix,
  pass: writes.shellNix === 1,
  target: '= 1',
});
target(
  '10 cached folders applied (ms)',
  figures['10 cached folders applied (ms)'] ?? NaN,
  50,
  ' ms',
);
for (const t of targets) figures[`ratio: ${t.name}`] = t.value;
// Not targets: a miss in the editor, whose extension host has Node started and the code loaded;
// the least a capture costs (asCaptured); and the CLI's miss on the project that
// evaluates about as much as one on real nixpkgs.
const info = (name: string, value: number) => {
  figures[`ratio: ${name}`] = value;
  return { name, value };
};
const editorMisses = [
  ...projects.map((p) => {
    const raw = rawName(p.kind);
    return info(
      `in-process capture, ${p.name} / ${raw}`,
      figure(`${p.name}: in-process capture, cold`) / figure(`${p.name}: ${raw}`),
    );
  }),
  // Against the evaluation a changed flake costs (see evaluatingDevelop).
  ...projects
    .filter((p) => p.kind === 'flake')
    .map((p) =>
      info(
        `cold CLI − node, ${p.name} / ${evaluatingName}`,
        afterNode(figure(`${p.name}: nixshell env --json, cold`)) /
          figure(`${p.name}: ${evaluatingName}`),
      ),
    ),
  ...projects.map((p) =>
    info(
      `${asCaptured(p.kind)}, ${p.name} / ${rawName(p.kind)}`,
      figure(`${p.name}: ${asCaptured(p.kind)}`) / figure(`${p.name}: ${rawName(p.kind)}`),
    ),
  ),
  info(
    `cold CLI − node, channel-file / ${rawName('file')}`,
    afterNode(figure('channel-file: nixshell env --json, cold')) /
      figure(`channel-file: ${rawName('file')}`),
  ),
];

const { stdout: load } = await execa('cat', ['/proc/loadavg']);
console.log(
  `\n${importedFiles} imported files in the large projects, ${channelFiles} evaluated in the channel project; median of ${rounds} interleaved round(s); load ${load.split(' ').slice(0, 3).join(' ')}\n`,
);
for (const [name, value] of Object.entries(figures)) {
  if (name.startsWith('ratio: ')) continue;
  console.log(`${name.padEnd(58)} ${value.toFixed(1).padStart(9)}`);
}
console.log('');
for (const t of targets) {
  console.log(
    `${t.pass ? 'PASS' : 'FAIL'}  ${t.name.padEnd(56)} ${t.value.toFixed(2).padStart(8)}  (target ${t.target})`,
  );
}
for (const { name, value } of editorMisses) {
  console.log(`info  ${name.padEnd(56)} ${value.toFixed(2).padStart(8)}`);
}
if (jsonOut) {
  await mkdir(path.dirname(path.resolve(jsonOut)), { recursive: true });
  await writeFile(jsonOut, JSON.stringify({ rounds, figures, targets }, null, 2));
}
await removeTempDirs();
if (!smoke && targets.some((t) => !t.pass)) process.exitCode = 1;
