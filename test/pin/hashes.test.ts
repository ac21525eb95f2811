// Hash spellings and store paths computed in TypeScript, checked against nix 2.8 itself.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { NixShellError } from '../../src/core/errors';
import { fixedSourcePath, sriToNixBase32, toSriSha256 } from '../../src/core/pin/hashes';
import { parseTarStart } from '../../src/core/pin/archiveHeader';
import { nixTestEnv } from '../support/nixEnv';
import { runNixTool } from '../support/nixTools';
import { createFixtureNixpkgs } from '../support/fixtureNixpkgs';
import { scratchDir } from '../support/scratch';

const env = nixTestEnv();

/** nix's own base32 and SRI spellings of the sha256 of a random file. */
async function nixHashes(): Promise<{ base32: string; sri: string; hex: string }> {
  const file = path.join(await scratchDir('nixshell-hash-'), 'blob');
  await writeFile(file, randomBytes(64));
  const hash = (format: string) =>
    runNixTool('nix', ['hash', 'file', '--type', 'sha256', format, file], env).then((out) =>
      out.trim(),
    );
  return { base32: await hash('--base32'), sri: await hash('--sri'), hex: await hash('--base16') };
}

describe('pin hashes', () => {
  it('converts nix base32 and hex to SRI exactly as nix does, and back', async () => {
    for (let i = 0; i < 4; i++) {
      const { base32, sri, hex } = await nixHashes();
      assert.equal(toSriSha256(base32), sri);
      assert.equal(toSriSha256(`sha256:${base32}`), sri);
      assert.equal(toSriSha256(hex), sri);
      assert.equal(toSriSha256(sri), sri);
      assert.equal(sriToNixBase32(sri), base32);
      const viaNix = await runNixTool('nix', ['hash', 'to-sri', '--type', 'sha256', base32], env);
      assert.equal(viaNix.trim(), sri);
    }
  });

  it('refuses what is not a sha256', () => {
    for (const bad of ['', 'abc', 'sha256-AAAA', 'e'.repeat(52), '0'.repeat(51)]) {
      assert.throws(() => toSriSha256(bad), NixShellError, bad);
    }
  });

  it('computes the store path of a `source` tree as nix-store --print-fixed-path does', async () => {
    for (let i = 0; i < 4; i++) {
      const { sri } = await nixHashes();
      const expected = await runNixTool(
        'nix-store',
        ['--print-fixed-path', '--recursive', 'sha256', sri, 'source'],
        env,
      );
      assert.equal(fixedSourcePath(sri), expected.trim());
    }
  });

  it('reads the commit and its time from the start of a git archive', async () => {
    const fixture = await createFixtureNixpkgs();
    const rev = await fixture.rev('nixos-24.11');
    const { stdout } = await execa(
      'git',
      ['archive', '--format=tar', `--prefix=nixpkgs-${rev}/`, rev],
      {
        cwd: fixture.bare,
        encoding: 'buffer',
      },
    );
    assert.deepEqual(parseTarStart(Buffer.from(stdout)), {
      commit: rev,
      entryTime: Date.parse('2024-12-01T08:30:00Z') / 1000,
    });
    assert.deepEqual(parseTarStart(Buffer.alloc(1024)), {});
  });
});
