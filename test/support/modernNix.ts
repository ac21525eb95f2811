import { execa } from 'execa';
import path from 'node:path';
import { repoRoot } from './nixEnv';

/** The bin directory of the second, modern Nix (test/nix-versions/install-nix.sh), installed once. */
export async function modernNixBin(): Promise<string> {
  const install = await execa('bash', [path.join(repoRoot, 'test/nix-versions/install-nix.sh')], {
    stderr: 'inherit',
  });
  const bin = install.stdout.trim().split('\n').at(-1);
  if (!bin) throw new Error('install-nix.sh printed no bin directory');
  return bin;
}
