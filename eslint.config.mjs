// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const blocking = 'Synchronous child processes block the extension host; use execa.';
const synchronousChildProcesses = ['child_process', 'node:child_process'].map((name) => ({
  name,
  importNames: ['execSync', 'spawnSync', 'execFileSync'],
  message: blocking,
}));
// zod's full API keeps every locale and method in the bundle (~430 KB of the extension's);
// zod/mini's functions tree-shake to what is used.
const zodMini = [{ name: 'zod', message: "Import * as z from 'zod/mini'." }];
const restrictedEverywhere = [...synchronousChildProcesses, ...zodMini];
const noVscode = {
  name: 'vscode',
  message: 'src/core and the CLI are editor-independent; put VS Code code in src/vscode.',
};
const configsThroughIndex = {
  group: ['**/core/configs/*'],
  message: "Import from 'src/core/configs' (its index).",
};

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'out/',
      'node_modules/',
      'test/fixtures/',
      'test/integration/workspaces/',
      'examples/',
      'test-results/',
      '.vscode-test/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // `() => logger.info(x)` reads better than a braced body returning nothing.
      '@typescript-eslint/no-confusing-void-expression': 'off',
      // Environments are plain string maps; removing a variable is deleting its key.
      '@typescript-eslint/no-dynamic-delete': 'off',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'CallExpression[callee.property.name=/^(execSync|spawnSync|execFileSync)$/]',
          message: blocking,
        },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: restrictedEverywhere,
        },
      ],
    },
  },
  {
    // The engine is shared by the CLI and unit-tested in plain Node, and the CLI runs without an
    // editor: neither may ever see `vscode`.
    files: ['src/core/**/*.ts', 'src/cli.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [noVscode, ...restrictedEverywhere] }] },
  },
  {
    // System configurations have one public face, src/core/configs/index.ts: the CLI and the
    // editor use it, not the files behind it.
    files: ['src/vscode/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: restrictedEverywhere, patterns: [configsThroughIndex] },
      ],
    },
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [noVscode, ...restrictedEverywhere], patterns: [configsThroughIndex] },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
