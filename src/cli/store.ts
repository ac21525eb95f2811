// `nixshell plan` and `nixshell push`: what entering costs, and sharing it with a team cache.
import { lockFlakeIfUnlocked } from '../core/capture/capture';
import { lookup } from '../core/engine';
import { nixLogFlagsFor } from '../core/nix/command';
import { engineInvocation } from '../core/store/enterPlan';
import { describePlan, formatBytes, planEnvironment } from '../core/store/plan';
import { pushEnvironment } from '../core/store/push';
import { engineContext, resolveSpec, type CliOptions } from './env';
import { progressLine } from './progressLine';

async function invocation(
  dir: string,
  options: CliOptions,
  signal: AbortSignal | undefined,
  progress?: ReturnType<typeof progressLine>,
) {
  const context = engineContext(options, (line) => {
    progress?.end();
    process.stderr.write(line);
  });
  const { spec } = await resolveSpec(dir, options);
  const run = await engineInvocation(spec, context, signal);
  // As `nix develop` would: a flake checked out without flake.lock gets one first (nix 2.26
  // cannot evaluate a relative `path:` input without it).
  await lockFlakeIfUnlocked(
    spec,
    run.nix,
    { cwd: dir, env: run.env, logFlags: nixLogFlagsFor(run.nix.identity) },
    run.context,
  );
  const onProgress = progress ? { onProgress: progress.report } : {};
  return { ...run, context: { ...context, signal, ...onProgress }, original: spec };
}

export async function runPlan(
  dir: string,
  options: CliOptions,
  signal?: AbortSignal,
): Promise<void> {
  const run = await invocation(dir, options, signal);
  const plan = await planEnvironment(run);
  for (const warning of plan.warnings) run.context.logger.warn(warning);
  if (options.json) {
    const { build, fetch, cannotBuild } = plan;
    process.stdout.write(`${JSON.stringify({ build, fetch, cannotBuild }, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${describePlan(plan)}\n`);
  for (const build of plan.build) {
    const network = build.fixedOutput ? ' (its builder downloads it)' : '';
    process.stdout.write(`  build  ${build.name}${network}\n`);
  }
  for (const fetch of plan.fetch) {
    const size = fetch.downloadSize === null ? '' : `  ${formatBytes(fetch.downloadSize)}`;
    process.stdout.write(`  fetch  ${fetch.name}${size}\n`);
  }
  for (const blocked of plan.cannotBuild) {
    process.stdout.write(`  cannot build  ${blocked.name}: ${blocked.reason}\n`);
  }
}

export async function runPush(
  dir: string,
  options: CliOptions,
  signal?: AbortSignal,
): Promise<void> {
  const progress = progressLine();
  const run = await invocation(dir, options, signal, progress);
  // The captured environment's own store paths (a flake's `-env`) spare the team that build.
  const found = await lookup(run.original, run.context).catch(() => undefined);
  const extraPaths = found?.entry && found.freshness.fresh ? found.entry.storePaths : [];
  const result = await pushEnvironment(run, options.to ?? '', {
    signKey: options.signKey,
    extraPaths,
  }).finally(progress.end);
  for (const warning of result.warnings) run.context.logger.warn(warning);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  process.stdout.write(
    `copied ${result.paths} paths (${formatBytes(result.bytes)}) to ${options.to ?? ''}; ` +
      `${result.closure - result.paths} were already there\n`,
  );
}
