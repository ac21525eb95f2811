// The JSON Schema editors check nixpkgs.lock.json with (package.json's jsonValidation) is
// generated from the zod schema readLock uses; here a JSON Schema validator (ajv) and readLock
// must accept and refuse the same lock files on disk.
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { lockSchemaPath, renderLockSchema } from '../../scripts/lockSchema';
import type { NixpkgsLock } from '../../src/core/pin';
import { lockFilePath, readLock, writeLock } from '../../src/core/pin/lockFile';
import { repoRoot } from '../support/nixEnv';
import { sampleLock } from '../support/pinSamples';
import { tempDir } from '../support/temp';

const rev = 'ddd77820cac22534a0713aac63476fc3ae9b7c35';
const { locked } = sampleLock;

const valid: Record<string, NixpkgsLock> = {
  'a GitHub branch': sampleLock,
  'a GitHub exact rev, no release': {
    version: 1,
    original: { type: 'github', owner: 'NixOS', repo: 'nixpkgs', rev },
    locked,
  },
  'a channel': {
    version: 1,
    original: { type: 'channel', name: 'nixos-24.05' },
    locked: {
      ...locked,
      url: 'https://releases.nixos.org/nixos/24.05/nixos-24.05.1.ddd7782/nixexprs.tar.xz',
    },
    release: '24.05',
  },
  'a git repository over ssh': {
    version: 1,
    original: { type: 'git', url: 'ssh://git@example.com/nixpkgs.git', ref: 'main' },
    locked: { ...locked, type: 'git', url: 'ssh://git@example.com/nixpkgs.git' },
    release: '26.11pre',
  },
};

const invalid: Record<string, unknown> = {
  'version 2': { ...sampleLock, version: 2 },
  'version "1"': { ...sampleLock, version: '1' },
  'no locked': { version: 1, original: sampleLock.original },
  'a short locked rev': { ...sampleLock, locked: { ...locked, rev: 'ddd7782' } },
  'a hex narHash': { ...sampleLock, locked: { ...locked, narHash: 'ab'.repeat(32) } },
  'a base32 narHash': {
    ...sampleLock,
    locked: { ...locked, narHash: '1ldmj3gm7zajsilyzg2pkf2bzdf922sa8zn03hfdp3j3s62b576r' },
  },
  'an unknown member': { ...sampleLock, pins: {} },
  'a channel with an owner': {
    ...valid['a channel'],
    original: { type: 'channel', name: 'x', owner: 'y' },
  },
  'a GitHub original without a repo': {
    ...sampleLock,
    original: { type: 'github', owner: 'NixOS' },
  },
  'an unknown original type': { ...sampleLock, original: { type: 'tarball', url: 'https://x/y' } },
  'an unknown locked type': { ...sampleLock, locked: { ...locked, type: 'file' } },
  'a token in the URL': {
    ...sampleLock,
    locked: { ...locked, url: 'https://oauth2:glpat-123@gitlab.com/a/b/archive.tar.gz' },
  },
  'a password in a git URL': {
    ...sampleLock,
    original: { type: 'git', url: 'ssh://git:hunter2@example.com/repo.git' },
  },
  'a fractional lastModified': { ...sampleLock, locked: { ...locked, lastModified: 1.5 } },
  'a negative lastModified': { ...sampleLock, locked: { ...locked, lastModified: -1 } },
  'an empty release': { ...sampleLock, release: '' },
  'a relative URL': { ...sampleLock, locked: { ...locked, url: 'nixpkgs.tar.gz' } },
};

describe('the nixpkgs.lock.json JSON Schema', () => {
  let validate: ValidateFunction;
  let dir: string;
  before(async () => {
    // Compiling checks the schema against the draft-07 meta-schema; strict mode also refuses
    // keywords a validator would ignore.
    const schema = JSON.parse(await readFile(lockSchemaPath, 'utf8')) as object;
    validate = new Ajv({ strict: true }).compile(schema);
    dir = await tempDir();
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('is what the zod schema generates (run `npm run manifest`)', async () => {
    const { current, generated } = await renderLockSchema();
    assert.equal(current, generated);
  });

  it('is the one package.json gives editors for nixpkgs.lock.json', async () => {
    const manifest = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as {
      contributes: { jsonValidation: { fileMatch: string; url: string }[] };
    };
    const contribution = manifest.contributes.jsonValidation.find(
      (entry) => entry.fileMatch === 'nixpkgs.lock.json',
    );
    assert.ok(contribution, 'no jsonValidation for nixpkgs.lock.json');
    assert.equal(path.resolve(repoRoot, contribution.url), path.resolve(lockSchemaPath.pathname));
  });

  for (const [name, lock] of Object.entries(valid)) {
    it(`accepts the lock file of ${name}, as readLock does`, async () => {
      await writeLock(dir, lock);
      const document: unknown = JSON.parse(await readFile(lockFilePath(dir), 'utf8'));
      assert.ok(validate(document), JSON.stringify(validate.errors));
      assert.deepEqual(await readLock(dir), lock);
    });
  }

  for (const [name, document] of Object.entries(invalid)) {
    it(`refuses a lock file with ${name}, as readLock does`, async () => {
      await writeFile(lockFilePath(dir), `${JSON.stringify(document, null, 2)}\n`);
      const onDisk: unknown = JSON.parse(await readFile(lockFilePath(dir), 'utf8'));
      assert.equal(validate(onDisk), false, 'the JSON Schema accepted it');
      await assert.rejects(readLock(dir), { kind: 'lock-invalid' });
    });
  }
});
