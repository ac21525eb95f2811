/**
 * Writes the grammar JSON files: `npx tsx syntaxes/src/generate.ts`.
 * With `--check`, writes nothing and exits 1 if a file on disk differs from what it would write.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { OUTPUTS, SYNTAXES_DIR, render } from './build';

const check = process.argv.includes('--check');
let stale = 0;

for (const { file, grammar } of OUTPUTS) {
  const target = path.join(SYNTAXES_DIR, file);
  const shown = path.relative(process.cwd(), target);
  const expected = render(grammar);
  const actual = existsSync(target) ? readFileSync(target, 'utf8') : undefined;
  if (actual === expected) {
    console.log(`${shown}: up to date`);
  } else if (check) {
    stale++;
    console.error(`${shown}: out of date; run npx tsx syntaxes/src/generate.ts`);
  } else {
    writeFileSync(target, expected);
    console.log(`${shown}: written`);
  }
}

if (stale > 0) process.exitCode = 1;
