/// <reference lib="dom" />
// What tests inside the extension host cannot do themselves, since they have no access to the
// page: they write `<output>/<kind>.request`; the harness does it and writes `<kind>.done`.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { resultsDir } from './report';

type Handler = (page: Page, argument: string) => Promise<string>;

const handlers: Record<string, Handler> = {
  /** A picture of the workbench now (`name`), or of its status bar only (`name|statusbar`). */
  screenshot: async (page, argument) => {
    const [name = 'screenshot.png', part] = argument.split('|');
    await mkdir(resultsDir, { recursive: true });
    const file = { path: path.join(resultsDir, path.basename(name)) };
    await (part === 'statusbar'
      ? page.locator('.part.statusbar').screenshot(file)
      : page.screenshot(file));
    return name;
  },
  /**
   * The tokens of the active editor's visible lines as rendered: each token's text and its
   * CSS classes (`mtkN` is its colour in the theme), as JSON.
   */
  'editor-tokens': async (page) =>
    JSON.stringify(
      await page.evaluate(() =>
        Array.from(document.querySelectorAll('.editor-instance .view-line'), (line) =>
          Array.from(line.querySelectorAll(':scope > span > span'), (token) => ({
            text: token.textContent,
            classes: token.className,
          })),
        ),
      ),
    ),
  /**
   * Clicks a button of the notification whose message contains a text
   * (`text|button`), waiting for it to show; returns the message.
   */
  notification: async (page, argument) => {
    const [text = '', button = ''] = argument.split('|');
    // The item whose message (not merely some part of it) holds the text: a toast and the
    // notification center may both render it, one of them not yet filled in.
    const messageWith = page.locator('.notification-list-item-message', { hasText: text });
    const toast = page.locator('.notification-list-item', { has: messageWith }).first();
    await toast.waitFor({ timeout: 30_000 });
    // Read through the filter on the text, not as the toast's child: the list re-renders when
    // the notification center opens, and a child read then can be an item not yet filled in.
    const message = await messageWith.first().textContent();
    await toast.locator('.monaco-button', { hasText: button }).first().click();
    return message ?? '';
  },
  /** The rows of the quick pick on screen, once it has some, as a JSON array of their labels. */
  'quick-pick-rows': async (page) => {
    const rows = page.locator('.quick-input-widget .monaco-list-row');
    await rows.first().waitFor({ timeout: 30_000 });
    return JSON.stringify(await rows.evaluateAll((all) => all.map((row) => row.textContent)));
  },
  /** The messages of the notifications on screen now, as a JSON array. */
  'notification-messages': async (page) =>
    JSON.stringify(await page.locator('.notification-list-item-message').allTextContents()),
};

export function servePageRequests(page: Page, output: string): { stop(): void } {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void Promise.all(
      Object.entries(handlers).map(async ([kind, handle]) => {
        const request = path.join(output, `${kind}.request`);
        const argument = await readFile(request, 'utf8').catch(() => undefined);
        if (argument === undefined) return;
        await rm(request, { force: true });
        const answer = await handle(page, argument.trim()).catch(
          (error: unknown) => `error: ${String(error)}`,
        );
        // Whole or not at all: the test takes the answer as soon as the file exists.
        const done = path.join(output, `${kind}.done`);
        await writeFile(`${done}.partial`, answer);
        await rename(`${done}.partial`, done);
      }),
    ).finally(() => (busy = false));
  }, 300);
  return { stop: () => clearInterval(timer) };
}
