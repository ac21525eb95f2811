import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { chooseTarget, findCandidates } from '../../src/core/discovery';
import { targetLabel } from '../../src/core/target';
import { tempDir } from '../support/temp';

async function project(files: string[]): Promise<string> {
  const dir = await tempDir();
  for (const file of files) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), '{}');
  }
  return dir;
}

describe('discovery', () => {
  it('finds files at the root and one level down, root first, flake > shell > default', async () => {
    const dir = await project([
      'default.nix',
      'shell.nix',
      'api/flake.nix',
      'web/shell.nix',
      'web/deep/shell.nix',
      'node_modules/x/shell.nix',
      '.hidden/shell.nix',
    ]);
    const found = (await findCandidates(dir)).map((c) => path.relative(dir, c.file));
    assert.deepEqual(found, ['shell.nix', 'default.nix', 'api/flake.nix', 'web/shell.nix']);
  });

  it('prefers flake.nix, and an explicit setting over everything', async () => {
    const dir = await project(['flake.nix', 'shell.nix', 'nix/dev.nix']);
    assert.deepEqual(await chooseTarget(dir, {}), { kind: 'flake', dir, devShell: undefined });
    assert.deepEqual(await chooseTarget(dir, { file: 'nix/dev.nix' }), {
      kind: 'file',
      file: path.join(dir, 'nix/dev.nix'),
    });
    assert.deepEqual(await chooseTarget(dir, { devShell: 'docs' }), {
      kind: 'flake',
      dir,
      devShell: 'docs',
    });
    assert.deepEqual(await chooseTarget(dir, { file: '.' }), {
      kind: 'flake',
      dir,
      devShell: undefined,
    });
  });

  it('finds nothing in a folder without Nix files', async () => {
    assert.equal(await chooseTarget(await project(['README.md']), {}), undefined);
  });

  it('labels targets relative to the folder', async () => {
    const dir = await project([]);
    assert.equal(
      targetLabel({ kind: 'file', file: path.join(dir, 'shell.nix') }, dir),
      'shell.nix',
    );
    assert.equal(
      targetLabel({ kind: 'flake', dir: path.join(dir, 'api'), devShell: 'ci' }, dir),
      'api/flake.nix#ci',
    );
    assert.equal(targetLabel({ kind: 'flake', dir, devShell: 'default' }, dir), 'flake.nix');
  });
});
