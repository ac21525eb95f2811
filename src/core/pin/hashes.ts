import { createHash } from 'node:crypto';
import path from 'node:path';
import { NixShellError } from '../errors';

// Nix's own base32 alphabet (no e, o, t, u), as in nix-prefetch-url's output and store paths.
const base32Alphabet = '0123456789abcdfghijklmnpqrsvwxyz';
const sha256Bytes = 32;

/** Encodes bytes the way nix prints hashes and store path digests (libutil/hash.cc). */
export function nixBase32Encode(bytes: Uint8Array): string {
  const length = Math.ceil((bytes.length * 8) / 5);
  let result = '';
  for (let n = length - 1; n >= 0; n--) {
    const bit = n * 5;
    const i = Math.floor(bit / 8);
    const j = bit % 8;
    const low = (bytes[i] ?? 0) >> j;
    const high = i + 1 < bytes.length ? (bytes[i + 1] ?? 0) << (8 - j) : 0;
    result += base32Alphabet.charAt((low | high) & 0x1f);
  }
  return result;
}

/** Decodes nix base32; undefined when the text is not a valid encoding of `size` bytes. */
export function nixBase32Decode(text: string, size: number): Uint8Array | undefined {
  if (text.length !== Math.ceil((size * 8) / 5)) return undefined;
  const bytes = new Uint8Array(size);
  for (let n = 0; n < text.length; n++) {
    const digit = base32Alphabet.indexOf(text[text.length - n - 1] ?? '');
    if (digit < 0) return undefined;
    const bit = n * 5;
    const i = Math.floor(bit / 8);
    const j = bit % 8;
    bytes[i] = (bytes[i] ?? 0) | ((digit << j) & 0xff);
    const carry = digit >> (8 - j);
    if (i + 1 < size) bytes[i + 1] = (bytes[i + 1] ?? 0) | carry;
    else if (carry !== 0) return undefined;
  }
  return bytes;
}

export const sriPattern = /^sha256-[A-Za-z0-9+/]{43}=$/;

/**
 * Any sha256 spelling a pin tool stores (niv's base32, npins' older base32 or newer SRI, hex)
 * as the SRI form the lock keeps. Done here rather than with `nix hash to-sri` so converting
 * starts no process and works on every nix version.
 */
export function toSriSha256(hash: string): string {
  const bare = hash.replace(/^sha256[:-]/, '');
  if (sriPattern.test(hash)) return hash;
  let bytes: Uint8Array | undefined;
  if (/^[0-9a-f]{64}$/i.test(bare)) bytes = Buffer.from(bare, 'hex');
  else if (/^[A-Za-z0-9+/]{43}=$/.test(bare)) bytes = Buffer.from(bare, 'base64');
  else bytes = nixBase32Decode(bare, sha256Bytes);
  if (bytes?.length !== sha256Bytes) {
    throw new NixShellError('lock-invalid', `"${hash}" is not a sha256 hash`);
  }
  return `sha256-${Buffer.from(bytes).toString('base64')}`;
}

function sriBytes(sri: string): Buffer {
  if (!sriPattern.test(sri))
    throw new NixShellError('lock-invalid', `"${sri}" is not a sha256 SRI hash`);
  return Buffer.from(sri.slice('sha256-'.length), 'base64');
}

/** `sha256-…` as nix base32, the form `nix-prefetch-url` prints and takes. */
export function sriToNixBase32(sri: string): string {
  return nixBase32Encode(sriBytes(sri));
}

/** Nix's compressHash: XOR-folds a digest to `size` bytes (store path digests are 20 bytes). */
function compressHash(digest: Buffer, size: number): Uint8Array {
  const result = new Uint8Array(size);
  for (let i = 0; i < digest.length; i++)
    result[i % size] = (result[i % size] ?? 0) ^ (digest[i] ?? 0);
  return result;
}

export const defaultStoreDir = '/nix/store';

/**
 * The store path of a tree with this NAR hash added under the name `source`: where
 * `fetchTarball { sha256 }`, `fetchGit { narHash }`, `nix-prefetch-url --unpack --name source`
 * and flake inputs all put it (makeFixedOutputPath, recursive sha256). Computed without nix,
 * so the warm path can tell whether a pin is already present without starting a process.
 */
export function fixedSourcePath(narHash: string, storeDir = defaultStoreDir): string {
  const hex = sriBytes(narHash).toString('hex');
  const fingerprint = `source:sha256:${hex}:${storeDir}:source`;
  const digest = createHash('sha256').update(fingerprint).digest();
  return path.posix.join(storeDir, `${nixBase32Encode(compressHash(digest, 20))}-source`);
}

/** The store directory nix uses in this environment. */
export function storeDirOf(env: Readonly<Record<string, string | undefined>>): string {
  return env['NIX_STORE_DIR'] || defaultStoreDir;
}
