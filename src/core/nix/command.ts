import { isLix } from './installation';

/**
 * Flags every `nix` (new CLI) invocation gets, so nix-command and flakes work on any config,
 * and a flake in a checkout with uncommitted changes does not warn on every capture.
 */
export const nixCommandFlags = [
  '--extra-experimental-features',
  'nix-command flakes',
  '--no-warn-dirty',
] as const;

/** Verbose enough for `evaluating file` / `copied source` (cache inputs) and build activity. */
export const nixLogFlags = ['-vv', '--log-format', 'internal-json'] as const;

/**
 * At debug level (-vvv) nix also says whether its evaluation cache gave a derivation's path,
 * and so whether the files it reports reading are all that evaluation reads.
 */
export const nixDebugLogFlags = ['-vvv', ...nixLogFlags.slice(1)] as const;

/**
 * nixLogFlags for the nix that `nix --version` (or the installation's identity, its real path)
 * names: Lix logs `evaluating file` one level lower (Debug), so it needs -vvv to report the
 * files it evaluates. The identity needs no process, so captures use it.
 */
export function nixLogFlagsFor(versionOutputOrIdentity: string): readonly string[] {
  return isLix(versionOutputOrIdentity) ? nixDebugLogFlags : nixLogFlags;
}

/** `--option NAME VALUE` flags, as nix's own CLI takes them, for each setting. */
export function optionFlags(settings: ReadonlyArray<readonly [string, string]>): string[] {
  return settings.flatMap(([name, value]) => ['--option', name, value]);
}

/** The settings in a list of `--option NAME VALUE` flags (anything else is skipped). */
export function optionSettings(flags: readonly string[]): Array<[string, string]> {
  const settings: Array<[string, string]> = [];
  for (let i = 0; i + 2 < flags.length; i++) {
    const [flag, name = '', value = ''] = flags.slice(i, i + 3);
    if (flag !== '--option') continue;
    settings.push([name, value]);
    i += 2;
  }
  return settings;
}

/** A binary cache a team shares: where it is, and the key its paths are signed with. */
export interface BinaryCache {
  readonly url: string;
  readonly publicKey?: string | undefined;
}

/** The settings that add binary caches to nix's own, as `nix.conf`'s `extra-` settings do. */
export function binaryCacheOptions(caches: readonly BinaryCache[]): string[] {
  const urls = caches.map((cache) => cache.url.trim()).filter((url) => url !== '');
  const keys = caches.flatMap((cache) => cache.publicKey?.trim() || []);
  return optionFlags([
    ...(urls.length > 0 ? [['extra-substituters', urls.join(' ')] as const] : []),
    ...(keys.length > 0 ? [['extra-trusted-public-keys', keys.join(' ')] as const] : []),
  ]);
}
