import path from 'node:path';
import { NixShellError } from '../errors';
import { runInProcessGroup } from '../process';
import type { NixInstallation } from './installation';
import { nixCommandFlags, optionFlags, optionSettings } from './command';
import { errorSummary, stripAnsi } from './log';

/** The setting nix's `--accept-flake-config` sets: apply a flake's `nixConfig` without asking. */
export const acceptFlakeConfig = ['--option', 'accept-flake-config', 'true'] as const;

/** Whether `--option` flags accept flake configuration (the last such flag wins, as in nix). */
export function acceptsFlakeConfig(options: readonly string[]): boolean {
  const values = optionSettings(options).filter(([name]) => name === 'accept-flake-config');
  return values.at(-1)?.[1] === 'true';
}

/** The settings that say where store paths come from and whose signatures count. */
const cacheSettingNames = new Set([
  'substituters',
  'extra-substituters',
  'trusted-public-keys',
  'extra-trusted-public-keys',
]);

export function isCacheSetting(name: string): boolean {
  return cacheSettingNames.has(name);
}

/** The substituter URLs settings name, for asking the user about them. */
export function substituterUrls(settings: ReadonlyArray<readonly [string, string]>): string[] {
  return settings
    .filter(([name]) => name === 'substituters' || name === 'extra-substituters')
    .flatMap(([, value]) => value.split(/\s+/).filter((url) => url !== ''));
}

/**
 * A flake's `nixConfig`, as `NAME VALUE` settings (lists joined by spaces, as nix.conf writes
 * them). Read by importing flake.nix itself rather than through the flake: nix's flake
 * commands lock, and may fetch, every input before they look at it, and `nixConfig` is
 * a plain attribute that needs none of them. Nothing is evaluated but that attribute.
 */
export async function readFlakeConfig(
  nix: NixInstallation,
  flakeDir: string,
  options: { env: Record<string, string>; signal?: AbortSignal | undefined },
): Promise<Array<[string, string]>> {
  const file = path.join(flakeDir, 'flake.nix');
  const result = await runInProcessGroup(
    nix.nix,
    [
      ...nixCommandFlags,
      'eval',
      '--json',
      '--impure',
      '--expr',
      `(import ${JSON.stringify(file)}).nixConfig or { }`,
    ],
    {
      cwd: flakeDir,
      env: options.env,
      signal: options.signal,
      collectStdout: true,
      timeoutMs: 60_000,
    },
  );
  if (result.exitCode !== 0) {
    throw new NixShellError('evaluation', errorSummary(result.stderrTail), {
      details: stripAnsi(result.stderrTail),
    });
  }
  return settingsOf(JSON.parse(result.stdout) as unknown);
}

/** nixConfig's values as nix takes them: strings, numbers, booleans and lists of strings. */
export function settingsOf(config: unknown): Array<[string, string]> {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) return [];
  return Object.entries(config).flatMap(([name, value]): Array<[string, string]> => {
    if (Array.isArray(value)) return [[name, value.map(String).join(' ')]];
    if (['string', 'number', 'boolean'].includes(typeof value)) return [[name, String(value)]];
    return [];
  });
}

/**
 * The flags that make every nix run see an accepted flake's cache settings. Nix applies
 * `nixConfig` itself, when accepted, in the runs that read the flake (`print-dev-env`,
 * `eval`), but never in `nix-store --realise` or `nix copy` on store paths: those get the
 * settings as `--option`s, after the user's own, in the order nix would apply them.
 */
export async function flakeCacheOptions(
  nix: NixInstallation,
  flakeDir: string,
  options: { env: Record<string, string>; signal?: AbortSignal | undefined },
): Promise<string[]> {
  const settings = await readFlakeConfig(nix, flakeDir, options);
  return optionFlags(settings.filter(([name]) => isCacheSetting(name)));
}
