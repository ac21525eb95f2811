// `npm run bench`: how much faster reopening a project is than evaluating it, measured in one
// run on one machine, so the ratios hold whatever the machine. The synthetic project has the
// shape of a real one: a shell.nix and a few local files, evaluated against a "nixpkgs" in the
// store (1,500 files whose evaluation costs about what `import <nixpkgs> {}` does, ~1 s here;
// anchors-envcapture §2 measured 0.65 s for the same size). Store files are not cache inputs:
// they never change. Measured:
//  - nix-shell:  `nix-shell shell.nix --run true`, what a user would type;
//  - capture:    the engine's full capture (print-dev-env, shellHook replay, inputs, cache write);
//  - warm:       the cache lookup on reopen (stat every input, no nix process);
//  - warm CLI:   `nixshell env --json` on a cache hit, Node's start-up included.
// Fails (exit 1) when the warm path is not at least `targetRatio` times faster than nix-shell,
// or a capture costs more than `captureOverhead` times what nix-shell does.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { EnvironmentCache } from '../../src/core/cache/store';
import { captureAndStore, lookup, type EngineContext } from '../../src/core/engine';
import { silentLogger } from '../../src/core/logger';
import { nixTestEnv, repoRoot } from '../support/nixEnv';
import { tempDir } from '../support/temp';

const packageFiles = 1500;
const runs = 5;
const targetRatio = 20;
const captureOverhead = 1.1;

/** A stand-in nixpkgs, added to the store as a pinned nixpkgs would be. */
async function storeNixpkgs(env: Record<string, string>): Promise<string> {
  const dir = path.join(await tempDir('nixshell-bench-'), 'nixpkgs');
  await mkdir(path.join(dir, 'pkgs'), { recursive: true });
  const imports: string[] = [];
  for (let i = 0; i < packageFiles; i++) {
    // Each file builds an attribute set with functions, as nixpkgs' files do.
    await writeFile(
      path.join(dir, 'pkgs', `p${i}.nix`),
      `{ lib }: { p${i} = lib.length (lib.attrNames (lib.listToAttrs (lib.genList (n: { name = "a\${toString n}"; value = n * ${i}; }) 1000))); }\n`,
    );
    imports.push(`(import ./pkgs/p${i}.nix { inherit lib; })`);
  }
  await writeFile(
    path.join(dir, 'default.nix'),
    `{ ... }: let lib = builtins; in builtins.foldl' (a: b: a // b) {} [ ${imports.join(' ')} ]\n`,
  );
  const { stdout } = await execa('nix-store', ['--add', dir], { env });
  return stdout.trim();
}

async function syntheticProject(): Promise<string> {
  const dir = await tempDir('nixshell-bench-');
  await mkdir(path.join(dir, 'nix'));
  await writeFile(path.join(dir, 'nix/settings.nix'), '{ greeting = "hello"; }\n');
  await writeFile(
    path.join(dir, 'shell.nix'),
    `let
  pkgs = import <nixpkgs> {};
  settings = import ./nix/settings.nix;
in derivation {
  name = "bench-shell"; system = builtins.currentSystem; builder = "/bin/bash";
  args = [ "-c" "echo > $out" ]; outputs = [ "out" ];
  TOTAL = toString (builtins.foldl' builtins.add 0 (builtins.attrValues pkgs));
  GREETING = settings.greeting;
  shellHook = "export HOOKED=1";
}
`,
  );
  return dir;
}

async function time(action: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await action();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function middle(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function median(action: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await time(action));
  return middle(times);
}

const nixpkgs = await storeNixpkgs(nixTestEnv());
const env = nixTestEnv({ NIX_PATH: `nixpkgs=${nixpkgs}` });
const project = await syntheticProject();
const file = path.join(project, 'shell.nix');
const spec = { target: { kind: 'file' as const, file }, args: [] };
const context = async (): Promise<EngineContext> => ({
  cache: new EnvironmentCache(await tempDir('nixshell-bench-cache-')),
  base: env,
  logger: silentLogger,
  evaluationTimeoutMs: 0,
  hookTimeoutMs: 30_000,
});

const shellEnv = { ...env, NIX_BUILD_SHELL: '/bin/bash' };
const runNixShell = () =>
  execa('nix-shell', [file, '--run', 'true'], { env: shellEnv, cwd: project });
// One evaluation first, so nix's own store paths exist and every measurement is a re-evaluation.
await runNixShell();

// Alternated run for run, so that load on the machine weighs on both alike.
const nixShellTimes: number[] = [];
const captureTimes: number[] = [];
for (let i = 0; i < runs; i++) {
  nixShellTimes.push(await time(runNixShell));
  const captureContext = await context();
  captureTimes.push(await time(() => captureAndStore(spec, captureContext)));
}
const nixShell = middle(nixShellTimes);
const capture = middle(captureTimes);
const warmContext = await context();
await captureAndStore(spec, warmContext);
const warm = await median(async () => {
  const found = await lookup(spec, warmContext);
  if (!found.freshness.fresh) throw new Error(`expected a cache hit: ${found.freshness.reason}`);
});
const cacheDir = warmContext.cache.directory;
const cli = path.join(repoRoot, 'dist/cli.js');
const warmCli = await median(() =>
  execa('node', [cli, 'env', project, '--json'], { env: { ...env, NIXSHELL_CACHE_DIR: cacheDir } }),
);

const rows: [string, number][] = [
  ['nix-shell --run true', nixShell],
  ['capture (nix-shell + dump + roots + cache)', capture],
  ['warm: cache lookup, no nix', warm],
  ['warm: nixshell env --json (a process)', warmCli],
];
console.log(`"nixpkgs" of ${packageFiles} files in the store; median of ${runs} runs\n`);
for (const [name, ms] of rows) console.log(`${name.padEnd(42)} ${ms.toFixed(1).padStart(8)} ms`);
const ratio = nixShell / warm;
console.log(
  `\nwarm lookup is ${ratio.toFixed(0)}× faster than nix-shell (target ≥ ${targetRatio}×)`,
);
console.log(`warm CLI is ${(nixShell / warmCli).toFixed(1)}× faster than nix-shell`);
const overhead = capture / nixShell;
console.log(`a capture costs ${overhead.toFixed(2)}× a nix-shell (target ≤ ${captureOverhead}×)`);
if (!(ratio >= targetRatio) || !(overhead <= captureOverhead)) {
  console.log('FAILED: a speed target was missed');
  process.exitCode = 1;
}
