import { readFile } from 'node:fs/promises';
import { nixCommandFlags } from '../nix/command';
import type { DerivationBuildNeeds } from '../nix/derivation';
import { runInProcessGroup } from '../process';
import type { StoreAccess } from './pathInfo';

/** Where nix can build: this machine's platforms and features, and its remote builders'. */
export interface BuildCapabilities {
  readonly system: string;
  readonly platforms: readonly string[];
  readonly features: readonly string[];
  /** `max-jobs = 0`: nothing builds here, only on remote builders. */
  readonly buildsLocally: boolean;
  readonly machines: ReadonlyArray<{ readonly systems: string[]; readonly features: string[] }>;
}

/**
 * Nix's build settings as it resolves them (nix.conf, NIX_CONFIG, the user's `--option`s):
 * `nix config show --json`, or its older name `nix show-config` (Nix < 2.20).
 */
export async function buildCapabilities(access: StoreAccess): Promise<BuildCapabilities> {
  let settings: Record<string, unknown> | undefined;
  for (const command of [['config', 'show'], ['show-config']]) {
    const result = await runInProcessGroup(
      access.nix.nix,
      [...nixCommandFlags, ...command, '--json', ...(access.spec.options ?? [])],
      {
        cwd: '/',
        env: access.env,
        collectStdout: true,
        signal: access.context.signal,
        timeoutMs: access.context.evaluationTimeoutMs,
      },
    );
    if (result.exitCode !== 0) continue;
    settings = JSON.parse(result.stdout) as Record<string, unknown>;
    break;
  }
  const value = (name: string): unknown =>
    (settings?.[name] as { value?: unknown } | undefined)?.value;
  const list = (name: string): string[] => {
    const setting = value(name);
    if (Array.isArray(setting)) return setting.filter((v): v is string => typeof v === 'string');
    return typeof setting === 'string' ? setting.split(/\s+/).filter((v) => v !== '') : [];
  };
  const system = typeof value('system') === 'string' ? (value('system') as string) : '';
  const builders = typeof value('builders') === 'string' ? (value('builders') as string) : '';
  return {
    system,
    platforms: [system, ...list('extra-platforms')],
    features: list('system-features'),
    buildsLocally: value('max-jobs') !== 0,
    machines: await remoteBuilders(builders),
  };
}

/**
 * The machines of nix's `builders` setting (`@file` reads them from a file, as nix does):
 * `URI systems key jobs speed features mandatory-features`, a line or a `;` each.
 */
async function remoteBuilders(
  builders: string,
): Promise<Array<{ systems: string[]; features: string[] }>> {
  const text = builders.startsWith('@')
    ? await readFile(builders.slice(1), 'utf8').catch(() => '')
    : builders;
  return text
    .split(/[\n;]/)
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line !== '')
    .map((line) => {
      const fields = line.split(/\s+/);
      const csv = (field: string | undefined) =>
        field && field !== '-' ? field.split(',').filter((f) => f !== '') : [];
      return { systems: csv(fields[1]), features: [...csv(fields[5]), ...csv(fields[6])] };
    });
}

/**
 * Why nix can build a derivation neither here nor on a remote builder, or undefined when it
 * can: its platform is none of this machine's, or it needs a feature none offers. (Nix's dry
 * run lists such a derivation as one to build; the build is what fails.)
 */
export function whyUnbuildable(
  needs: DerivationBuildNeeds,
  can: BuildCapabilities,
): string | undefined {
  // builtin:fetchurl and the like run inside nix on any platform.
  const platformOk = (platforms: readonly string[]) =>
    needs.system === 'builtin' || platforms.includes(needs.system);
  const featuresOk = (features: readonly string[]) =>
    needs.requiredSystemFeatures.every((f) => features.includes(f));
  const local = can.buildsLocally && platformOk(can.platforms) && featuresOk(can.features);
  // A machine that lists no systems builds for the local one, as nix reads it.
  const systemsOf = (m: { systems: readonly string[] }) =>
    m.systems.length > 0 ? m.systems : [can.system];
  const remote = can.machines.some((m) => platformOk(systemsOf(m)) && featuresOk(m.features));
  if (local || remote) return undefined;
  if (!can.buildsLocally && can.machines.length === 0) {
    return 'max-jobs is 0 and no remote builder is configured';
  }
  if (!platformOk(can.platforms) && !can.machines.some((m) => platformOk(systemsOf(m)))) {
    return `needs a ${needs.system} builder (this machine builds ${can.platforms.join(', ')})`;
  }
  const missing = needs.requiredSystemFeatures.filter((f) => !can.features.includes(f));
  return `needs the system feature${missing.length === 1 ? '' : 's'} ${missing.join(', ')} (this machine has ${can.features.join(', ') || 'none'})`;
}
