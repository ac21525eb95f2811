// The shipped JSON Schema (editor completion and errors) and the zod schema readLock uses must
// accept and refuse the same documents.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseLock, type NixpkgsLock } from '../../src/core/pin';
import { schemaError, type SchemaNode } from '../support/jsonSchemaSubset';
import { repoRoot } from '../support/nixEnv';
import { sampleLock } from '../support/pinSamples';

const schemaFile = path.join(repoRoot, 'schemas/nixpkgs.lock.schema.json');
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

function zodAccepts(document: unknown): boolean {
  try {
    parseLock(JSON.stringify(document));
    return true;
  } catch {
    return false;
  }
}

describe('the nixpkgs.lock.json JSON Schema', () => {
  let schema: SchemaNode;
  before(async () => {
    schema = JSON.parse(await readFile(schemaFile, 'utf8')) as SchemaNode;
  });

  it('is draft-07 with version 1', () => {
    assert.equal(schema['$schema'], 'http://json-schema.org/draft-07/schema#');
    const properties = schema['properties'] as Record<string, SchemaNode>;
    assert.equal(properties['version']?.['const'], 1);
  });

  for (const [name, document] of Object.entries(valid)) {
    it(`accepts ${name}, as zod does`, () => {
      assert.equal(schemaError(schema, document), undefined);
      assert.ok(zodAccepts(document), 'zod refused it');
    });
  }

  for (const [name, document] of Object.entries(invalid)) {
    it(`refuses ${name}, as zod does`, () => {
      assert.notEqual(schemaError(schema, document), undefined, 'the JSON Schema accepted it');
      assert.ok(!zodAccepts(document), 'zod accepted it');
    });
  }

  it('lists the same types and required fields as the TypeScript types', () => {
    const properties = schema['properties'] as Record<string, SchemaNode>;
    const original = properties['original'] as { oneOf: SchemaNode[] };
    const lockedSchema = properties['locked'] as SchemaNode;
    const originalTypes: NixpkgsLock['original']['type'][] = ['github', 'channel', 'git'];
    assert.deepEqual(
      original.oneOf.map(
        (branch) => (branch['properties'] as Record<string, SchemaNode>)['type']?.['const'],
      ),
      originalTypes,
    );
    const lockedTypes: NixpkgsLock['locked']['type'][] = ['tarball', 'git'];
    assert.deepEqual(
      (lockedSchema['properties'] as Record<string, SchemaNode>)['type']?.['enum'],
      lockedTypes,
    );
    const lockedKeys: (keyof NixpkgsLock['locked'])[] = [
      'type',
      'url',
      'rev',
      'narHash',
      'lastModified',
    ];
    assert.deepEqual(lockedSchema['required'], lockedKeys);
    assert.deepEqual(schema['required'], ['version', 'original', 'locked']);
  });
});
