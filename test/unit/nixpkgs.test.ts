// Where `<nixpkgs>` comes from, for the status bar's "unpinned (channel)": NIX_PATH, and also
// nix.conf's nix-path, which daemon installs and nix-darwin use instead of NIX_PATH.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readsSearchPathNixpkgs, searchPathNixpkgs } from '../../src/core/capture/nixpkgs';
import { tempDir } from '../support/temp';

describe('the <nixpkgs> of the search path', () => {
  it("includes nix.conf's nix-path when NIX_PATH is unset", async () => {
    const dir = await tempDir();
    const nixpkgs = path.join(dir, 'pinned-nixpkgs');
    await mkdir(nixpkgs);
    await mkdir(path.join(dir, 'etc'));
    await writeFile(path.join(dir, 'etc', 'nix.conf'), `nix-path = nixpkgs=${nixpkgs}\n`);
    const env = { NIX_CONF_DIR: path.join(dir, 'etc'), HOME: path.join(dir, 'home') };
    assert.ok((await searchPathNixpkgs(env)).includes(nixpkgs));
    assert.equal(await readsSearchPathNixpkgs([path.join(nixpkgs, 'default.nix')], env), true);
    assert.equal(await readsSearchPathNixpkgs([path.join(dir, 'other.nix')], env), false);
  });
});
