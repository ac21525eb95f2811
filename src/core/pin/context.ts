import type { Logger } from '../logger';
import type { NixInstallation } from '../nix/installation';

/** Where pins are resolved and downloaded from; the defaults are GitHub and the NixOS channels. */
export interface PinSources {
  githubUrl: string;
  channelsUrl: string;
}

export const defaultPinSources: PinSources = {
  githubUrl: 'https://github.com',
  channelsUrl: 'https://channels.nixos.org',
};

/**
 * The base URLs to use: NIXSHELL_GITHUB_URL / NIXSHELL_CHANNELS_URL win over the settings, which
 * win over the defaults (GitHub Enterprise, mirrors, and the tests' local server).
 */
export function pinSources(
  settings: Partial<PinSources> = {},
  env: NodeJS.ProcessEnv = process.env,
): PinSources {
  const pick = (fromEnv: string | undefined, fromSettings: string | undefined, fallback: string) =>
    (fromEnv?.trim() || fromSettings?.trim() || fallback).replace(/\/+$/, '');
  return {
    githubUrl: pick(env['NIXSHELL_GITHUB_URL'], settings.githubUrl, defaultPinSources.githubUrl),
    channelsUrl: pick(
      env['NIXSHELL_CHANNELS_URL'],
      settings.channelsUrl,
      defaultPinSources.channelsUrl,
    ),
  };
}

/** Everything pin operations need; nothing here depends on VS Code. */
export interface PinContext {
  nix: NixInstallation;
  /** The complete environment of every process started (nix, git). */
  env: Record<string, string>;
  sources: PinSources;
  logger: Logger;
  signal?: AbortSignal;
}

/** The `<owner>/<repo>` archive of one revision, as GitHub (and the test server) serve it. */
export function githubTarballUrl(
  githubUrl: string,
  owner: string,
  repo: string,
  rev: string,
): string {
  return `${githubUrl}/${owner}/${repo}/archive/${rev}.tar.gz`;
}

/** The repository for `git ls-remote` and `git fetch`. */
export function githubGitUrl(githubUrl: string, owner: string, repo: string): string {
  return `${githubUrl}/${owner}/${repo}.git`;
}
