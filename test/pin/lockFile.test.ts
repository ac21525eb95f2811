// nixpkgs.lock.json on disk: the exact bytes written, and every way a lock can be refused.
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { NixShellError } from '../../src/core/errors';
import { lockFileName, readLock, writeLock, type NixpkgsLock } from '../../src/core/pin';
import { sampleLock } from '../support/pinSamples';
import { scratchDir } from '../support/scratch';

const expectedText = `{
  "version": 1,
  "original": {
    "type": "github",
    "owner": "NixOS",
    "repo": "nixpkgs",
    "ref": "nixos-24.05"
  },
  "locked": {
    "type": "tarball",
    "url": "https://github.com/NixOS/nixpkgs/archive/ddd77820cac22534a0713aac63476fc3ae9b7c35.tar.gz",
    "rev": "ddd77820cac22534a0713aac63476fc3ae9b7c35",
    "narHash": "sha256-Eo7k/Ip/g94YNAziV4v+pHv3wtV7inBMQtKmoTv5axM=",
    "lastModified": 1718452800
  },
  "release": "24.05"
}
`;

async function lockDir(text?: string): Promise<string> {
  const dir = await scratchDir('nixshell-lock-');
  if (text !== undefined) await writeFile(path.join(dir, lockFileName), text);
  return dir;
}

async function refusal(dir: string): Promise<NixShellError> {
  const error = await readLock(dir).then(
    () => assert.fail('the lock was accepted'),
    (thrown: unknown) => thrown,
  );
  assert.ok(error instanceof NixShellError, String(error));
  assert.equal(error.kind, 'lock-invalid');
  return error;
}

describe('nixpkgs.lock.json', () => {
  it('is written with a fixed key order, 2-space indentation and a final newline', async () => {
    const dir = await lockDir();
    // Members in a scrambled order, as an editor or a merge might leave them.
    const scrambled = {
      release: '24.05',
      locked: {
        lastModified: sampleLock.locked.lastModified,
        narHash: sampleLock.locked.narHash,
        rev: sampleLock.locked.rev,
        url: sampleLock.locked.url,
        type: 'tarball',
      },
      original: { ref: 'nixos-24.05', repo: 'nixpkgs', owner: 'NixOS', type: 'github' },
      version: 1,
    } as NixpkgsLock;
    await writeLock(dir, scrambled);
    assert.equal(await readFile(path.join(dir, lockFileName), 'utf8'), expectedText);
    assert.deepEqual(await readdir(dir), [lockFileName], 'no temporary file is left behind');
    assert.deepEqual(await readLock(dir), sampleLock);
  });

  it('is undefined when there is none', async () => {
    assert.equal(await readLock(await lockDir()), undefined);
  });

  it('refuses a truncated lock', async () => {
    const error = await refusal(await lockDir(expectedText.slice(0, 200)));
    assert.match(error.message, /not valid JSON, truncated or corrupt/);
  });

  it('refuses an empty or corrupt lock', async () => {
    assert.match((await refusal(await lockDir(''))).message, /it is empty/);
    assert.match((await refusal(await lockDir('<<<<<<< HEAD\n'))).message, /not valid JSON/);
    assert.match((await refusal(await lockDir('[1, 2]'))).message, /not a JSON object/);
  });

  it('refuses a lock from a newer version, naming the version', async () => {
    const future = { ...sampleLock, version: 2, pins: {} };
    const error = await refusal(await lockDir(JSON.stringify(future)));
    assert.match(error.message, /newer Nix Shell \(version 2; this one reads version 1\)/);
  });

  it('refuses a lock without a version', async () => {
    const rest: Partial<NixpkgsLock> = { ...sampleLock };
    delete rest.version;
    assert.match((await refusal(await lockDir(JSON.stringify(rest)))).message, /version missing/);
  });

  it('refuses unknown members and malformed fields, naming the field', async () => {
    const extra = { ...sampleLock, locked: { ...sampleLock.locked, sha256: 'x' } };
    assert.match((await refusal(await lockDir(JSON.stringify(extra)))).message, /^locked/);
    const hexHash = { ...sampleLock, locked: { ...sampleLock.locked, narHash: 'ab'.repeat(32) } };
    assert.match(
      (await refusal(await lockDir(JSON.stringify(hexHash)))).message,
      /^locked\.narHash/,
    );
    const shortRev = { ...sampleLock, locked: { ...sampleLock.locked, rev: 'ddd7782' } };
    assert.match((await refusal(await lockDir(JSON.stringify(shortRev)))).message, /^locked\.rev/);
  });

  it('never writes a URL with a token, and refuses to read one', async () => {
    const dir = await lockDir();
    const url = 'https://x-access-token:ghp_secret123@github.com/NixOS/nixpkgs/archive/a.tar.gz';
    const withToken: NixpkgsLock = { ...sampleLock, locked: { ...sampleLock.locked, url } };
    const error = await writeLock(dir, withToken).then(
      () => assert.fail('a token was written'),
      (thrown: unknown) => thrown as NixShellError,
    );
    assert.ok(error instanceof NixShellError);
    assert.equal(error.kind, 'unsupported');
    assert.match(error.message, /carries credentials/);
    assert.doesNotMatch(error.message, /ghp_secret123/, 'the message does not repeat the token');
    assert.deepEqual(await readdir(dir), []);
    const handWritten = await lockDir(JSON.stringify(withToken));
    assert.match((await refusal(handWritten)).message, /^locked\.url: must not carry credentials/);
  });

  it('never writes a token carried in a query string either', async () => {
    const dir = await lockDir();
    for (const query of [
      '?token=abc',
      '?access_token=abc',
      '&private_token=abc',
      '?X-Amz-Signature=abc',
    ]) {
      const url = `https://mirror.example/nixpkgs/archive/a.tar.gz?v=1${query.replace(/^\?/, '&')}`;
      const lock: NixpkgsLock = { ...sampleLock, locked: { ...sampleLock.locked, url } };
      await assert.rejects(writeLock(dir, lock), { kind: 'unsupported' }, url);
    }
    assert.deepEqual(await readdir(dir), []);
  });
});
