/**
 * Token snapshots of test/grammar/corpus/*.nix, so grammar changes show up as reviewable diffs.
 * `npx tsx test/grammar/snapshot.ts --update` rewrites them; without `--update` it only reports
 * the stale ones (exit 1). grammar.test.ts compares them too.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  corpusFiles,
  formatSnapshot,
  loadGrammar,
  readCorpus,
  ROOT,
  snapshotPath,
  tokenize,
} from './tokenize';

async function main(): Promise<void> {
  const update = process.argv.includes('--update');
  const grammar = await loadGrammar('source.nix');
  let stale = 0;
  for (const file of corpusFiles()) {
    const target = snapshotPath(file);
    const expected = formatSnapshot(tokenize(grammar, readCorpus(file)));
    const actual = existsSync(target) ? readFileSync(target, 'utf8') : undefined;
    if (actual === expected) continue;
    const shown = path.relative(ROOT, target);
    if (update) {
      writeFileSync(target, expected);
      console.log(`${shown}: written`);
    } else {
      stale++;
      console.error(`${shown}: missing or out of date; review the change, then run with --update`);
    }
  }
  if (stale > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
