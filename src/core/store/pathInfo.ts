import { runInProcessGroup } from '../process';
import { nixCommandFlags } from '../nix/command';
import type { StepContext } from '../capture/run';
import type { NixInstallation } from '../nix/installation';
import type { TargetSpec } from '../target';

/** What querying a store needs: nix, its environment, and the user's `--option` settings. */
export interface StoreAccess {
  readonly nix: NixInstallation;
  readonly env: Record<string, string>;
  readonly context: Pick<StepContext, 'signal' | 'evaluationTimeoutMs'>;
  readonly spec: Pick<TargetSpec, 'options'>;
}

export interface PathInfo {
  readonly narSize: number | null;
  readonly downloadSize: number | null;
}

/**
 * `nix path-info --json` for store paths in a store (the local one when `store` is undefined):
 * the ones it holds, with their sizes. Nix 2.8 prints a list (`"valid": false` for a missing
 * path), later versions an object keyed by path (`null` for a missing one).
 */
export async function pathInfos(
  invocation: StoreAccess,
  paths: readonly string[],
  store?: string,
  extraArgs: readonly string[] = [],
): Promise<Map<string, PathInfo>> {
  const found = new Map<string, PathInfo>();
  if (paths.length === 0) return found;
  const result = await runInProcessGroup(
    invocation.nix.nix,
    [
      ...nixCommandFlags,
      'path-info',
      '--json',
      ...extraArgs,
      ...(store ? ['--store', store] : []),
      ...(invocation.spec.options ?? []),
      ...paths,
    ],
    {
      cwd: '/',
      env: invocation.env,
      collectStdout: true,
      signal: invocation.context.signal,
      timeoutMs: invocation.context.evaluationTimeoutMs,
    },
  );
  if (result.exitCode !== 0) return found;
  const parsed: unknown = JSON.parse(result.stdout || 'null');
  const entries: Array<[string, unknown]> = Array.isArray(parsed)
    ? parsed.map((info: unknown) => {
        const storePath = (info as { path?: unknown } | null)?.path;
        return [typeof storePath === 'string' ? storePath : '', info];
      })
    : parsed && typeof parsed === 'object'
      ? Object.entries(parsed)
      : [];
  const size = (value: unknown) => (typeof value === 'number' ? value : null);
  for (const [storePath, info] of entries) {
    if (!info || typeof info !== 'object' || (info as { valid?: unknown }).valid === false)
      continue;
    const record = info as { narSize?: unknown; downloadSize?: unknown };
    found.set(storePath, {
      narSize: size(record.narSize),
      downloadSize: size(record.downloadSize),
    });
  }
  return found;
}
