// What a marketplace (Visual Studio Marketplace, Open VSX) needs from the package: the manifest's
// links, icon and flags, and an icon that is a real, decodable PNG of a size they accept.
import assert from 'node:assert/strict';
import { access, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { crc32, inflateSync } from 'node:zlib';
import { repoRoot } from '../support/nixEnv';

interface Manifest {
  publisher: string;
  preview?: boolean;
  icon?: string;
  homepage?: string;
  repository?: { type: string; url: string };
  bugs?: { url: string };
  galleryBanner?: { color: string; theme: string };
  license?: string;
  main?: string;
  scripts: Record<string, string>;
}

const home = 'https://github.com/nixshell/nixshell';

async function manifest(): Promise<Manifest> {
  return JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as Manifest;
}

/** The files `npm run package` puts in the VSIX (--no-dependencies: the bundles carry them). */
async function shippedFiles(): Promise<string[]> {
  const vsce = createRequire(import.meta.url)('@vscode/vsce') as {
    PackageManager: { None: number };
    listFiles(options: { cwd: string; packageManager: number }): Promise<string[]>;
  };
  return vsce.listFiles({ cwd: repoRoot, packageManager: vsce.PackageManager.None });
}

interface Png {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
  /** The decompressed image data: one filter byte, then the pixels, per row. */
  pixels: Buffer;
}

/** Reads a PNG as a decoder would: signature, every chunk's CRC, IHDR, and the IDAT stream. */
function decodePng(bytes: Buffer): Png {
  assert.deepEqual(bytes.subarray(0, 8), Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
  let offset = 8;
  let header: Buffer | undefined;
  const data: Buffer[] = [];
  let ended = false;
  while (offset < bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const typeAndBody = bytes.subarray(offset + 4, offset + 8 + length);
    const type = typeAndBody.subarray(0, 4).toString('latin1');
    assert.equal(crc32(typeAndBody), bytes.readUInt32BE(offset + 8 + length), `CRC of ${type}`);
    const body = typeAndBody.subarray(4);
    if (type === 'IHDR') header = body;
    if (type === 'IDAT') data.push(body);
    if (type === 'IEND') ended = true;
    offset += 12 + length;
  }
  assert.ok(header && ended, 'IHDR and IEND present');
  return {
    width: header.readUInt32BE(0),
    height: header.readUInt32BE(4),
    bitDepth: header.readUInt8(8),
    colourType: header.readUInt8(9),
    pixels: inflateSync(Buffer.concat(data)),
  };
}

describe('the published package', () => {
  it('names its repository, issues and home page, all on the same project', async () => {
    const m = await manifest();
    assert.deepEqual(m.repository, { type: 'git', url: `${home}.git` });
    assert.equal(m.bugs?.url, `${home}/issues`);
    assert.ok(m.homepage?.startsWith(home), m.homepage);
  });

  it('is a preview, from a publisher id the marketplaces accept, with a licence file', async () => {
    const m = await manifest();
    assert.equal(m.preview, true);
    assert.match(m.publisher, /^[a-z0-9][a-z0-9-]*$/);
    assert.equal(m.license, 'MIT');
    await access(path.join(repoRoot, 'LICENSE'));
    assert.match(await readFile(path.join(repoRoot, 'CHANGELOG.md'), 'utf8'), /^## 0\.1\.0/m);
  });

  it('has a gallery banner with a colour and a theme', async () => {
    const { galleryBanner } = await manifest();
    assert.match(galleryBanner?.color ?? '', /^#[0-9a-f]{6}$/i);
    assert.ok(['dark', 'light'].includes(galleryBanner?.theme ?? ''));
  });

  it('packages with vsce as the marketplace checks it, without waiving the repository', async () => {
    const { scripts } = await manifest();
    assert.match(scripts['package'] ?? '', /^vsce package /);
    assert.doesNotMatch(scripts['package'] ?? '', /allow-missing-repository|allow-star/);
  });

  it('has an icon that is a 256×256 (or 128×128) PNG, and ships it', async () => {
    const { icon = '' } = await manifest();
    assert.ok(icon.endsWith('.png'), `icon: ${icon}`);
    const png = decodePng(await readFile(path.join(repoRoot, icon)));
    assert.ok([128, 256].includes(png.width), `width ${png.width}`);
    assert.equal(png.height, png.width);
    // 8-bit RGBA: every row is a filter byte and 4 bytes a pixel, so the data decodes fully.
    assert.equal(png.bitDepth, 8);
    assert.equal(png.colourType, 6);
    assert.equal(png.pixels.length, png.height * (1 + png.width * 4));
    const shipped = await shippedFiles();
    assert.ok(shipped.includes(icon), `the VSIX has ${shipped.join(', ')}`);
  });

  it('ships the extension and every bundle it loads (after npm run build)', async () => {
    const { main = '' } = await manifest();
    const dist = path.posix.dirname(path.posix.normalize(main));
    // The entry names the main bundle it loads through the code cache; scripts/build.mjs turns
    // each lazily imported module into require("./NAME.cjs"). Followed from bundle to bundle.
    const loaded = [path.posix.normalize(main)];
    for (let i = 0; i < loaded.length; i++) {
      const bundle = await readFile(path.join(repoRoot, loaded[i] ?? ''), 'utf8');
      for (const [, name = ''] of bundle.matchAll(/["'](?:\.\/)?([\w-]+\.cjs)["']/g)) {
        const file = path.posix.join(dist, name);
        if (!loaded.includes(file)) loaded.push(file);
      }
    }
    for (const expected of ['dist/extensionBundle.cjs', 'dist/languageClient.cjs']) {
      assert.ok(loaded.includes(expected), `${main} loads ${loaded.join(', ')}`);
    }
    const shipped = await shippedFiles();
    for (const file of loaded) {
      assert.ok(shipped.includes(file), `the VSIX lacks ${file}: it has ${shipped.join(', ')}`);
    }
  });
});
