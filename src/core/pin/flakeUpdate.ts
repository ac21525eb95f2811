import { nixCommandFlags } from '../nix/command';
import { nixVersion, versionAtLeast } from '../nix/installation';
import type { PinContext } from './context';
import { runTool } from './tools';

/**
 * Updates a flake's nixpkgs input with nix itself; flake.lock is nix's file and is never
 * written here. `nix flake update <input>` exists from 2.19, which also dropped
 * `--update-input` from `nix flake lock`.
 */
export async function updateFlakePin(
  flakeDir: string,
  context: PinContext,
  input = 'nixpkgs',
): Promise<void> {
  const version = await nixVersion(context.nix, context.env);
  const args = versionAtLeast(version, '2.19')
    ? ['flake', 'update', input]
    : ['flake', 'lock', '--update-input', input];
  // A failure here is mostly the flake failing to evaluate, not the network.
  await runTool(context.nix.nix, [...nixCommandFlags, ...args], context, {
    what: `nix ${args.join(' ')}`,
    failure: 'evaluation',
    cwd: flakeDir,
  });
}
