// The team-cache fixture as the binary cache tests use it: a tool of its own, its builds counted.
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { copyFixture } from './fixtures';
import { nixTool } from './nixEnv';

/** A copy of the team-cache fixture with a tool of its own, and where its builds are counted. */
export async function teamProject(delaySeconds = 0) {
  const { top, dir } = await copyFixture('team-cache');
  // In /tmp itself, where the daemon's build users can reach it (TMPDIR may be private).
  const countDir = await mkdtemp('/tmp/nixshell-builds-');
  after(() => rm(countDir, { recursive: true, force: true }));
  const counter = path.join(countDir, 'builds.log');
  await writeFile(path.join(dir, 'counter'), `${counter}\n`);
  if (delaySeconds > 0) await writeFile(path.join(dir, 'delay'), `${delaySeconds}\n`);
  await writeFile(counter, '');
  await chmod(counter, 0o666);
  await chmod(countDir, 0o755);
  return { top, dir, counter };
}

/** How many times the fixture's tool was built. */
export async function builds(counter: string): Promise<number> {
  const text = await readFile(counter, 'utf8').catch(() => '');
  return text.split('\n').filter((line) => line === 'built').length;
}

/** A signing key pair made by nix (`nix key generate-secret`): the secret key's file, the public key. */
export async function signingKey(
  file: string,
  env: Record<string, string>,
): Promise<{ file: string; publicKey: string }> {
  const options = { env, extendEnv: false } as const;
  const secret = await execa(
    nixTool('nix'),
    ['key', 'generate-secret', '--key-name', 'team-1'],
    options,
  );
  await writeFile(file, secret.stdout);
  const converted = await execa(nixTool('nix'), ['key', 'convert-secret-to-public'], {
    ...options,
    input: secret.stdout,
  });
  return { file, publicKey: converted.stdout.trim() };
}
