import path from 'node:path';
import { findCandidates } from '../discovery';
import { listFlakeAttrNames } from '../nix/flake';
import type { NixInstallation } from '../nix/installation';
import { configurationKinds, type ConfigurationKind, type SystemConfiguration } from './kinds';

/**
 * Every NixOS, nix-darwin and home-manager configuration a flake defines, found by listing the
 * names of its outputs: no configuration is evaluated, nothing is built. A flake without one
 * of these outputs simply has none of that kind.
 */
export async function discoverConfigurations(
  nix: NixInstallation,
  flakeDir: string,
  options: { env: Record<string, string>; signal?: AbortSignal | undefined },
): Promise<SystemConfiguration[]> {
  const found: SystemConfiguration[] = [];
  // One after the other: each evaluation is short, and the machine may have little to spare.
  for (const kind of Object.keys(configurationKinds) as ConfigurationKind[]) {
    const output = configurationKinds[kind].output;
    const names = await listFlakeAttrNames(nix, flakeDir, output, 'builtins.attrNames', options);
    found.push(...names.map((name) => ({ kind, name, flakeDir })));
  }
  return found;
}

/** The flakes of a folder that may hold configurations: at its root and one level down. */
export async function flakeDirsIn(folder: string): Promise<string[]> {
  const candidates = await findCandidates(folder);
  return candidates.filter((c) => c.name === 'flake.nix').map((c) => path.dirname(c.file));
}

/** Every configuration of every flake of the folder. */
export async function discoverInFolder(
  nix: NixInstallation,
  folder: string,
  options: { env: Record<string, string>; signal?: AbortSignal | undefined },
): Promise<SystemConfiguration[]> {
  const found: SystemConfiguration[] = [];
  for (const dir of await flakeDirsIn(folder)) {
    found.push(...(await discoverConfigurations(nix, dir, options)));
  }
  return found;
}
