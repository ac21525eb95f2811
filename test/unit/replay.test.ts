import assert from 'node:assert/strict';
import fc from 'fast-check';
import { replayScript, type DevEnv } from '../../src/core/capture/devEnv';
import { runReplay } from '../../src/core/capture/run';
import { silentLogger } from '../../src/core/logger';
import { tempDir } from '../support/temp';

const context = { logger: silentLogger, evaluationTimeoutMs: 0, hookTimeoutMs: 10_000 };
const base = { PATH: '/usr/bin:/bin', HOME: '/home/u' };

function devEnv(variables: Record<string, string>, shellHook = ''): DevEnv {
  const exported = Object.fromEntries(
    Object.entries({ ...variables, shellHook }).map(([k, v]) => [
      k,
      { type: 'exported', value: v },
    ]),
  );
  return { variables: exported };
}

async function replay(env: DevEnv, root = '/proj'): Promise<Record<string, string>> {
  const dir = await tempDir();
  const result = await runReplay(
    '/bin/bash',
    (dumpDir) => replayScript(env, { base, root, dumpDir, attrsDir: dumpDir }),
    { cwd: dir, env: base },
    context,
  );
  return result.env;
}

describe('shellHook replay', () => {
  it('gives back every value byte for byte', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'grapheme', maxLength: 30 }).filter((v) => !v.includes('\0')),
        async (value) => {
          const env = await replay(devEnv({ VALUE: value }));
          assert.equal(env['VALUE'], value);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('never interprets a value', async () => {
    const env = await replay(devEnv({ A: "x\ndeclare -x EVIL=1\nX=$(touch /tmp/pwned)`id`'" }));
    assert.equal(env['A'], "x\ndeclare -x EVIL=1\nX=$(touch /tmp/pwned)`id`'");
    assert.equal(env['EVIL'], undefined);
  });

  it("puts nix's PATH entries before the user's and drops /path-not-set", async () => {
    const env = await replay(devEnv({ PATH: '/nix/store/a/bin:/path-not-set' }));
    assert.equal(env['PATH'], '/nix/store/a/bin:/usr/bin:/bin');
  });

  it("keeps the user's HOME and points outputs at <root>/outputs", async () => {
    const env = await replay(
      devEnv({ HOME: '/homeless-shelter', out: '/nix/store/x-env', outputs: 'out' }),
    );
    assert.equal(env['HOME'], '/home/u');
    assert.equal(env['out'], '/proj/outputs/out');
  });

  it('runs the hook with arrays, associative arrays and functions defined', async () => {
    const env = await replay({
      variables: {
        list: { type: 'array', value: ['a b', 'c'] },
        map: { type: 'associative', value: { k: 'v w' } },
        shellHook: {
          type: 'exported',
          value: 'export JOINED="${list[0]}|${list[1]}|${map[k]}|$(greet)"',
        },
      },
      bashFunctions: { greet: ' echo hi' },
    });
    assert.equal(env['JOINED'], 'a b|c|v w|hi');
  });

  it('reports a hook that exits before the environment is read', async () => {
    await assert.rejects(replay(devEnv({}, 'exit 3')), { kind: 'hook-failed' });
  });
});
