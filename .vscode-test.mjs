// The integration suite on desktop VS Code, for developers with a display and internet:
// `npm run build && npx vscode-test` (downloads VS Code once). CI and offline machines run the
// same suite in code-server instead: `npm run test:integration` (test/harness/runSuites.ts).
// The suites are test/harness/suites.ts's, but for those that need what only the code-server
// harness gives (see needsHarness there); stand-in extensions load as development extensions.
// Each runs the test files whose names start with its name, in its workspace.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { defineConfig } from '@vscode/test-cli';
import { tsImport } from 'tsx/esm/api';

const root = import.meta.dirname;
const scratch = path.join(root, '.vscode-test');
const { createNixShim } = await tsImport('./test/support/nixShim.ts', import.meta.url);
const { testNixConfig } = await tsImport('./test/support/nixEnv.ts', import.meta.url);
const { suites, needsHarness, standInDirs, workspaceIn, workspaceSource } = await tsImport(
  './test/harness/suites.ts',
  import.meta.url,
);
// A recording nix, as in the code-server harness: tests count the nix processes started.
const shim = await createNixShim(path.join(scratch, 'nix-shim'));

const testsDir = path.join(root, 'out/test/integration');

/** The suite's files in name order: within a suite, each file continues where the last stopped. */
function filesOf(label) {
  if (!existsSync(testsDir)) throw new Error('run `npm run build` first');
  return readdirSync(testsDir)
    .filter((name) => name.startsWith(`${label}.`) && name.endsWith('.test.cjs'))
    .sort()
    .map((name) => path.join(testsDir, name));
}

/** @param {import('./test/harness/suites.ts').Suite} suite */
function configOf(suite) {
  const { name, trusted = true, profile = name } = suite;
  const userData = path.join(scratch, `user-data-${profile}`);
  mkdirSync(path.join(userData, 'User'), { recursive: true });
  writeFileSync(
    path.join(userData, 'User/settings.json'),
    JSON.stringify({ 'nixShell.nixPath': shim.dir, 'security.workspace.trust.enabled': !trusted }),
  );
  const output = path.join(scratch, `output-${name}`);
  mkdirSync(output, { recursive: true });
  // Desktop VS Code opens the workspace where it is, not a copy of it.
  const workspaceRoot = workspaceSource(suite);
  return {
    label: name,
    files: filesOf(suite.files ?? name),
    workspaceFolder: workspaceIn(suite, workspaceRoot),
    extensionDevelopmentPath: [root, ...standInDirs(suite, root)],
    launchArgs: ['--user-data-dir', userData, ...(trusted ? ['--disable-workspace-trust'] : [])],
    env: {
      NIX_CONFIG: testNixConfig(),
      NIXSHELL_SHIM_LOG: shim.log,
      NIXSHELL_TEST_OUTPUT: output,
      UNSET_ME: 'set by the user',
      ...suite.env?.(workspaceRoot),
    },
    mocha: { ui: 'bdd', timeout: 120_000 },
  };
}

export default defineConfig(suites.filter((suite) => !needsHarness(suite)).map(configOf));
