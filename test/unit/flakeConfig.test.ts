import assert from 'node:assert/strict';
import {
  acceptFlakeConfig,
  acceptsFlakeConfig,
  isCacheSetting,
  settingsOf,
  substituterUrls,
} from '../../src/core/nix/flakeConfig';

describe('flake nixConfig', () => {
  it('turns nixConfig values into settings as nix.conf writes them', () => {
    const settings = settingsOf({
      'extra-substituters': ['https://a.example', 'file:///srv/cache'],
      'extra-trusted-public-keys': ['a-1:AAAA'],
      'allow-import-from-derivation': false,
      'max-jobs': 4,
      nested: { no: 'object values' },
    });
    assert.deepEqual(settings, [
      ['extra-substituters', 'https://a.example file:///srv/cache'],
      ['extra-trusted-public-keys', 'a-1:AAAA'],
      ['allow-import-from-derivation', 'false'],
      ['max-jobs', '4'],
    ]);
    assert.deepEqual(substituterUrls(settings), ['https://a.example', 'file:///srv/cache']);
    assert.deepEqual(
      settings.map(([name]) => isCacheSetting(name)),
      [true, true, false, false],
    );
    assert.deepEqual(settingsOf([]), []);
    assert.deepEqual(settingsOf(null), []);
  });

  it('knows accept-flake-config from --option flags, the last one winning', () => {
    assert.equal(acceptsFlakeConfig([]), false);
    assert.equal(acceptsFlakeConfig([...acceptFlakeConfig]), true);
    assert.equal(
      acceptsFlakeConfig([...acceptFlakeConfig, '--option', 'accept-flake-config', 'false']),
      false,
    );
    assert.equal(
      acceptsFlakeConfig(['--option', 'extra-substituters', 'x', ...acceptFlakeConfig]),
      true,
    );
  });
});
