import { evaluationError } from '../capture/failure';
import { runNix } from '../capture/run';
import { nixConfSettings } from '../cache/key';
import { nixLogFlags, optionSettings } from '../nix/command';
import { Verbosity } from '../nix/log';
import { pathInfos, type PathInfo } from './pathInfo';
import {
  shellInputs,
  withAcceptedFlakeConfig,
  storePathName,
  type NixInvocation,
} from './shellDerivation';

export interface PlannedBuild {
  readonly name: string;
  readonly drvPath: string;
}

export interface PlannedFetch {
  readonly name: string;
  readonly path: string;
  /** Bytes to download (compressed) and unpacked; null where no substituter said. */
  readonly downloadSize: number | null;
  readonly narSize: number | null;
}

export interface Plan {
  readonly build: PlannedBuild[];
  readonly fetch: PlannedFetch[];
  /** A cache the daemon ignored, and how to fix it. */
  readonly warnings: string[];
}

/**
 * What entering would build and download, without building: nix's own dry run of the shell's
 * inputs (`nix-store --realise --dry-run`), with each download's size from the substituter
 * that has it (`nix path-info --store`).
 */
export async function planEnvironment(invocation: NixInvocation): Promise<Plan> {
  invocation = await withAcceptedFlakeConfig(invocation);
  const { nix, env, context } = invocation;
  const inputs = await shellInputs(invocation);
  context.onProgress?.('asking what is missing');
  const listed: Record<'build' | 'fetch', string[]> = { build: [], fetch: [] };
  let section: 'build' | 'fetch' | undefined;
  const askedLast = new Map<string, string>();
  const run = await runNix(
    nix.nixStore,
    [
      '--realise',
      '--dry-run',
      ...nixLogFlags,
      ...(invocation.spec.options ?? []),
      ...(inputs.length > 0 ? inputs : []),
    ],
    {
      cwd: '/',
      env,
      collectStdout: false,
      onLogEvent: (event) => {
        if (event.type === 'query-path-info') askedLast.set(event.path, event.store);
        if (event.type !== 'message' || event.level !== Verbosity.Info) return;
        // nix prints "these 2 derivations will be built:" / "this path will be fetched (…):",
        // then one indented store path a line.
        if (/will be built/.test(event.text)) section = 'build';
        else if (/will be fetched/.test(event.text)) section = 'fetch';
        else if (section && /^\s+\//.test(event.text)) listed[section].push(event.text.trim());
        else if (!/^\s/.test(event.text)) section = undefined;
      },
    },
    context,
  );
  if (run.result.exitCode !== 0) throw evaluationError(run);
  const sizes = await fetchSizes(invocation, listed.fetch, askedLast);
  return {
    build: listed.build.map((drvPath) => ({ name: storePathName(drvPath), drvPath })),
    fetch: listed.fetch.map((storePath) => ({
      name: storePathName(storePath),
      path: storePath,
      downloadSize: sizes.get(storePath)?.downloadSize ?? null,
      narSize: sizes.get(storePath)?.narSize ?? null,
    })),
    warnings: [...run.warnings],
  };
}

/**
 * Each download's size, from the substituter nix found it on (the last it asked, from its
 * log), else from each configured substituter in turn until all are known.
 */
async function fetchSizes(
  invocation: NixInvocation,
  paths: readonly string[],
  askedLast: ReadonlyMap<string, string>,
): Promise<Map<string, { downloadSize: number | null; narSize: number | null }>> {
  const sizes = new Map<string, { downloadSize: number | null; narSize: number | null }>();
  const stores = [
    ...new Set([
      ...paths.flatMap((p) => askedLast.get(p) ?? []),
      ...(await configuredSubstituters(invocation)),
    ]),
  ];
  for (const store of stores) {
    const wanted = paths.filter((p) => !sizes.has(p));
    if (wanted.length === 0) break;
    const infos = await pathInfos(invocation, wanted, store).catch(
      () => new Map<string, PathInfo>(),
    );
    for (const [storePath, info] of infos) sizes.set(storePath, info);
  }
  return sizes;
}

/** The substituters nix is configured with: nix.conf, NIX_CONFIG, then `--option`s. */
async function configuredSubstituters(invocation: NixInvocation): Promise<string[]> {
  const settings = await nixConfSettings(invocation.env);
  const split = (value: string | undefined) => (value ?? '').split(/\s+/).filter((v) => v !== '');
  let substituters = [
    ...split(settings['substituters'] ?? 'https://cache.nixos.org'),
    ...split(settings['extra-substituters']),
  ];
  for (const [name, value] of optionSettings(invocation.spec.options ?? [])) {
    if (name === 'substituters') substituters = split(value);
    if (name === 'extra-substituters') substituters.push(...split(value));
  }
  return substituters;
}

/** "builds 2, downloads 1.4 MiB (3 paths)", or "nothing to build or download". */
export function describePlan(plan: Pick<Plan, 'build' | 'fetch'>): string {
  const parts: string[] = [];
  if (plan.build.length > 0) parts.push(`builds ${plan.build.length}`);
  if (plan.fetch.length > 0) {
    const bytes = plan.fetch.reduce((sum, f) => sum + (f.downloadSize ?? 0), 0);
    const count = `${plan.fetch.length} path${plan.fetch.length === 1 ? '' : 's'}`;
    parts.push(`downloads ${formatBytes(bytes)} (${count})`);
  }
  return parts.length > 0 ? parts.join(', ') : 'nothing to build or download';
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}
