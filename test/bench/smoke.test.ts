// The bench's smoke run (`npm test` runs it as its own suite, so the bench cannot rot): one
// round of every case against real nix, and every figure the README's table gives must come
// out as a number. The timing targets are the full run's business (`npm run bench`), not this.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { repoRoot } from '../support/nixEnv';
import { tempDir } from '../support/temp';

const projects = ['large-file', 'small-file', 'large-flake', 'small-flake', 'channel-file'];
const expectedFigures = [
  'node -e 0 (ms)',
  ...projects.flatMap((p) => [
    `${p}: ${p.endsWith('file') ? 'nix-shell --run true' : 'nix develop --command true'} (ms)`,
    `${p}: nix print-dev-env (ms)`,
    `${p}: nixshell env --json, cold (ms)`,
    `${p}: nixshell env --json, cold, code cache off (ms)`,
    `${p}: nixshell env --json, warm (ms)`,
    `${p}: in-process lookup (ms)`,
    `${p}: in-process capture, cold (ms)`,
    ...(p.endsWith('flake') ? [`${p}: nix develop --command true, eval cache off (ms)`] : []),
    `${p}: ${p.endsWith('file') ? 'nix-shell as a capture runs it' : 'print-dev-env and replay as a capture'} (ms)`,
  ]),
  'event-loop delay p99 during a capture (ms)',
  'peak RSS of a CLI capture (MiB)',
  'evaluations for 100 unrelated writes',
  'evaluations for 100 writes to shell.nix',
  '10 cached folders applied (ms)',
  'extension bundle load, no activate (ms)',
  // npm test installs the VS Code harness before this runs.
  'extension activation in VS Code, cached environment (ms)',
  'cached environment applied after activate began (ms)',
  'bundle dist/cli.cjs (KiB)',
  'bundle dist/extension.cjs (KiB)',
  'bundle dist/extensionBundle.cjs (KiB)',
];

describe('the bench, one round', function () {
  this.timeout(600_000);

  it('measures every figure and states every target', async () => {
    await execa('npm', ['run', '--silent', 'build'], { cwd: repoRoot });
    const out = path.join(await tempDir('nixshell-bench-smoke-'), 'figures.json');
    const run = await execa('npx', ['tsx', 'test/bench/bench.ts', '--smoke', '--json', out], {
      cwd: repoRoot,
      all: true,
      reject: false,
    });
    assert.equal(run.exitCode, 0, run.all);
    const report = JSON.parse(await readFile(out, 'utf8')) as {
      figures: Record<string, number>;
      targets: { name: string; value: number; target: string }[];
    };
    for (const name of expectedFigures) {
      assert.ok(Number.isFinite(report.figures[name]), `no figure for ${name}\n${run.all}`);
      assert.ok(run.all.includes(name), `${name} is not printed`);
    }
    assert.equal(report.targets.length, 13, 'every target is stated');
    assert.match(run.all, /info +cold CLI − node, channel-file \/ nix-shell --run true +\d/);
    for (const p of projects) {
      const line = p.endsWith('file')
        ? `nix-shell as a capture runs it, ${p} / nix-shell --run true`
        : `print-dev-env and replay as a capture, ${p} / nix develop --command true`;
      assert.match(run.all, new RegExp(`info +${escape(line)} +\\d`));
    }
    for (const flake of ['large-flake', 'small-flake']) {
      const line = `cold CLI − node, ${flake} / nix develop --command true, eval cache off`;
      assert.match(run.all, new RegExp(`info +${escape(line)} +\\d`));
    }
    for (const target of report.targets) {
      assert.ok(Number.isFinite(target.value), `${target.name}: no value`);
      assert.match(run.all, new RegExp(`(PASS|FAIL) +${escape(target.name)}`));
    }
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
