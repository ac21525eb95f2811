import assert from 'node:assert/strict';
import { freedBy, reasonToDrop } from '../../src/core/store/gc';
import type { KeptEnvironment } from '../../src/core/store/roots';

const now = new Date('2026-12-01T12:00:00Z');
const environment = (lastUsed: string, projectExists = true): KeptEnvironment => ({
  key: 'k',
  project: '/p',
  target: 'shell.nix',
  projectExists,
  lastUsed,
  closureSize: 1,
  closure: [],
});

describe('gc decisions', () => {
  it('drops what is gone or idle for the given days, keeps the rest', () => {
    assert.equal(
      reasonToDrop(environment('2026-12-01T11:00:00Z', false), 90, now),
      'its folder is gone',
    );
    assert.equal(
      reasonToDrop(environment('2026-09-01T11:00:00Z'), 90, now),
      'not used for 91 days',
    );
    assert.equal(reasonToDrop(environment('2026-09-03T13:00:00Z'), 90, now), undefined);
    assert.equal(reasonToDrop(environment('2026-12-01T12:00:00Z'), 0, now), 'not used for 0 days');
  });

  it("reads nix's summary of what it freed", () => {
    assert.deepEqual(freedBy('12 store paths deleted, 1.50 MiB freed\n'), {
      deletedPaths: 12,
      freedBytes: 1572864,
    });
    assert.deepEqual(freedBy('3 store paths deleted, 2.0 KiB freed'), {
      deletedPaths: 3,
      freedBytes: 2048,
    });
    assert.deepEqual(freedBy(''), { deletedPaths: 0, freedBytes: 0 });
  });
});
