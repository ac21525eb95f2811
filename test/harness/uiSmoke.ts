// The user's path, through the real UI: package the VSIX, install it into code-server, open the
// sample project, accept nothing from the test API; drive the workbench as a person would
// (the enter prompt, F1 and the command's title, the status bar, a terminal) and check what
// they would see. Leaves a screenshot of the workbench in test-results/.
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import type { Page } from 'playwright-core';
import { nixTestEnv, repoRoot } from '../support/nixEnv';
import {
  launchBrowser,
  startCodeServer,
  workbenchUrl,
  type CodeServer,
  type Harness,
} from './codeServer';
import { resultsDir, saveEvidence, stamp, type SuiteResult } from './report';

const vsixPath = path.join(repoRoot, 'nixshell.vsix');

/** Packages the extension as users get it, and installs it into a code-server extensions dir. */
async function installVsix(harness: Harness, runDir: string): Promise<string> {
  await execa('npm', ['run', '--silent', 'package'], {
    cwd: repoRoot,
    stdout: 'ignore',
    stderr: 'inherit',
  });
  // Packaging leaves the production build in dist/: the tests that follow run the one they
  // built, with its source maps.
  await execa('npm', ['run', '--silent', 'build'], { cwd: repoRoot, stdout: 'ignore' });
  const extensionsDir = path.join(runDir, 'extensions');
  const config = path.join(runDir, 'install.yaml');
  await mkdir(runDir, { recursive: true });
  await writeFile(config, 'auth: none\n');
  await execa(harness.node, [
    harness.entry,
    ...['--config', config, '--user-data-dir', path.join(runDir, 'user-data')],
    ...['--extensions-dir', extensionsDir, '--install-extension', vsixPath],
  ]);
  await rm(vsixPath, { force: true });
  return extensionsDir;
}

/**
 * code-server as a user runs it: the packaged extension installed, toasts shown, no test
 * payload. Offline nix, as in the tests: no substituters, no sandbox.
 */
export async function serveInstalledExtension(
  harness: Harness,
  runDir: string,
  workspace: string,
  options: { port?: number; env?: Record<string, string>; settings?: Record<string, unknown> } = {},
): Promise<CodeServer> {
  const extensionsDir = await installVsix(harness, runDir);
  return startCodeServer(harness, {
    runDir,
    workspace,
    trusted: true,
    extensionsDir,
    env: nixTestEnv(options.env),
    ...(options.port ? { port: options.port } : {}),
    ...(options.settings ? { settings: options.settings } : {}),
  });
}

interface Check {
  readonly name: string;
  readonly run: (page: Page) => Promise<void>;
}

/** The status bar item of a folder whose environment is found and not entered. */
function availableItem(page: Page) {
  return page.locator('.statusbar-item', { hasText: /Nix: shell\.nix\s*$/ });
}

export async function runUiSmoke(harness: Harness, scratch: string): Promise<SuiteResult> {
  const runDir = path.join(scratch, 'ui');
  const workspace = path.join(scratch, 'ui-workspace');
  await cp(path.join(repoRoot, 'examples/hello'), workspace, { recursive: true });
  const output = path.join(runDir, 'terminal-output.txt');
  // Where the CLI command installs `nixshell`, instead of the machine's ~/.local/bin.
  const binDir = path.join(runDir, 'bin');
  const server = await serveInstalledExtension(harness, runDir, workspace, {
    env: { XDG_BIN_HOME: binDir },
  });
  const { context, page } = await launchBrowser(runDir);
  const checks: Check[] = [
    {
      name: 'the workbench opens the sample project',
      run: async () => {
        await page.goto(workbenchUrl(server.authority, workspace));
        await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 60_000 });
      },
    },
    {
      name: 'a notification offers to enter the Nix environment',
      run: async () => {
        const toast = page.locator('.notification-toast', {
          hasText: 'has a Nix environment (shell.nix). Enter it?',
        });
        await toast.waitFor({ timeout: 60_000 });
        await toast.getByRole('button', { name: 'Not now' }).click();
        // Not entered, and still offered: by the status bar item.
        await availableItem(page).waitFor({ timeout: 30_000 });
      },
    },
    {
      name: 'F1 › "Nix: Enter Nix shell" enters it, and the status bar shows it',
      run: async () => {
        await runCommand(page, 'Nix: Enter Nix shell');
        await page
          .locator('.statusbar-item', { hasText: /Nix: shell\.nix \(\d+\)/ })
          .waitFor({ timeout: 90_000 });
        await screenshotStatusBar(page);
      },
    },
    {
      name: 'with nothing evaluating, the palette has no "Nix: Cancel evaluation"',
      run: async () => {
        // The control first: the same search finds a command that applies (entered: Reload).
        const shown = async (title: string) => {
          await page.keyboard.press('F1');
          const input = page.locator('.quick-input-widget input');
          await input.waitFor({ timeout: 10_000 });
          await input.fill(`>${title}`);
          // The filtered list: the title's row when it applies, else similar commands (or none).
          const list = page.locator('.quick-input-list .monaco-list-row');
          const none = page.locator('.quick-input-widget', { hasText: 'No matching commands' });
          await list.first().or(none).waitFor({ timeout: 10_000 });
          const count = await list.filter({ hasText: title }).count();
          await page.keyboard.press('Escape');
          return count;
        };
        if ((await shown('Nix: Reload environment')) === 0) throw new Error('no Reload');
        if ((await shown('Nix: Cancel evaluation')) !== 0) {
          throw new Error('the palette offers Cancel evaluation');
        }
      },
    },
    {
      name: 'a new terminal has the variables of shell.nix',
      run: async () => {
        await runCommand(page, 'Terminal: Create New Terminal');
        await page.locator('.terminal-wrapper .xterm').first().waitFor({ timeout: 30_000 });
        await page.waitForTimeout(1500);
        await page.keyboard.type(`echo "GREETING=$GREETING" > '${output}'\n`);
        const text = await waitForFile(output);
        if (text.trim() !== 'GREETING=Hello from the Nix shell') {
          throw new Error(`the terminal printed ${JSON.stringify(text)}`);
        }
      },
    },
    {
      name: 'after F1 › "Nix: Leave Nix shell", a click on the status bar item enters again',
      run: async () => {
        await runCommand(page, 'Nix: Leave Nix shell');
        await availableItem(page).click({ timeout: 30_000 });
        await page
          .locator('.statusbar-item', { hasText: /Nix: shell\.nix \(\d+\)/ })
          .waitFor({ timeout: 90_000 });
      },
    },
    {
      name: 'F1 › "Nix: Install the nixshell command-line tool" puts a `nixshell` that runs on PATH',
      run: async () => {
        await runCommand(page, 'Nix: Install the nixshell command-line tool');
        await page
          .locator('.notification-toast', { hasText: /Installed .*nixshell/ })
          .waitFor({ timeout: 30_000 });
        const launcher = path.join(binDir, 'nixshell');
        // No `node` on PATH: the launcher runs the CLI with the editor's own Node.
        const version = await execa(launcher, ['--version'], {
          env: { PATH: '' },
          extendEnv: false,
        });
        const { version: expected } = JSON.parse(
          await readFile(path.join(repoRoot, 'package.json'), 'utf8'),
        ) as { version: string };
        if (version.stdout !== `nixshell ${expected}`) {
          throw new Error(`nixshell --version printed ${JSON.stringify(version.stdout)}`);
        }
        // What it prints is the project's environment, without the launcher's Electron flag.
        const env = await execa(launcher, ['env', workspace, '--json'], {
          env: nixTestEnv({ NIXSHELL_CACHE_DIR: path.join(runDir, 'cli-cache') }),
        });
        const printed = JSON.parse(env.stdout) as Record<string, string>;
        if (printed['GREETING'] !== 'Hello from the Nix shell') {
          throw new Error(`nixshell env printed GREETING=${printed['GREETING']}`);
        }
        const leaked = ['ELECTRON_RUN_AS_NODE', 'NIXSHELL_LAUNCHER'].filter((n) => n in printed);
        if (leaked.length > 0) throw new Error(`nixshell env printed ${leaked.join(', ')}`);
      },
    },
    {
      name: 'the Settings UI edits nixShell.file, .devShell and .nixPath in place',
      run: async () => {
        await runCommand(page, 'Preferences: Open Settings (UI)');
        const editor = page.locator('.settings-editor');
        await editor.waitFor({ timeout: 30_000 });
        // nixShell.nixPath is a machine setting: under a remote, the Remote tab has it.
        for (const [id, tab] of [
          ['nixShell.file', /^User/],
          ['nixShell.devShell', /^User/],
          ['nixShell.nixPath', /^Remote/],
        ] as const) {
          await editor.locator('.settings-tabs-widget').getByText(tab).click();
          await editor.locator('.suggest-input-container').click();
          await page.keyboard.press('Control+A');
          await page.keyboard.type(`@id:${id}`);
          // The label VS Code derives from the id: `devShell` shows as "Dev Shell".
          const label = (id.split('.')[1] ?? '').replace(/([a-z])([A-Z])/g, '$1 $2');
          const row = editor.locator('.settings-tree-container .monaco-list-row', {
            has: page.locator('.setting-item-label', { hasText: new RegExp(`^${label}$`, 'i') }),
          });
          await row.waitFor({ timeout: 10_000 });
          // A setting the UI cannot edit is a "complex" one: "Edit in settings.json".
          if ((await row.locator('.setting-item-text input').count()) !== 1) {
            const html = await row.innerHTML();
            throw new Error(`${id} has no text box: ${html.slice(0, 600)}`);
          }
        }
      },
    },
  ];
  let passes = 0;
  let failures = 0;
  try {
    console.log(`${stamp()} UI smoke test on ${server.authority} (VSIX installed)`);
    for (const check of checks) {
      try {
        await check.run(page);
        passes++;
        console.log(`  ✔ ${check.name}`);
      } catch (error) {
        failures++;
        console.log(`  ✗ ${check.name}\n    ${String(error).split('\n').join('\n    ')}`);
        break;
      }
    }
    await mkdir(resultsDir, { recursive: true });
    await page.screenshot({ path: path.join(resultsDir, 'ui-smoke.png') });
    if (failures > 0) await saveEvidence(page, 'ui', runDir);
  } finally {
    await context.close().catch(() => undefined);
    server.stop();
  }
  const skipped = checks.length - passes - failures;
  return { passes, failures: failures + skipped, pending: 0, ok: failures === 0 && skipped === 0 };
}

/**
 * The README's picture of the status bar (images/status-bar.png): its left items, where the
 * folder's Nix item is, without the empty middle.
 */
async function screenshotStatusBar(page: Page): Promise<void> {
  const bar = await page.locator('.part.statusbar').boundingBox();
  const items = await page.locator('.part.statusbar .left-items > .statusbar-item').all();
  const boxes = await Promise.all(items.map((item) => item.boundingBox()));
  const right = Math.max(...boxes.flatMap((box) => (box ? [box.x + box.width] : [])));
  if (!bar || !Number.isFinite(right)) throw new Error('the status bar has no items');
  await mkdir(resultsDir, { recursive: true });
  await page.screenshot({
    path: path.join(resultsDir, 'status-bar.png'),
    clip: { x: bar.x, y: bar.y, width: right - bar.x + 8, height: bar.height },
  });
}

/** F1, then the command by its title, as a user would. */
async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 10_000 });
  await input.fill(`>${title}`);
  await page
    .locator('.quick-input-list .monaco-list-row', { hasText: title })
    .first()
    .waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}

async function waitForFile(file: string, timeoutMs = 30_000): Promise<string> {
  const started = Date.now();
  for (;;) {
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text !== undefined && text.endsWith('\n')) return text;
    if (Date.now() - started > timeoutMs) throw new Error(`nothing was written to ${file}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
