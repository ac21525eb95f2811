import { evaluation } from '../captureStore';
import type { EngineContext } from '../engine';
import { locateNix } from '../nix/installation';
import { describePlan, planEnvironment, type Plan } from './plan';
import type { NixInvocation } from './shellDerivation';
import type { TargetSpec } from '../target';

/** Where nix runs for a spec with the engine's settings: the pinned nixpkgs, if any, included. */
export async function engineInvocation(
  spec: TargetSpec,
  context: EngineContext,
  signal: AbortSignal | undefined,
): Promise<NixInvocation> {
  const nix = await locateNix(context.nixPath, context.base['PATH']);
  const evaluated = await evaluation(spec, nix, context, { signal });
  return {
    spec: evaluated.spec,
    nix,
    env: evaluated.evalBase,
    context: { ...context, signal },
  };
}

/**
 * What entering will cost, in words ("builds 2, downloads 1.4 MiB (3 paths)"), or undefined
 * when nothing needs building or downloading. Plans cost an evaluation of their own.
 */
export async function planInWords(
  spec: TargetSpec,
  context: EngineContext,
  signal: AbortSignal,
): Promise<{ words: string | undefined; plan: Plan }> {
  const plan = await planEnvironment(await engineInvocation(spec, context, signal));
  const nothing =
    plan.build.length === 0 && plan.fetch.length === 0 && plan.cannotBuild.length === 0;
  return { words: nothing ? undefined : describePlan(plan), plan };
}
