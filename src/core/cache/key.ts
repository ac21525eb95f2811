import { createHash } from 'node:crypto';
import { readFile, realpath } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { currentSystem, type NixInstallation } from '../nix/installation';
import { lockFileName } from '../pin/lockFile';
import type { Environment } from '../env/mutations';
import { splitSearchPath } from '../env/variables';
import { targetRoot, type TargetSpec } from '../target';

/** Bumped whenever the cache entry format or the capture semantics change. */
export const cacheSchemaVersion = 3;

/** Variables that change what `<nixpkgs>` and nixpkgs' config evaluate to. */
const keyVariables = ['NIX_PATH', 'NIX_CONFIG', 'NIXPKGS_CONFIG'];
const keyVariablePrefixes = ['NIXPKGS_ALLOW_'];

export interface CacheKeys {
  /**
   * Identifies one captured environment: the target and everything evaluation depends on.
   * Undefined while nix cannot be found; the target's last entry may still be applied.
   */
  readonly key: string | undefined;
  /** Identifies the target alone; its last entry is applied while a new key is captured. */
  readonly targetId: string;
}

/**
 * Computes the cache keys without starting any process: nix is identified by its binary, and
 * `<nixpkgs>` by where each NIX_PATH entry and the user's channels resolve to on disk.
 */
export async function cacheKeys(
  spec: TargetSpec,
  nix: NixInstallation | undefined,
  env: Environment,
): Promise<CacheKeys> {
  const target = {
    schema: cacheSchemaVersion,
    root: await resolved(targetRoot(spec.target)),
    target: spec.target,
    args: spec.args,
    pinDir: spec.pinDir ?? null,
  };
  const targetId = digest(target);
  if (!nix) return { key: undefined, targetId };
  const context = {
    // A new pin is a new environment; the old one applies while it is evaluated.
    pin:
      spec.pinDir && spec.target.kind === 'file'
        ? await fileDigest(path.join(spec.pinDir, lockFileName))
        : null,
    nix: nix.identity,
    system: currentSystem(),
    variables: Object.fromEntries(
      Object.entries(env)
        .filter(
          ([name]) =>
            keyVariables.includes(name) || keyVariablePrefixes.some((p) => name.startsWith(p)),
        )
        .sort(([a], [b]) => a.localeCompare(b)),
    ),
    searchPath: await resolveSearchPath([
      ...includeArgs(spec.args),
      ...splitNixPath(env['NIX_PATH']),
    ]),
    channels: await resolved(path.join(env['HOME'] ?? os.homedir(), '.nix-defexpr', 'channels')),
  };
  return { key: digest({ targetId, context }), targetId };
}

/** `NIX_PATH` entries (`nixpkgs=/path`, `/path`, `nixpkgs=https://…`), as nix splits them. */
export function splitNixPath(value: string | undefined): string[] {
  return splitSearchPath(value, 'NIX_PATH');
}

function includeArgs(args: readonly string[]): string[] {
  const found: string[] = [];
  args.forEach((arg, index) => {
    const next = args[index + 1];
    if ((arg === '-I' || arg === '--include') && next !== undefined) found.push(next);
  });
  return found;
}

async function resolveSearchPath(entries: readonly string[]): Promise<string[]> {
  return Promise.all(
    entries.map(async (entry) => {
      const equals = entry.indexOf('=');
      const name = equals === -1 ? '' : entry.slice(0, equals + 1);
      const target = entry.slice(equals + 1);
      return /^[a-z+]+:\/\//.test(target) ? entry : name + (await resolved(target));
    }),
  );
}

async function resolved(file: string): Promise<string> {
  return realpath(file).catch(() => path.resolve(file));
}

async function fileDigest(file: string): Promise<string | null> {
  const content = await readFile(file).catch(() => undefined);
  return content ? createHash('sha256').update(content).digest('hex') : null;
}

function digest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32);
}
