// Shared by the real-nix tests and the integration suite (which cannot load modules that use
// import.meta, like fixtures.ts: it runs as CommonJS in the extension host).
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Makes the default devShell of a copy of `flake-two-shells` import `nix/extra.nix`, a new
 * file git does not track: the flake cannot see it.
 */
export async function importUntrackedFile(flakeDir: string): Promise<void> {
  await writeFile(path.join(flakeDir, 'nix/extra.nix'), '{ pkgs }: [ ]\n');
  const flakeFile = path.join(flakeDir, 'flake.nix');
  const source = await readFile(flakeFile, 'utf8');
  await writeFile(
    flakeFile,
    source.replace(
      'packages = import ./nix/tools.nix { inherit pkgs; };',
      'packages = import ./nix/tools.nix { inherit pkgs; } ++ import ./nix/extra.nix { inherit pkgs; };',
    ),
  );
}
