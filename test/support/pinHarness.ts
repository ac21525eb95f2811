import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { NixShellError, type ErrorKind } from '../../src/core/errors';
import { createFixtureNixpkgs, type FixtureNixpkgs } from './fixtureNixpkgs';
import { nixTestEnv } from './nixEnv';
import { runNixTool } from './nixTools';
import { pinTestContext, type PinTestContext } from './pinEnv';
import { startPinServer, type PinServer } from './pinServer';
import { scratchDir } from './scratch';

/** One pin test's world: a fixture nixpkgs, its server, a project folder and a context. */
export interface PinHarness {
  readonly fixture: FixtureNixpkgs;
  readonly server: PinServer;
  readonly context: PinTestContext;
  /** An empty project folder. */
  readonly dir: string;
}

export async function startPinHarness(): Promise<PinHarness> {
  const fixture = await createFixtureNixpkgs();
  const server = await startPinServer(fixture);
  return {
    fixture,
    server,
    context: await pinTestContext(server.url),
    dir: await scratchDir('nixshell-project-'),
  };
}

/**
 * A fresh harness for each test of the enclosing `describe`, its server closed after the test.
 * The same object throughout, refilled before each test, so tests simply use `h`.
 */
export function eachTestPinHarness(): PinHarness {
  const h = {} as PinHarness;
  beforeEach(async () => {
    Object.assign(h, await startPinHarness());
  });
  afterEach(async () => {
    await h.server.close();
  });
  return h;
}

/**
 * The NAR hash of a commit's tree computed without any pin code: `git archive` unpacked with
 * tar, hashed by `nix hash path`. GitHub tarballs and git checkouts of a commit share it.
 */
export async function treeHash(fixture: FixtureNixpkgs, rev: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nixshell-tree-'));
  try {
    await execa('bash', ['-c', `git -C '${fixture.bare}' archive ${rev} | tar -x -C '${dir}'`]);
    return (await runNixTool('nix', ['hash', 'path', '--sri', dir], nixTestEnv())).trim();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function unixTime(iso: string): number {
  return Date.parse(iso) / 1000;
}

/** Awaits a promise that must fail with a NixShellError of this kind; returns the error. */
export async function rejectsWith(
  promise: Promise<unknown>,
  kind: ErrorKind,
): Promise<NixShellError> {
  let error: unknown;
  try {
    await promise;
  } catch (thrown) {
    error = thrown;
  }
  if (!(error instanceof NixShellError)) {
    throw new Error(
      `expected a ${kind} error, got ${error === undefined ? 'success' : error instanceof Error ? error.message : JSON.stringify(error)}`,
    );
  }
  if (error.kind !== kind)
    throw new Error(`expected a ${kind} error, got ${error.kind}: ${error.message}`);
  return error;
}
