// What a flake's evaluation read, remembered per store copy of its tree and installable
// (src/core/capture/evaluationReads.ts), for when nix's evaluation cache answers instead.
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EvaluationReads } from '../../src/core/capture/evaluationReads';
import { FlakeCopies } from '../../src/core/capture/inputs';
import { tempDir } from '../support/temp';

const copyA = `/nix/store/${'a'.repeat(32)}-source`;
const copyB = `/nix/store/${'b'.repeat(32)}-source`;
const key = 'a cache key';

/** The flake's copies, learnt from what nix reported reading, as a capture learns them. */
async function copiesOf(flakeDir: string, readFiles: readonly string[]): Promise<FlakeCopies> {
  const copies = await FlakeCopies.of(flakeDir);
  for (const file of readFiles) copies.learn(file);
  return copies;
}

describe('evaluation reads', () => {
  let dir = '';
  let flakeDir = '';
  beforeEach(async () => {
    dir = await tempDir('nixshell-evaluations-');
    flakeDir = await tempDir('nixshell-flake-');
  });

  it("recalls an evaluation's files for the same copy and key only", async () => {
    const reads = [
      `${copyA}/flake.nix`,
      `${copyA}/nix/tools.nix`,
      `/nix/store/${'c'.repeat(32)}-source/lib/default.nix`,
      `${flakeDir}/../lib/default.nix`,
      '«nix-internal»/call-flake.nix',
    ];
    const memory = new EvaluationReads(dir, key);
    await memory.remember(await copiesOf(flakeDir, reads), reads);
    // Another store path (an input's copy) is never an input, and is not kept.
    assert.deepEqual(await memory.recall(copyA), [reads[0], reads[1], reads[3]]);
    // Another copy (the tree changed) or another key (nix, its settings, the devShell): nothing.
    assert.equal(await memory.recall(copyB), undefined);
    assert.equal(await new EvaluationReads(dir, 'another key').recall(copyA), undefined);
  });

  it('recalls what the last evaluation under a key read, whichever its copy', async () => {
    const memory = new EvaluationReads(dir, key);
    assert.equal(await memory.recallLatest(), undefined);
    for (const copy of [copyA, copyB]) {
      const reads = [`${copy}/flake.nix`, `${copy}/nix/${copy === copyA ? 'a' : 'b'}.nix`];
      await memory.remember(await copiesOf(flakeDir, reads), reads);
    }
    assert.deepEqual(await memory.recallLatest(), {
      inSource: ['/flake.nix', '/nix/b.nix'],
      elsewhere: [],
    });
    assert.equal(await new EvaluationReads(dir, 'another key').recallLatest(), undefined);
  });

  it('recalls nothing from a damaged file, and a later evaluation writes it anew', async () => {
    const reads = [`${copyA}/flake.nix`];
    const memory = new EvaluationReads(dir, key);
    await memory.remember(await copiesOf(flakeDir, reads), reads);
    const [file] = await readdir(dir);
    await writeFile(path.join(dir, file ?? ''), '{"inSource": ["/flake.nix"], "elsewhere": [1]}');
    assert.equal(await memory.recall(copyA), undefined);
    await writeFile(path.join(dir, file ?? ''), '{"inSource": ["/fla');
    assert.equal(await memory.recall(copyA), undefined);
    await memory.remember(await copiesOf(flakeDir, reads), reads);
    assert.deepEqual(await memory.recall(copyA), reads);
  });

  it('keeps the 256 evaluations written last', async function () {
    this.timeout(20_000);
    const memory = new EvaluationReads(dir, key);
    const copies = Array.from(
      { length: 260 },
      (_, i) => `/nix/store/${i.toString(36).padStart(32, '0')}-source`,
    );
    for (const copy of copies) {
      const reads = [`${copy}/flake.nix`];
      await memory.remember(await copiesOf(flakeDir, reads), reads);
    }
    assert.equal((await readdir(dir)).length, 256);
    assert.deepEqual(await memory.recall(copies.at(-1) ?? ''), [`${copies.at(-1)}/flake.nix`]);
  });
});
