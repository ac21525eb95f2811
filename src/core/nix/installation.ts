import { realpathSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NixShellError } from '../errors';
import { isExecutableFile, readJsonFile, writeFileAtomic } from '../fs';
import { runInProcessGroup } from '../process';

/** Where nix lives, found without starting any process (the warm path runs no nix at all). */
export interface NixInstallation {
  readonly nix: string;
  readonly nixShell: string;
  readonly nixStore: string;
  /** Changes when nix is upgraded or replaced; part of the cache key. */
  readonly identity: string;
}

/**
 * Where installers put nix, for editors started without the shell profile that adds it to
 * PATH (macOS updates drop the hook from /etc/zshrc; fish; desktop launchers): the multi-user
 * default profile, the user's profile (classic and XDG), NixOS, and home-manager / nix-darwin.
 */
export function wellKnownNixDirs(
  home: string = os.homedir(),
  user: string = os.userInfo().username,
): string[] {
  return [
    '/nix/var/nix/profiles/default/bin',
    path.join(home, '.nix-profile/bin'),
    path.join(home, '.local/state/nix/profile/bin'),
    '/run/current-system/sw/bin',
    `/etc/profiles/per-user/${user}/bin`,
  ];
}

/**
 * Finds `nix` from an explicit setting (the executable or its directory), else on PATH, else
 * in the places installers put it. Fails with `nix-not-found` so the editor can offer the
 * install docs and the setting.
 */
export function locateNix(
  configured: string | undefined,
  searchPath: string | undefined,
  fallbackDirs: readonly string[] = wellKnownNixDirs(),
): Promise<NixInstallation> {
  // A promise, rejected rather than thrown, like every other step a caller awaits.
  return new Promise((resolve) => resolve(findNix(configured, searchPath, fallbackDirs)));
}

function findNix(
  configured: string | undefined,
  searchPath: string | undefined,
  fallbackDirs: readonly string[],
): NixInstallation {
  const candidates = configured
    ? [configured, path.join(configured, 'nix')]
    : [
        ...(searchPath ?? '').split(path.delimiter).filter((dir) => dir !== ''),
        ...fallbackDirs,
      ].map((dir) => path.join(dir, 'nix'));
  // Synchronous checks: a few syscalls of microseconds each, where a promise per check costs a
  // thread-pool round trip (this runs on every reopen, before the cache can be read).
  for (const candidate of candidates) {
    if (!isExecutableFile(candidate)) continue;
    const real = realpathSync(candidate);
    const info = statSync(real);
    const sibling = (name: string) => {
      const file = path.join(path.dirname(candidate), name);
      return isExecutableFile(file) ? file : name;
    };
    return {
      nix: candidate,
      nixShell: sibling('nix-shell'),
      nixStore: sibling('nix-store'),
      identity: `${real}:${info.size}:${Math.trunc(info.mtimeMs)}`,
    };
  }
  throw new NixShellError(
    'nix-not-found',
    configured
      ? `nix was not found at ${configured} (setting nixShell.nixPath)`
      : `nix was not found on PATH, nor in ${fallbackDirs.join(', ')}`,
  );
}

/**
 * One answer per key, asked once: callers at the same time share the question, and a failed
 * one is forgotten so that the next caller asks again.
 */
function askedOnce(
  answers: Map<string, Promise<string>>,
  key: string,
  ask: () => Promise<string>,
): Promise<string> {
  let answer = answers.get(key);
  if (!answer) {
    answer = ask();
    answers.set(key, answer);
    answer.catch(() => answers.delete(key));
  }
  return answer;
}

const systems = new Map<string, Promise<string>>();

/**
 * `builtins.currentSystem` as this nix reports it: the platform nix builds for, which is not
 * Node's (an Intel editor under Rosetta runs an arm64 nix) and which nix.conf's `system` may
 * override. Asked once per installation and configuration.
 */
export function nixSystem(
  installation: NixInstallation,
  env: Record<string, string>,
): Promise<string> {
  const configuration = ['NIX_CONFIG', 'NIX_CONF_DIR', 'NIX_USER_CONF_FILES', 'XDG_CONFIG_HOME']
    .map((name) => env[name] ?? '')
    .join('\0');
  const key = `${installation.identity}\0${configuration}`;
  return askedOnce(systems, key, async () => {
    const result = await runInProcessGroup(
      installation.nix,
      [
        '--extra-experimental-features',
        'nix-command',
        'eval',
        '--impure',
        '--raw',
        '--expr',
        'builtins.currentSystem',
      ],
      { cwd: '/', env, collectStdout: true, timeoutMs: 30_000 },
    );
    const reported = result.stdout.trim();
    if (result.exitCode !== 0 || reported === '') {
      throw new NixShellError('evaluation', 'nix did not report its system', {
        details: result.stderrTail,
      });
    }
    return reported;
  });
}

const versionLines = new Map<string, Promise<string>>();
/** Installations remembered on disk: nix upgraded or replaced is another identity. */
const rememberedVersions = 8;

/**
 * `nix --version` as nix prints it (`nix (Lix, like Nix) 2.91.1`), asked once per installation;
 * only ever called on the capture path. It tells Lix from Nix (isLix, nixLogFlagsFor). With
 * `memoFile`, the answer is kept there by identity: a cold capture then starts only the nix
 * that evaluates, not a second one that competes with it for the processor.
 */
export function nixVersionLine(
  installation: NixInstallation,
  env: Record<string, string>,
  memoFile?: string,
): Promise<string> {
  return askedOnce(versionLines, installation.identity, () =>
    askOrRecall(installation, env, memoFile),
  );
}

async function askOrRecall(
  installation: NixInstallation,
  env: Record<string, string>,
  memoFile: string | undefined,
): Promise<string> {
  const memo = memoFile ? await readVersionMemo(memoFile) : {};
  const known = memo[installation.identity];
  if (known) return known;
  const result = await runInProcessGroup(installation.nix, ['--version'], {
    cwd: '/',
    env,
    collectStdout: true,
    timeoutMs: 30_000,
  });
  const line = result.stdout.trim();
  if (memoFile && result.exitCode === 0 && line !== '') {
    const kept = Object.entries(memo).filter(([identity]) => identity !== installation.identity);
    const next = Object.fromEntries([
      ...kept.slice(1 - rememberedVersions),
      [installation.identity, line],
    ]);
    // A memo that cannot be written only means asking nix again next time.
    await writeFileAtomic(memoFile, JSON.stringify(next), { flush: false }).catch(() => undefined);
  }
  return line;
}

async function readVersionMemo(file: string): Promise<Record<string, string>> {
  const memo = await readJsonFile(file);
  if (typeof memo !== 'object' || memo === null || Array.isArray(memo)) return {};
  return Object.fromEntries(
    Object.entries(memo).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

/** The version number in `nix --version`, asked once per installation (see nixVersionLine). */
export async function nixVersion(
  installation: NixInstallation,
  env: Record<string, string>,
  memoFile?: string,
): Promise<string> {
  return versionIn(await nixVersionLine(installation, env, memoFile));
}

/**
 * The version in `nix --version`'s output, whatever the implementation calls itself:
 * `nix (Nix) 2.8.0`, `nix (Lix, like Nix) 2.91.1`, `nix (Determinate Nix 3.6.2) 2.29.0`: the
 * last dotted number is the Nix language/CLI version.
 */
export function versionIn(output: string): string {
  return [...output.matchAll(/\d+\.\d+(?:\.\d+)?/g)].at(-1)?.[0] ?? output.trim();
}

/** Whether `nix --version` names Lix (`nix (Lix, like Nix) 2.91.1`) rather than Nix. */
export function isLix(versionOutputOrIdentity: string): boolean {
  // `nix (Lix, like Nix) 2.91.1`, or the binary's real path: /nix/store/…-lix-2.91.1/bin/nix.
  return (
    /\(Lix\b/.test(versionOutputOrIdentity) ||
    /\/nix\/store\/[0-9a-z]{32}-lix-\d/.test(versionOutputOrIdentity)
  );
}

/** Compares dotted versions numerically: `2.19.1` ≥ `2.8`; suffixes (`pre…`) are ignored. */
export function versionAtLeast(version: string, minimum: string): boolean {
  const parts = (v: string) =>
    (versionIn(v).match(/\d+/g) ?? []).map((p) => Number.parseInt(p, 10));
  const a = parts(version);
  const b = parts(minimum);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}
