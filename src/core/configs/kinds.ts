import path from 'node:path';
import { NixShellError } from '../errors';

/**
 * The system configurations a flake can hold, and where each keeps what tools build: NixOS's
 * `nixos-rebuild` builds `config.system.build.toplevel`, home-manager the
 * `activationPackage`, nix-darwin's `darwin-rebuild` the `system`.
 */
export type ConfigurationKind = 'nixos' | 'darwin' | 'home';

interface KindInfo {
  /** The flake output holding configurations of this kind. */
  readonly output: string;
  /** The attribute path, under one configuration, of what a switch would activate. */
  readonly system: string;
  readonly label: string;
}

export const configurationKinds: Readonly<Record<ConfigurationKind, KindInfo>> = {
  nixos: {
    output: 'nixosConfigurations',
    system: 'config.system.build.toplevel',
    label: 'NixOS',
  },
  darwin: { output: 'darwinConfigurations', system: 'system', label: 'nix-darwin' },
  home: { output: 'homeConfigurations', system: 'activationPackage', label: 'home-manager' },
};

export interface SystemConfiguration {
  readonly kind: ConfigurationKind;
  readonly name: string;
  /** The directory of the flake.nix that defines it. */
  readonly flakeDir: string;
}

/** `nixosConfigurations.laptop`, `homeConfigurations."alice@laptop"`: the flake attribute. */
export function configurationAttr(config: Pick<SystemConfiguration, 'kind' | 'name'>): string {
  return `${configurationKinds[config.kind].output}.${attrName(config.name)}`;
}

/** `nixosConfigurations.laptop`: the name that tells configurations of two kinds apart. */
export function qualifiedName(config: Pick<SystemConfiguration, 'kind' | 'name'>): string {
  return `${configurationKinds[config.kind].output}.${config.name}`;
}

/** `systems/flake.nix#nixosConfigurations.laptop`: where it is, from the folder `root`. */
export function configurationRef(config: SystemConfiguration, root: string): string {
  return `${path.relative(root, path.join(config.flakeDir, 'flake.nix'))}#${configurationAttr(config)}`;
}

/** A name as nix reads it in an attribute path: quoted unless it is a plain identifier. */
function attrName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_'-]*$/.test(name) ? name : JSON.stringify(name);
}

/** The attribute path of what the configuration would switch to. */
export function systemAttr(config: SystemConfiguration): string {
  return `${configurationAttr(config)}.${configurationKinds[config.kind].system}`;
}

/** The attribute path of a NixOS configuration's VM, as `nixos-rebuild build-vm` builds it. */
export function vmAttr(config: SystemConfiguration): string {
  return `${configurationAttr(config)}.config.system.build.vm`;
}

/**
 * The configuration a user's `NAME` means: `laptop`, or `nixosConfigurations.laptop` when
 * two kinds share a name. Undefined when none matches; throws the candidates when several do.
 */
export function findConfiguration(
  all: readonly SystemConfiguration[],
  wanted: string,
): SystemConfiguration | undefined {
  const exact = all.find((c) => qualifiedName(c) === wanted);
  if (exact) return exact;
  const named = all.filter((c) => c.name === wanted);
  if (named.length > 1) throw new AmbiguousConfiguration(wanted, named.map(qualifiedName));
  return named[0];
}

/**
 * The configuration `wanted` names among those found in `where`; none is a `no-environment`
 * error listing what there is. Several still throw `AmbiguousConfiguration`: each front end
 * says that in its own way (a usage error for the CLI).
 */
export function requireConfiguration(
  all: readonly SystemConfiguration[],
  wanted: string,
  where: string,
): SystemConfiguration {
  const found = findConfiguration(all, wanted);
  if (found) return found;
  const names = all.map((c) => c.name).join(', ') || 'none';
  throw new NixShellError(
    'no-environment',
    `no configuration ${wanted} in ${where} (it has: ${names})`,
  );
}

export class AmbiguousConfiguration extends Error {
  constructor(
    readonly wanted: string,
    readonly candidates: readonly string[],
  ) {
    super(`${wanted} names several configurations: ${candidates.join(', ')}`);
  }
}
