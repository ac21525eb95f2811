import { constants } from 'node:fs';
import { access, readdir } from 'node:fs/promises';
import path from 'node:path';
import { NixShellError } from '../errors';
import { buildConfigurationAttr, type ConfigurationContext } from './evaluate';
import { vmAttr, type SystemConfiguration } from './kinds';

/**
 * Why this machine cannot run a NixOS VM as it should, or undefined when it can. The VM is a
 * Linux QEMU machine accelerated by KVM; without KVM it still starts, slowly, and elsewhere
 * it does not start at all. Said as a warning: what runs is up to the user.
 */
export async function vmPlatformWarning(
  platform: NodeJS.Platform = process.platform,
  kvmDevice = '/dev/kvm',
): Promise<string | undefined> {
  if (platform !== 'linux') {
    return `a NixOS VM runs on Linux with KVM; this machine runs ${platform}, so its run-*-vm script will most likely fail (build it on a Linux machine or a linux-builder)`;
  }
  try {
    await access(kvmDevice, constants.R_OK | constants.W_OK);
    return undefined;
  } catch {
    return `${kvmDevice} is missing or not writable for you: the VM will run without KVM, very slowly (enable virtualisation, or join the kvm group)`;
  }
}

export interface BuiltVm {
  readonly outPath: string;
  /** `bin/run-<host>-vm`, the script that starts the machine. */
  readonly runScript: string;
}

/** Only NixOS configurations have a VM; asking for another's is a mistake of the caller. */
export function assertHasVm(config: SystemConfiguration): void {
  if (config.kind !== 'nixos') {
    throw new NixShellError(
      'unsupported',
      `${config.name} is not a NixOS configuration: only NixOS builds a VM`,
    );
  }
}

/** Builds a NixOS configuration's VM, as `nixos-rebuild build-vm` does, and finds its script. */
export async function buildVm(
  config: SystemConfiguration,
  context: ConfigurationContext,
): Promise<BuiltVm> {
  assertHasVm(config);
  const outPath = await buildConfigurationAttr(config, vmAttr(config), context);
  const bin = path.join(outPath, 'bin');
  const scripts = (await readdir(bin).catch(() => [] as string[])).filter((name) =>
    /^run-.+-vm$/.test(name),
  );
  const script = scripts[0];
  if (!script) {
    throw new NixShellError(
      'evaluation',
      `the VM of ${config.name} (${outPath}) has no bin/run-*-vm script`,
    );
  }
  return { outPath, runScript: path.join(bin, script) };
}
