// Renders images/icon.svg to images/icon.png (256×256, transparent corners) with the headless
// Chromium the VS Code harness uses, so the icon's source stays an editable SVG.
// usage: npx tsx scripts/renderIcon.ts
import { readFile } from 'node:fs/promises';
import { chromium } from 'playwright-core';

const size = 256;
const source = new URL('../images/icon.svg', import.meta.url);
const target = new URL('../images/icon.png', import.meta.url);

const browser = await chromium.launch({
  executablePath: process.env['CHROMIUM'] ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
try {
  const page = await browser.newPage({ viewport: { width: size, height: size } });
  const svg = await readFile(source, 'utf8');
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
  await page.locator('svg').screenshot({ path: target.pathname, omitBackground: true });
  console.log(`wrote ${target.pathname}`);
} finally {
  await browser.close();
}
