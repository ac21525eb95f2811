import { access } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { NixShellError } from '../errors';
import { nixCommandFlags } from '../nix/command';
import { errorSummary, stripAnsi } from '../nix/log';
import { runInProcessGroup } from '../process';
import { buildConfigurationAttr, type ConfigurationContext } from './evaluate';
import { configurationKinds, systemAttr, type SystemConfiguration } from './kinds';

export type Comparison =
  | { readonly kind: 'nothing-running'; readonly message: string }
  | {
      readonly kind: 'compared';
      readonly current: string;
      readonly next: string;
      /** `nix store diff-closures`' lines: `name: 1.0 → 1.1, +12.3 KiB`; empty when alike. */
      readonly text: string;
    };

/** Where the system now running is: NixOS's and nix-darwin's, or home-manager's generation. */
export function runningSystemCandidates(
  config: SystemConfiguration,
  home = os.homedir(),
  user = os.userInfo().username,
): string[] {
  if (config.kind !== 'home') return ['/run/current-system'];
  return [
    path.join(home, '.local/state/nix/profiles/home-manager'),
    `/nix/var/nix/profiles/per-user/${user}/home-manager`,
  ];
}

/**
 * What switching to the configuration would change: its system is built, then compared with
 * the running one by `nix store diff-closures` (versions and sizes, package by package). Where
 * nothing of that kind runs (not on NixOS), says so instead of building anything.
 */
export async function compareWithRunning(
  config: SystemConfiguration,
  context: ConfigurationContext,
  current?: string,
): Promise<Comparison> {
  const candidates = current ? [current] : runningSystemCandidates(config);
  const running = await firstExisting(candidates);
  if (!running) {
    const what = configurationKinds[config.kind].label;
    return {
      kind: 'nothing-running',
      message: `not on ${what}: ${candidates.join(' and ')} ${candidates.length > 1 ? 'do' : 'does'} not exist, so there is no running system to compare ${config.name} with`,
    };
  }
  const next = await buildConfigurationAttr(config, systemAttr(config), context);
  context.onProgress?.('comparing with the running system');
  const result = await runInProcessGroup(
    context.nix.nix,
    [...nixCommandFlags, 'store', 'diff-closures', running, next],
    { cwd: config.flakeDir, env: context.env, signal: context.signal, collectStdout: true },
  );
  if (result.exitCode !== 0) {
    throw new NixShellError('evaluation', errorSummary(result.stderrTail), {
      details: stripAnsi(result.stderrTail),
    });
  }
  return { kind: 'compared', current: running, next, text: stripAnsi(result.stdout).trimEnd() };
}

async function firstExisting(files: readonly string[]): Promise<string | undefined> {
  for (const file of files) {
    if (
      await access(file).then(
        () => true,
        () => false,
      )
    )
      return file;
  }
  return undefined;
}
