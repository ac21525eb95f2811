import { evaluationError } from '../capture/failure';
import { runNix } from '../capture/run';
import { nixConfSettings } from '../cache/key';
import { nixLogFlags, optionSettings } from '../nix/command';
import { readDerivationBuildNeeds } from '../nix/derivation';
import { Verbosity, type NixLogEvent } from '../nix/log';
import { buildCapabilities, whyUnbuildable } from './buildability';
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
  /** Its builder fetches the output (a fixed-output derivation): it needs the network. */
  readonly fixedOutput: boolean;
}

/** What entering needs that nix can neither download nor build here: entering will fail. */
export interface Unbuildable {
  readonly name: string;
  /** The derivation, or a store path no substituter has and no derivation makes. */
  readonly path: string;
  readonly reason: string;
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
  readonly cannotBuild: Unbuildable[];
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
  const listing = new DryRunListing();
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
        listing.read(event);
      },
    },
    context,
  );
  if (run.result.exitCode !== 0) throw evaluationError(run);
  const { listed } = listing;
  const sizes = await fetchSizes(invocation, listed.fetch, askedLast);
  const builds = await buildsAndObstacles(invocation, listed.build);
  return {
    build: builds.build,
    cannotBuild: [
      ...listed.unknown.map((storePath) => ({
        name: storePathName(storePath),
        path: storePath,
        reason: 'no substituter has it, and nix does not know how to build it',
      })),
      ...builds.cannotBuild,
    ],
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
 * The lists of nix's dry run (`printMissing`, the same words from Nix 2.8 to 2.26): "these 2
 * derivations will be built:", "this path will be fetched (…):", "don't know how to build
 * these paths:", each followed by one indented store path a line.
 */
export class DryRunListing {
  readonly listed: Record<'build' | 'fetch' | 'unknown', string[]> = {
    build: [],
    fetch: [],
    unknown: [],
  };
  private section: 'build' | 'fetch' | 'unknown' | undefined;

  read(event: NixLogEvent): void {
    if (event.type !== 'message' || event.level !== Verbosity.Info) return;
    if (/will be built/.test(event.text)) this.section = 'build';
    else if (/will be fetched/.test(event.text)) this.section = 'fetch';
    else if (/don't know how to build/.test(event.text)) this.section = 'unknown';
    else if (this.section && /^\s+\//.test(event.text)) {
      this.listed[this.section].push(event.text.trim());
    } else if (!/^\s/.test(event.text)) this.section = undefined;
  }
}

/**
 * The derivations to build, and those nix cannot build here: a platform or a system feature
 * neither this machine nor a remote builder has (nix's dry run lists them as builds).
 */
async function buildsAndObstacles(
  invocation: NixInvocation,
  drvPaths: readonly string[],
): Promise<{ build: PlannedBuild[]; cannotBuild: Unbuildable[] }> {
  const build: PlannedBuild[] = [];
  const cannotBuild: Unbuildable[] = [];
  if (drvPaths.length === 0) return { build, cannotBuild };
  const can = await buildCapabilities(invocation);
  for (const drvPath of drvPaths) {
    const name = storePathName(drvPath);
    const needs = await readDerivationBuildNeeds(drvPath).catch(() => undefined);
    const reason = needs && can.system !== '' ? whyUnbuildable(needs, can) : undefined;
    if (reason) cannotBuild.push({ name, path: drvPath, reason });
    else build.push({ name, drvPath, fixedOutput: needs?.fixedOutput ?? false });
  }
  return { build, cannotBuild };
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

/**
 * "builds 2, downloads 1.4 MiB (3 paths)", "cannot build foo-1.0 (needs a aarch64-darwin
 * builder …)", or "nothing to build or download".
 */
export function describePlan(plan: Pick<Plan, 'build' | 'fetch' | 'cannotBuild'>): string {
  const parts: string[] = [];
  const [first, ...others] = plan.cannotBuild;
  if (first) {
    const more = others.length > 0 ? ` and ${others.length} more` : '';
    parts.push(`cannot build ${first.name} (${first.reason})${more}`);
  }
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
