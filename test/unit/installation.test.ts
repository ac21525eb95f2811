import assert from 'node:assert/strict';
import { versionAtLeast, versionIn } from '../../src/core/nix/installation';

describe("nix's version", () => {
  it('is read from what any implementation prints', () => {
    assert.equal(versionIn('nix (Nix) 2.8.0\n'), '2.8.0');
    assert.equal(versionIn('nix (Lix, like Nix) 2.91.1'), '2.91.1');
    assert.equal(versionIn('nix (Determinate Nix 3.6.2) 2.29.0'), '2.29.0');
    assert.equal(versionIn('nix (Nix) 2.19pre20231010_abcdef'), '2.19');
  });

  it('compares numerically, part by part', () => {
    assert.equal(versionAtLeast('2.8.0', '2.19'), false);
    assert.equal(versionAtLeast('2.19.1', '2.19'), true);
    assert.equal(versionAtLeast('nix (Lix, like Nix) 2.91.1', '2.19'), true);
    assert.equal(versionAtLeast('2.100', '2.19'), true);
    assert.equal(versionAtLeast('3.0', '2.19'), true);
  });
});
