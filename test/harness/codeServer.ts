// Starts code-server (the real VS Code server and web workbench) and headless Chromium on it,
// offline. Why each flag is needed is explained in test/harness/README.md.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { execa } from 'execa';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { repoRoot } from '../support/nixEnv';

export interface Harness {
  /** The Node code-server was built for: each release refuses any other major. */
  readonly node: string;
  readonly entry: string;
  /** Which install: the code-server the suites run on, or the oldest engines.vscode allows. */
  readonly kind: HarnessKind;
  /** "VS Code 1.93.1 (code-server 4.93.1)": which editor the tests ran in. */
  readonly label: string;
}

export type HarnessKind = 'current' | 'oldest';

/** Installs (once, cached outside the clone, keyed by versions) and locates a harness. */
export async function ensureHarness(kind: HarnessKind = 'current'): Promise<Harness> {
  const { stdout } = await execa('bash', [path.join(repoRoot, 'test/harness/install.sh'), kind], {
    stderr: 'inherit',
  });
  return harnessAt(kind, stdout);
}

/** The harness if it is installed already; undefined, without installing it, if not. */
export async function installedHarness(
  kind: HarnessKind = 'current',
): Promise<Harness | undefined> {
  const run = await execa('bash', [path.join(repoRoot, 'test/harness/install.sh'), kind], {
    env: { NIXSHELL_HARNESS_NO_INSTALL: '1' },
    reject: false,
  });
  if (run.exitCode === 3) return undefined;
  if (run.exitCode !== 0) throw new Error(`test/harness/install.sh failed: ${run.stderr}`);
  return harnessAt(kind, run.stdout);
}

/** The harness whose paths install.sh printed on its last two lines. */
async function harnessAt(kind: HarnessKind, installOutput: string): Promise<Harness> {
  const [node = '', entry = ''] = installOutput.trim().split('\n').slice(-2);
  const codeServerDir = path.resolve(path.dirname(entry), '../..');
  const version = async (file: string) =>
    (JSON.parse(await readFile(path.join(codeServerDir, file), 'utf8')) as { version: string })
      .version;
  const label = `VS Code ${await version('lib/vscode/package.json')} (code-server ${await version('package.json')})`;
  return { node, entry, kind, label };
}

export interface ServerOptions {
  readonly runDir: string;
  /** A folder or a .code-workspace file to open. */
  readonly workspace: string;
  readonly env: Record<string, string>;
  /** False: workspace trust is on and the folder is not trusted (Restricted Mode). */
  readonly trusted: boolean;
  readonly extensionsDir?: string;
  /** User settings on top of the harness's quiet defaults. */
  readonly settings?: Record<string, unknown>;
  /**
   * A fixed port, for reopening: VS Code keys a workspace's state by its URI, which under
   * code-server includes `127.0.0.1:PORT`. Any free port when undefined.
   */
  readonly port?: number;
}

export interface CodeServer {
  /** `127.0.0.1:PORT`: the page's origin, which `vscode-remote://` URIs must name exactly. */
  readonly authority: string;
  /** Kills the whole process group: the extension host, pty host and terminals too. */
  stop(): void;
}

export async function startCodeServer(
  harness: Harness,
  options: ServerOptions,
): Promise<CodeServer> {
  const userData = path.join(options.runDir, 'user-data');
  await mkdir(path.join(userData, 'User'), { recursive: true });
  await mkdir(path.join(userData, 'Machine'), { recursive: true });
  // The server is a remote: machine-scoped settings (nixShell.nixPath) count only here.
  await writeFile(
    path.join(userData, 'Machine/settings.json'),
    JSON.stringify(options.settings ?? {}),
  );
  await writeFile(
    path.join(userData, 'User/settings.json'),
    JSON.stringify({
      'workbench.startupEditor': 'none',
      'security.workspace.trust.enabled': !options.trusted,
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'telemetry.telemetryLevel': 'off',
      'chat.disableAIFeatures': true,
      'git.enabled': false,
      ...options.settings,
    }),
  );
  const config = path.join(options.runDir, 'config.yaml');
  const bind = `127.0.0.1:${options.port ?? 0}`;
  await writeFile(config, `bind-addr: ${bind}\nauth: none\ncert: false\n`);
  const args = [
    harness.entry,
    ...['--config', config, '--bind-addr', bind, '--auth', 'none'],
    ...['--user-data-dir', userData],
    ...['--extensions-dir', options.extensionsDir ?? path.join(options.runDir, 'extensions')],
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    ...(options.trusted ? ['--disable-workspace-trust'] : []),
    options.workspace,
  ];
  const server = spawn(harness.node, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      ...options.env,
      PATH: `${path.dirname(harness.node)}:${options.env['PATH'] ?? process.env['PATH'] ?? ''}`,
    },
  });
  const log = createWriteStream(path.join(options.runDir, 'code-server.log'), { flags: 'a' });
  let output = '';
  for (const stream of [server.stdout, server.stderr]) {
    stream.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      log.write(chunk);
    });
  }
  const stop = () => {
    if (server.pid !== undefined) {
      try {
        process.kill(-server.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    log.end();
  };
  const started = Date.now();
  for (;;) {
    const match = /HTTP server listening on http:\/\/([\d.]+:\d+)\//.exec(output);
    if (match?.[1]) return { authority: match[1], stop };
    if (server.exitCode !== null || Date.now() - started > 60_000) {
      stop();
      throw new Error(`code-server did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/** Chromium flags that keep it off the (closed) network and working as root in a container. */
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export async function launchBrowser(
  runDir: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await chromium.launchPersistentContext(path.join(runDir, 'chromium'), {
    executablePath: process.env['CHROMIUM'] ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: chromiumArgs,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page };
}

/**
 * Makes the page's workbench honour a test payload: a built workbench ignores it unless the
 * server's web configuration enables the smoke-test driver (which also hides toasts). The
 * server would write that for its flag `enable-smoke-test-driver`, which newer code-servers
 * pass through (`--vscode-option`) and older ones (4.93) reject; so the page reads it into the
 * configuration the server wrote, and every code-server runs the tests alike.
 */
export async function enableTestPayload(page: Page): Promise<void> {
  // Runs in the page before its scripts: the workbench reads its configuration with getAttribute.
  await page.addInitScript(`{
    const getAttribute = Element.prototype.getAttribute;
    Element.prototype.getAttribute = function (name) {
      const value = getAttribute.call(this, name);
      if (this.id !== 'vscode-workbench-web-configuration' || name !== 'data-settings' || !value) {
        return value;
      }
      const settings = JSON.parse(value);
      settings.developmentOptions = { ...settings.developmentOptions, enableSmokeTestDriver: true };
      return JSON.stringify(settings);
    };
  }`);
}

/** The workbench URL for a folder or a .code-workspace file, with an optional test payload. */
export function workbenchUrl(
  authority: string,
  workspace: string,
  payload?: [string, string][],
): string {
  const key = workspace.endsWith('.code-workspace') ? 'workspace' : 'folder';
  const query = [`${key}=${encodeURIComponent(workspace).replace(/%2F/g, '/')}`];
  if (payload) query.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
  return `http://${authority}/?${query.join('&')}`;
}

/** A `vscode-remote://` URI on the page's own authority, as the payload requires. */
export function remoteUri(authority: string, file: string): string {
  return `vscode-remote://${authority}${file}`;
}
