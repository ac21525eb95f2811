// Derivations `nix print-dev-env` cannot capture on nix 2.8 (control bytes, structured
// attributes, no outputs, non-bash builders), which nix-shell captures like any other
// (anchors-envcapture.md §6, cases 12, 13, 15, 17, 19).
import assert from 'node:assert/strict';
import path from 'node:path';
import { captureAndStore } from '../../src/core/engine';
import { fileSpec, testContext, userEnvironment } from '../support/engineHarness';
import {
  appliedEnvironment,
  assertSameEnvironment,
  expectedEnvironment,
  stdenvVariables,
} from '../support/expectations';
import { fixtureFile } from '../support/fixtures';
import { fileDerivationEnv } from '../support/nixTools';

async function captureFile(name: string) {
  const context = await testContext();
  const file = fixtureFile(name);
  const entry = await captureAndStore(fileSpec(file), context);
  return {
    entry,
    env: appliedEnvironment(context.base, entry),
    drv: await fileDerivationEnv(file, context.base),
    root: path.dirname(file),
    context,
  };
}

describe('capture of derivations print-dev-env cannot handle', function () {
  this.timeout(60_000);

  it('keeps control bytes print-dev-env cannot put in JSON', async () => {
    const { entry, env, drv, root } = await captureFile('control-bytes');
    assert.equal(entry.method, 'nix-shell');
    assert.equal(env['PROMPT_COLOR'], '\u001b[1;32m');
    assert.equal(env['BELL'], 'ring\u0007');
    assertSameEnvironment(
      env,
      expectedEnvironment(userEnvironment(), drv, root, { ...stdenvVariables(drv, root) }),
    );
  });

  it('drops a value that is not UTF-8, with a warning, and keeps the rest', async () => {
    const { entry, env, drv, root } = await captureFile('invalid-utf8');
    assert.equal(entry.method, 'nix-shell');
    assert.equal(entry.warnings.length, 1);
    assert.match(entry.warnings[0] ?? '', /LEGACY_NAME/);
    assertSameEnvironment(
      env,
      expectedEnvironment(userEnvironment(), drv, root, {
        ...stdenvVariables(drv, root),
        LEGACY_NAME: undefined,
      }),
    );
  });

  it('captures a raw derivation without outputs, with no dangling passAsFile path', async () => {
    const { entry, env, drv, root } = await captureFile('no-outputs');
    assert.equal(entry.method, 'nix-shell');
    assert.equal(drv['outputs'], undefined);
    assertSameEnvironment(
      env,
      expectedEnvironment(userEnvironment(), drv, root, { script: undefined }),
    );
    assert.equal(env['scriptPath'], undefined);
  });

  it('captures a /bin/sh builder and drops dashed attribute names', async () => {
    const { entry, env, drv, root } = await captureFile('sh-builder');
    assert.equal(entry.method, 'nix-shell');
    assert.equal(drv['configure-flags'], '--enable-shared');
    assertSameEnvironment(
      env,
      expectedEnvironment(userEnvironment(), drv, root, { 'configure-flags': undefined }),
    );
  });
});
