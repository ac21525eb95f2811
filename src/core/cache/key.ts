import { createHash } from 'node:crypto';
import { readFile, realpath } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { optionSettings } from '../nix/command';
import type { NixInstallation } from '../nix/installation';
import { lockFileName } from '../pin/lockFileName';
import type { Environment } from '../env/mutations';
import { splitSearchPath } from '../env/variables';
import { entriesByName } from '../order';
import { targetRoot, type TargetSpec } from '../target';

/** Bumped whenever the cache entry format or the capture semantics change. */
export const cacheSchemaVersion = 4;

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
  const evaluated = evaluationOptions(spec.options ?? []);
  // Independent reads of the disk, at once.
  const [pin, settings, searchPath, channels] = await Promise.all([
    // A new pin is a new environment; the old one applies while it is evaluated.
    spec.pinDir && spec.target.kind === 'file'
      ? fileDigest(path.join(spec.pinDir, lockFileName))
      : null,
    nixConfSettings(env),
    resolveSearchPath([...includeArgs(spec.args), ...splitNixPath(env['NIX_PATH'])]),
    resolved(path.join(env['HOME'] ?? os.homedir(), '.nix-defexpr', 'channels')),
  ]);
  const context = {
    pin,
    nix: nix.identity,
    // Only when there are some: keys of environments without options stay as they were.
    ...(evaluated.length > 0 ? { options: evaluated } : {}),
    // The settings in nix.conf that change what evaluation sees (nix-path, system); the
    // nix binary (its identity) decides the rest, `builtins.currentSystem` included.
    settings: evaluationSettings(settings),
    variables: Object.fromEntries(
      entriesByName(env).filter(
        ([name]) =>
          keyVariables.includes(name) || keyVariablePrefixes.some((p) => name.startsWith(p)),
      ),
    ),
    searchPath,
    nixPath: await resolveSearchPath(effectiveNixPathFrom(settings, env)),
    channels,
  };
  return { key: digest({ targetId, context }), targetId };
}

/**
 * Settings that say only where store paths come from and how they are built: adding a team's
 * cache must not make the environment stale. Every other `--option` is part of the key.
 */
const storeOnlySetting =
  /^(extra-)?(substituters|trusted-public-keys|trusted-substituters)$|^(require-sigs|fallback|connect-timeout|max-jobs|cores|builders|builders-use-substitutes|narinfo-cache-.*|secret-key-files)$/;

/** The `--option NAME VALUE` settings that can change evaluation. */
export function evaluationOptions(options: readonly string[]): Array<[string, string]> {
  return optionSettings(options).filter(([name]) => !storeOnlySetting.test(name));
}

/** `NIX_PATH` entries (`nixpkgs=/path`, `/path`, `nixpkgs=https://…`), as nix splits them. */
export function splitNixPath(value: string | undefined): string[] {
  return splitSearchPath(value, 'NIX_PATH');
}

/** nix.conf settings that change evaluation (nix-path is resolved on disk separately). */
const evaluationSettingNames = ['nix-path', 'extra-nix-path', 'system', 'eval-system'];

function evaluationSettings(settings: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    evaluationSettingNames.flatMap((n) => (n in settings ? [[n, settings[n] ?? '']] : [])),
  );
}

/** Root's channels: part of nix's default search path when neither NIX_PATH nor nix.conf sets one. */
export const rootChannels = '/nix/var/nix/profiles/per-user/root/channels';

/**
 * The search path `<nixpkgs>` is looked up in besides NIX_PATH and -I, as nix computes it:
 * nix.conf's `nix-path` (and `extra-nix-path`), else, with NIX_PATH unset, nix's default (the
 * user's and root's channels). Daemon installs stopped exporting NIX_PATH long ago, so root's
 * channel is what many users' `<nixpkgs>` is.
 */
export async function effectiveNixPath(env: Environment): Promise<string[]> {
  return effectiveNixPathFrom(await nixConfSettings(env), env);
}

function effectiveNixPathFrom(settings: Record<string, string>, env: Environment): string[] {
  const extra = (settings['extra-nix-path'] ?? '').split(/\s+/).filter((e) => e !== '');
  const configured = settings['nix-path'];
  if (configured !== undefined)
    return [...configured.split(/\s+/).filter((e) => e !== ''), ...extra];
  if (env['NIX_PATH'] !== undefined) return extra;
  const home = env['HOME'] ?? os.homedir();
  return [
    path.join(home, '.nix-defexpr', 'channels'),
    `nixpkgs=${rootChannels}/nixpkgs`,
    rootChannels,
    ...extra,
  ];
}

/**
 * The settings of every nix.conf nix reads, in its order (the system's, then the user's, then
 * NIX_CONFIG), later ones winning; `extra-` settings accumulate. Read from disk, no process.
 */
export async function nixConfSettings(env: Environment): Promise<Record<string, string>> {
  const settings: Record<string, string> = {};
  // Read at once, applied in nix's order.
  const texts = await Promise.all(nixConfFiles(env).map((file) => readNixConf(file, 0)));
  for (const text of texts) applyNixConf(settings, text);
  applyNixConf(settings, env['NIX_CONFIG'] ?? '');
  return settings;
}

function nixConfFiles(env: Environment): string[] {
  const system = path.join(env['NIX_CONF_DIR'] ?? '/etc/nix', 'nix.conf');
  const userFiles = env['NIX_USER_CONF_FILES'];
  if (userFiles !== undefined) return [system, ...userFiles.split(':').filter((f) => f !== '')];
  const home = env['HOME'] ?? os.homedir();
  const configHome = env['XDG_CONFIG_HOME'] ?? path.join(home, '.config');
  const configDirs = (env['XDG_CONFIG_DIRS'] ?? '/etc/xdg').split(':').filter((d) => d !== '');
  return [system, ...[...configDirs].reverse(), configHome].map((dir, index) =>
    index === 0 ? dir : path.join(dir, 'nix', 'nix.conf'),
  );
}

/** A nix.conf's text with its `include` / `!include` files inlined (nested a few deep). */
async function readNixConf(file: string, depth: number): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  if (depth > 4) return text;
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    const include = /^\s*!?include\s+(\S+)/.exec(line);
    if (include?.[1]) {
      lines.push(await readNixConf(path.resolve(path.dirname(file), include[1]), depth + 1));
    } else {
      lines.push(line);
    }
  }
  return lines.join('\n');
}

function applyNixConf(settings: Record<string, string>, text: string): void {
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    const equals = line.indexOf('=');
    if (equals <= 0) continue;
    const name = line.slice(0, equals).trim();
    const value = line.slice(equals + 1).trim();
    if (name.startsWith('extra-')) {
      settings[name] = [settings[name], value].filter((v) => v).join(' ');
    } else {
      settings[name] = value;
    }
  }
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
