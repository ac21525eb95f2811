import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { locateNix } from '../../src/core/nix/installation';
import { testNixBin } from './nixEnv';

export interface NixShim {
  /** Put first on PATH: `nix`, `nix-shell` and `nix-store` here record each call, then run the real ones. */
  readonly dir: string;
  readonly log: string;
  /** The calls recorded so far, one `program args…` line each. */
  calls(): Promise<string[]>;
}

/**
 * A recording `nix`: proves which code paths start nix processes, and which start none.
 * Creating it again in the same directory keeps the scripts and empties the log.
 */
export async function createNixShim(dir: string, nixBin = testNixBin): Promise<NixShim> {
  const real = await locateNix(nixBin, undefined);
  const log = path.join(dir, 'calls.log');
  await mkdir(dir, { recursive: true });
  await writeFile(log, '');
  for (const [name, target] of [
    ['nix', real.nix],
    ['nix-shell', real.nixShell],
    ['nix-store', real.nixStore],
  ] as const) {
    const file = path.join(dir, name);
    const script = `#!/bin/bash\nprintf '%s %s\\n' ${name} "$*" >> '${log}'\nexec '${target}' "$@"\n`;
    // Rewriting would change the shim's mtime, and with it the identity of "nix" in cache keys.
    if ((await readFile(file, 'utf8').catch(() => '')) === script) continue;
    await writeFile(file, script);
    await chmod(file, 0o755);
  }
  return {
    dir,
    log,
    calls: async () => (await readFile(log, 'utf8')).split('\n').filter((line) => line !== ''),
  };
}
