import { cp, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { repoRoot } from '../support/nixEnv';

export interface SuiteResult {
  readonly passes: number;
  readonly failures: number;
  readonly pending: number;
  readonly ok: boolean;
}

export const resultsDir = path.join(repoRoot, 'test-results');

const t0 = Date.now();
export const stamp = (): string => `[${((Date.now() - t0) / 1000).toFixed(1)}s]`;

/** On failure: a screenshot of the workbench and every log, under test-results/<name>/. */
export async function saveEvidence(page: Page, name: string, runDir: string): Promise<void> {
  const dir = path.join(resultsDir, name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, 'failure.png') }).catch(() => undefined);
  await cp(runDir, path.join(dir, 'run'), {
    recursive: true,
    filter: (source) => !source.includes(`${path.sep}chromium`),
  }).catch(() => undefined);
  console.log(`${stamp()} saved a screenshot and the logs to ${dir}`);
}
