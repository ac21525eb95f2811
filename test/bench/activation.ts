// The extension's activation in a real VS Code, as VS Code itself reports it: the packaged
// extension (the production bundle users install) in code-server, on a project whose
// environment is cached, reloaded `rounds` times; after each reload, "Developer: Show Running
// Extensions" gives the activation time the extension host measured (loading the bundle plus
// the `activate` call). The first start writes the code cache (src/core/codeCache.ts), which
// every reload after it must use, as a user's second start would.
import { cp, mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { codeCacheNotes } from '../../src/core/codeCache';
import { launchBrowser, workbenchUrl, type Harness } from '../harness/codeServer';
import { serveInstalledExtension } from '../harness/uiSmoke';
import type { BenchProject } from './projects';

/** The status bar item of an entered environment, as the extension shows it. */
const activeItem = /Nix: shell\.nix \(\d+\)/;

/** "Startup Activation: 23ms" (VS Code's wording) in our row of the Running Extensions view. */
async function reportedActivation(page: Page): Promise<number> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 10_000 });
  await input.fill('>Developer: Show Running Extensions');
  await page
    .locator('.quick-input-list .monaco-list-row', { hasText: 'Show Running Extensions' })
    .first()
    .waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  const row = page.locator('.runtime-extensions-editor .monaco-list-row', {
    hasText: 'Nix Shell',
  });
  const time = row.locator('.activation-time');
  await time.waitFor({ timeout: 30_000 });
  const text = (await time.textContent()) ?? '';
  const ms = /(\d+(?:\.\d+)?)\s*ms/.exec(text)?.[1];
  if (ms === undefined) throw new Error(`no activation time in ${JSON.stringify(text)}`);
  return Number(ms);
}

/**
 * "started 1 folder(s) in 120 ms", as the extension logs it once cached environments are
 * applied, and whether its code came from the code cache: from the log of an extension host not
 * read before (each reload starts a new one).
 */
async function startLog(
  logs: string,
  read: Set<string>,
): Promise<{ applied: number; codeCacheUsed: boolean }> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const files = (await readdir(logs, { recursive: true }))
      .filter((file) => file.endsWith('Nix Shell.log'))
      .map((file) => path.join(logs, file))
      .filter((file) => !read.has(file));
    for (const file of files) {
      const log = await readFile(file, 'utf8');
      const ms = /started \d+ folder\(s\) in (\d+) ms/.exec(log)?.[1];
      if (ms === undefined) continue;
      read.add(file);
      return { applied: Number(ms), codeCacheUsed: log.includes(codeCacheNotes.accepted) };
    }
    if (Date.now() > deadline)
      throw new Error(`no "started … in N ms" line in a new log in ${logs}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export interface ActivationRound {
  /** VS Code's figure: loading the bundle plus the `activate` call. */
  readonly activation: number;
  /** From `activate` until the cached environment is applied, as the extension logs it. */
  readonly applied: number;
}

/** The code cache file the first start writes, once its activation is over. */
async function codeCacheWritten(cacheHome: string): Promise<void> {
  const dir = path.join(cacheHome, 'nixshell', 'code-cache');
  const deadline = Date.now() + 30_000;
  while (!(await readdir(dir).catch(() => [])).some((name) => name.endsWith('.v8'))) {
    if (Date.now() > deadline) throw new Error(`the extension wrote no code cache in ${dir}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * One round per reload, of the extension on a copy of `project` whose environment was
 * captured (and so cached) on the first open.
 */
export async function activationTimes(
  harness: Harness,
  project: BenchProject,
  scratch: string,
  rounds: number,
): Promise<ActivationRound[]> {
  const workspace = path.join(scratch, 'workspace');
  await cp(project.dir, workspace, { recursive: true });
  // code-server's sockets and caches go with the scratch directory, not into the caller's TMPDIR.
  const tmp = path.join(scratch, 'tmp');
  await mkdir(tmp, { recursive: true });
  const cacheHome = path.join(scratch, 'cache');
  const server = await serveInstalledExtension(harness, path.join(scratch, 'vscode'), workspace, {
    settings: { 'nixShell.enterOnOpen': 'always' },
    env: { TMPDIR: tmp, XDG_CACHE_HOME: cacheHome },
  });
  const { context, page } = await launchBrowser(path.join(scratch, 'vscode'));
  try {
    const status = page.locator('.statusbar-item', { hasText: activeItem });
    // The first open captures; every reload after it applies the cached environment.
    await page.goto(workbenchUrl(server.authority, workspace));
    await status.waitFor({ timeout: 120_000 });
    const logs = path.join(scratch, 'vscode', 'user-data', 'logs');
    const read = new Set<string>();
    await startLog(logs, read);
    await codeCacheWritten(cacheHome);
    const times: ActivationRound[] = [];
    for (let round = 0; round < rounds; round++) {
      await page.reload();
      await status.waitFor({ timeout: 60_000 });
      const activation = await reportedActivation(page);
      const { applied, codeCacheUsed } = await startLog(logs, read);
      if (!codeCacheUsed) throw new Error(`reload ${round + 1} did not use the code cache`);
      times.push({ activation, applied });
    }
    return times;
  } finally {
    await context.close();
    server.stop();
  }
}
