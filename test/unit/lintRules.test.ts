// The house rule that the engine and the CLI never import `vscode`, as ESLint applies it to each
// part of src (eslint.config.mjs).
import assert from 'node:assert/strict';
import path from 'node:path';
import { ESLint } from 'eslint';
import { repoRoot } from '../support/nixEnv';

/** The modules `no-restricted-imports` forbids in this file, by name. */
async function restrictedImports(file: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: repoRoot });
  const config = (await eslint.calculateConfigForFile(path.join(repoRoot, file))) as {
    rules?: Record<string, unknown[]>;
  };
  const [, ...options] = config.rules?.['no-restricted-imports'] ?? [];
  return options.flatMap((option) =>
    ((option as { paths?: { name: string }[] }).paths ?? []).map((p) => p.name),
  );
}

describe('the no-vscode lint rule', function () {
  this.timeout(30_000);

  for (const file of ['src/core/session.ts', 'src/cli.ts', 'src/cli/env.ts', 'src/cli/args.ts']) {
    it(`forbids vscode in ${file}`, async () => {
      assert.ok((await restrictedImports(file)).includes('vscode'));
    });
  }

  it('leaves the adapters in src/vscode free to import it', async () => {
    const restricted = await restrictedImports('src/vscode/api.ts');
    assert.ok(!restricted.includes('vscode'), restricted.join());
    assert.ok(restricted.includes('node:child_process'), 'the other rule still applies there');
  });
});
