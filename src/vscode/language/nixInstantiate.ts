import path from 'node:path';
import { locateNix } from '../../core/nix/installation';
import { isExecutableFile } from '../../core/fs';
import { locateFirst } from './locate';

/**
 * `nix-instantiate`: next to the nix the extension uses (`nixShell.nixPath`, else PATH), since
 * both come from one installation; else wherever PATH has one (a `nixPath` pointing at a lone
 * wrapper script has no siblings).
 */
export async function locateNixInstantiate(
  configuredNix: string | undefined,
  projectPath: string | undefined,
  editorPath: string | undefined,
): Promise<string | undefined> {
  const nix = await locateNix(configuredNix, projectPath).catch(() => undefined);
  if (nix) {
    const sibling = path.join(path.dirname(nix.nix), 'nix-instantiate');
    if (isExecutableFile(sibling)) return sibling;
  }
  return locateFirst(['nix-instantiate'], projectPath, editorPath)?.file;
}
