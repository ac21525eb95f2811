// The integration suites, listed once: test/harness/runSuites.ts runs them all in code-server,
// and .vscode-test.mjs (desktop VS Code) runs those that need nothing only that harness gives.
import path from 'node:path';
import { repoRoot } from '../support/nixEnv';
import { checkAfterShutdown } from './afterShutdown';
import type { SuiteResult } from './report';

export interface Suite {
  /** Also the prefix of the test files it runs (`trusted.*.test.ts`). */
  readonly name: string;
  /** A directory of test/integration/workspaces, then optionally a .code-workspace in it. */
  readonly workspace: string;
  /** Where the workspace is copied from instead: a directory of test/fixtures, shared with the real-nix tests. */
  readonly fromFixtures?: boolean;
  readonly trusted?: boolean;
  /** Suites with the same profile share workspace copy, user data and global storage. */
  readonly profile?: string;
  /** Extra environment of code-server (and so of the extension host), given the workspace. */
  readonly env?: (workspaceRoot: string) => Record<string, string>;
  /** The test files' name prefix, when it is not the suite's name. */
  readonly files?: string;
  /** Run against the modern Nix (test/nix-versions/install-nix.sh) instead of the system's. */
  readonly modernNix?: boolean;
  /** What the harness checks once the suite's extension host has stopped, given its output. */
  readonly afterHost?: (output: string) => Promise<Omit<SuiteResult, 'ok'>>;
  /** Files added to the workspace copy, by path relative to it. */
  readonly extraFiles?: Readonly<Record<string, string>>;
  /** Other extensions installed beside ours: directories of test/integration/extensions. */
  readonly extensions?: readonly string[];
  /**
   * The workspace copy, with the fixtures' `_lib` beside it, is a git repository with all
   * committed: a flake sees only what git tracks.
   */
  readonly git?: boolean;
  /**
   * Also run on the oldest VS Code that package.json's engines.vscode allows (as `NAME@oldest`):
   * the suites that between them call every VS Code API the extension uses.
   */
  readonly oldest?: boolean;
}

export const suites: readonly Suite[] = [
  // cpptools' stand-in: its debug type takes the environment in another shape.
  { name: 'trusted', workspace: 'basic', extensions: ['cpptools'], oldest: true },
  {
    name: 'trusted-nix-2.26',
    files: 'trusted',
    workspace: 'basic',
    modernNix: true,
    extensions: ['cpptools'],
  },
  { name: 'multiroot', workspace: 'multiroot/multiroot.code-workspace' },
  { name: 'untrusted', workspace: 'basic', trusted: false },
  { name: 'shutdown', workspace: 'basic', afterHost: checkAfterShutdown },
  { name: 'reopen1', workspace: 'reopen', profile: 'reopen' },
  { name: 'reopen2', workspace: 'reopen', profile: 'reopen' },
  { name: 'language', workspace: 'language', oldest: true },
  // Next to a stand-in with Nix IDE's id: only one language server may run.
  { name: 'nixide', workspace: 'language', extensions: ['nix-ide'] },
  {
    // The direnv extension beside this one, on a project whose .envrc loads the same shell.
    name: 'direnv',
    workspace: 'basic',
    extensions: ['direnv'],
    extraFiles: {
      '.envrc': 'use nix\ndotenv\n',
      // What direnv loads from it, as far as the stand-in applies it.
      '.direnv-standin.json': JSON.stringify({
        PATH: '+$FOLDER/bin',
        GREETING: 'hello from shell.nix',
        HOOK_RAN: '1',
      }),
    },
  },
  {
    name: 'pin',
    workspace: 'pin',
    oldest: true,
    // The user's channel: what `<nixpkgs>` is until the project pins it.
    env: (root) => ({ NIX_PATH: `nixpkgs=${path.join(root, 'channel')}` }),
  },
  // A flake whose nixConfig names a binary cache: asked about once, used when accepted.
  { name: 'flakeconfig', workspace: 'flake-config' },
  // The stand-in NixOS, nix-darwin and home-manager configurations of test/nix/configs.test.ts.
  { name: 'configs', workspace: 'nixos-configs', fromFixtures: true },
  { name: 'flake', workspace: 'flake-two-shells', fromFixtures: true, git: true },
  // Nix ≥2.19 words an untracked file otherwise, and updates an input with `nix flake update`.
  {
    name: 'flake-nix-2.26',
    files: 'flake',
    workspace: 'flake-two-shells',
    fromFixtures: true,
    git: true,
    modernNix: true,
  },
];

/** The directory the suite's workspace is a copy of. */
export function workspaceSource(suite: Suite): string {
  const [directory = ''] = suite.workspace.split('/');
  const from = suite.fromFixtures ? 'test/fixtures' : 'test/integration/workspaces';
  return path.join(repoRoot, from, directory);
}

/** What the editor opens, given where the workspace directory is: it, or a file in it. */
export function workspaceIn(suite: Suite, root: string): string {
  const [, ...rest] = suite.workspace.split('/');
  return path.join(root, ...rest);
}

/**
 * Whether the suite needs what only the code-server harness gives: a workspace copy it can
 * change (files, git), the modern Nix, a check after the host stopped. (Desktop VS Code loads
 * the stand-in extensions as development extensions.)
 */
export function needsHarness(suite: Suite): boolean {
  return Boolean(suite.git || suite.extraFiles || suite.modernNix || suite.afterHost);
}

/** The stand-in extensions' directories (test/integration/extensions). */
export function standInDirs(suite: Suite, repoRoot: string): string[] {
  return (suite.extensions ?? []).map((name) =>
    path.join(repoRoot, 'test/integration/extensions', name),
  );
}
