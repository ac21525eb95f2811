// Runs the integration suite (test/integration) inside a real VS Code extension host,
// code-server's, driven by headless Chromium, offline; then the UI smoke test of the packaged
// VSIX. Each suite gets a fresh copy of its workspace, its own user data and TMPDIR, and a recording
// `nix` shim on PATH. Prints mocha's report of each, then one line
// "N passed, N failed, N skipped", and exits non-zero if anything failed.
//
// The suites marked `oldest` run again on the oldest VS Code that engines.vscode allows; each
// VS Code's own tally is printed too, labelled with its version.
//
// usage: tsx test/harness/runSuites.ts [suite ...]   (suites: see below, `NAME@oldest`, and `ui`)
import { access, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { initRepository } from '../support/fixtures';
import { fixturesDir, nixTestEnv, repoRoot } from '../support/nixEnv';
import { modernNixBin } from '../support/modernNix';
import { createNixShim } from '../support/nixShim';
import {
  enableTestPayload,
  ensureHarness,
  freePort,
  launchBrowser,
  remoteUri,
  startCodeServer,
  workbenchUrl,
  type Harness,
  type HarnessKind,
} from './codeServer';
import { checkTmpdirLeftClean } from './afterShutdown';
import { servePageRequests } from './pageRequests';
import { saveEvidence, stamp, type SuiteResult } from './report';
import { suites, workspaceIn, workspaceSource, type Suite } from './suites';
import { runUiSmoke } from './uiSmoke';

const timeoutMs = Number(process.env['E2E_TIMEOUT_MS'] ?? 300_000);

/** One port per profile, so a reopened workspace is the same workspace to VS Code. */
const profilePorts = new Map<string, number>();

async function runSuite(harness: Harness, suite: Suite, scratch: string): Promise<SuiteResult> {
  const port = suite.profile ? (profilePorts.get(suite.profile) ?? (await freePort())) : undefined;
  if (suite.profile && port) profilePorts.set(suite.profile, port);
  const profileDir = path.join(scratch, suite.profile ?? suite.name);
  const runDir = path.join(profileDir, 'run');
  const workspaceRoot = path.join(profileDir, 'workspace');
  if (!(await exists(workspaceRoot))) {
    await mkdir(runDir, { recursive: true });
    await cp(workspaceSource(suite), workspaceRoot, { recursive: true });
    for (const [file, content] of Object.entries(suite.extraFiles ?? {})) {
      await writeFile(path.join(workspaceRoot, file), content);
    }
    if (suite.git) {
      await cp(path.join(fixturesDir, '_lib'), path.join(profileDir, '_lib'), { recursive: true });
      // The editor's and the shim's files, written beside the workspace, are none of the project's.
      await writeFile(path.join(profileDir, '.gitignore'), '/run/\n');
      await initRepository(profileDir);
    }
  }
  const workspace = workspaceIn(suite, workspaceRoot);
  for (const extension of suite.extensions ?? []) await installExtension(extension, runDir);
  const report = path.join(runDir, `${suite.name}.report.txt`);
  const shim = await createNixShim(
    path.join(runDir, 'nix-shim'),
    suite.modernNix ? await modernNixBin() : undefined,
  );
  const output = path.join(runDir, `output-${suite.name}`);
  await mkdir(output, { recursive: true });
  // A TMPDIR of the suite's own, so a test can tell what the extension and nix left in it.
  const tmpdir = path.join(runDir, `tmp-${suite.name}`);
  await mkdir(tmpdir, { recursive: true });
  const server = await startCodeServer(harness, {
    runDir,
    workspace,
    trusted: suite.trusted ?? true,
    // The server resolves the login shell's environment for the extension host, so a shim
    // put on PATH would not be seen there; the setting points the extension at it instead.
    settings: { 'nixShell.nixPath': shim.dir },
    ...(port ? { port } : {}),
    env: nixTestEnv({
      PATH: `${shim.dir}:${process.env['PATH'] ?? ''}`,
      NIXSHELL_SHIM_LOG: shim.log,
      TMPDIR: tmpdir,
      NIXSHELL_SUITE: suite.files ?? suite.name,
      NIXSHELL_TEST_OUTPUT: output,
      E2E_REPORT_FILE: report,
      // The extension's code cache goes with the run, not into the user's ~/.cache.
      NIXSHELL_CACHE_DIR: path.join(runDir, 'nixshell-cache'),
      // A variable of the user's that the basic workspace's shellHook unsets.
      UNSET_ME: 'set by the user',
      ...suite.env?.(workspaceRoot),
    }),
  });
  const { context, page } = await launchBrowser(runDir);
  try {
    let onExit: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (onExit = resolve));
    await page.exposeFunction('codeAutomationExit', (code: number) => onExit(code));
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      if (process.env['E2E_VERBOSE']) console.log(`${stamp()}[${type}]`, ...args);
    });
    await enableTestPayload(page);
    const payload: [string, string][] = [
      ['extensionDevelopmentPath', remoteUri(server.authority, repoRoot)],
      [
        'extensionTestsPath',
        remoteUri(server.authority, path.join(repoRoot, 'out/test/integration/index.cjs')),
      ],
      ['skipWelcome', 'true'],
      ['skipReleaseNotes', 'true'],
    ];
    console.log(`${stamp()} suite ${suite.name}: code-server on ${server.authority}`);
    await page.goto(workbenchUrl(server.authority, workspace, payload));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>(
      (resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)),
    );
    const requests = servePageRequests(page, output);
    const code = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    requests.stop();
    process.stdout.write(await readFile(report, 'utf8').catch(() => ''));
    if (code === 'timeout')
      console.log(`${stamp()} suite ${suite.name} timed out after ${timeoutMs} ms`);
    const host = await readCounts(`${report}.json`);
    const after = suite.afterHost ? [await suite.afterHost(output)] : [];
    after.push(await checkTmpdirLeftClean(tmpdir));
    const sum = (key: keyof typeof host) => after.reduce((n, r) => n + r[key], host[key]);
    const counts = { passes: sum('passes'), failures: sum('failures'), pending: sum('pending') };
    const result = { ...counts, ok: code === 0 && counts.failures === 0 };
    if (!result.ok) await saveEvidence(page, suite.name, runDir);
    return result;
  } catch (error) {
    console.log(`${stamp()} suite ${suite.name}: harness error: ${String(error)}`);
    await saveEvidence(page, suite.name, runDir);
    return { passes: 0, failures: 1, pending: 0, ok: false };
  } finally {
    // The workbench keeps extension state in the browser's IndexedDB; leaving the page and
    // waiting a moment lets it flush, so a reopened profile finds it.
    await page.goto('about:blank').catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await context.close().catch(() => undefined);
    server.stop();
  }
}

/**
 * Installs a test extension as VS Code lays installed ones out (`publisher.name-version` in
 * the extensions directory), so the host sees it as any installed extension, not in development.
 */
async function installExtension(name: string, runDir: string): Promise<void> {
  const source = path.join(repoRoot, 'test/integration/extensions', name);
  const manifest = JSON.parse(await readFile(path.join(source, 'package.json'), 'utf8')) as {
    publisher: string;
    name: string;
    version: string;
  };
  const id = `${manifest.publisher}.${manifest.name}-${manifest.version}`;
  await cp(source, path.join(runDir, 'extensions', id), { recursive: true });
}

async function readCounts(file: string): Promise<Omit<SuiteResult, 'ok'>> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Omit<SuiteResult, 'ok'>;
  } catch {
    // The suite never reported: it did not load, or the host died. That is a failure.
    return { passes: 0, failures: 1, pending: 0 };
  }
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** The same suite on the oldest VS Code: its own name, profile and scratch directories. */
function onOldest(suite: Suite): Suite {
  return {
    ...suite,
    name: `${suite.name}@oldest`,
    files: suite.files ?? suite.name,
    ...(suite.profile ? { profile: `${suite.profile}@oldest` } : {}),
  };
}

type Totals = Omit<SuiteResult, 'ok'>;

function tally(results: readonly SuiteResult[]): Totals & { line: string } {
  const total = (key: keyof Totals) => results.reduce((n, r) => n + r[key], 0);
  const [passes, failures, pending] = [total('passes'), total('failures'), total('pending')];
  return {
    passes,
    failures,
    pending,
    line: `${passes} passed, ${failures} failed, ${pending} skipped`,
  };
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const chosen = (name: string) => only.length === 0 || only.includes(name);
  const runs: { kind: HarnessKind; suites: Suite[]; ui: boolean }[] = [
    { kind: 'current', suites: suites.filter((s) => chosen(s.name)), ui: chosen('ui') },
    {
      kind: 'oldest',
      // Named, any suite runs there; by default, those marked `oldest`.
      suites: suites
        .filter((s) => (only.length === 0 ? s.oldest : only.includes(`${s.name}@oldest`)))
        .map(onOldest),
      ui: false,
    },
  ];
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'nixshell-e2e-'));
  const results: SuiteResult[] = [];
  const lines: string[] = [];
  for (const run of runs.filter((r) => r.suites.length > 0 || r.ui)) {
    const harness = await ensureHarness(run.kind);
    const started = Date.now();
    const ofHarness: SuiteResult[] = [];
    for (const suite of run.suites) ofHarness.push(await runSuite(harness, suite, scratch));
    if (run.ui) ofHarness.push(await runUiSmoke(harness, scratch));
    const seconds = Math.round((Date.now() - started) / 1000);
    lines.push(`${harness.label}: ${tally(ofHarness).line} (${seconds} s)`);
    results.push(...ofHarness);
  }
  const ok = results.every((r) => r.ok);
  if (ok && !process.env['E2E_KEEP']) await rm(scratch, { recursive: true, force: true });
  else console.log(`${stamp()} scratch kept in ${scratch}`);
  // One line per VS Code, then the total CI reads, last.
  for (const line of lines) console.log(line);
  console.log(tally(results).line);
  process.exitCode = ok ? 0 : 1;
}

if (process.argv[1]?.endsWith('runSuites.ts')) await main();
