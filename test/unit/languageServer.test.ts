import assert from 'node:assert/strict';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { locateFirst } from '../../src/vscode/language/locate';
import { pinnedNixpkgsExpr } from '../../src/vscode/language/pinnedNixpkgs';
import { formatterArgs, runFormatter } from '../../src/vscode/language/runFormatter';
import { configurationAnswers, effectiveSettings } from '../../src/vscode/language/serverSettings';
import { tempDir } from '../support/temp';

async function executable(dir: string, name: string, script = '#!/bin/sh\n'): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, name);
  await writeFile(file, script);
  await chmod(file, 0o755);
  return file;
}

describe('finding the language server and tools', () => {
  it("prefers the project's own PATH entries, in order of preference, then the editor's", async () => {
    const root = await tempDir();
    const project = path.join(root, 'project/bin');
    const editor = path.join(root, 'editor/bin');
    const projectNil = await executable(project, 'nil');
    const editorNixd = await executable(editor, 'nixd');
    // Nix prepends: the project's PATH ends with the editor's.
    const projectPath = `${project}:${editor}`;
    assert.deepEqual(locateFirst(['nixd', 'nil'], projectPath, editor), {
      name: 'nil',
      file: projectNil,
      from: 'project',
    });
    assert.deepEqual(locateFirst(['nixd', 'nil'], editor, editor), {
      name: 'nixd',
      file: editorNixd,
      from: 'editor',
    });
  });

  it('skips files that are not executable, directories and relative entries', async () => {
    const root = await tempDir();
    const plain = path.join(root, 'plain');
    await mkdir(path.join(plain, 'nixd'), { recursive: true });
    const notExecutable = path.join(root, 'noexec');
    await mkdir(notExecutable);
    await writeFile(path.join(notExecutable, 'nixd'), '');
    const searchPath = `bin:${plain}:${notExecutable}`;
    assert.equal(locateFirst(['nixd'], searchPath, ''), undefined);
  });
});

describe("the language server's settings", () => {
  const expr = 'import (builtins.fetchTarball { url = "u"; sha256 = "h"; }) { }';

  it("adds the pinned nixpkgs to nixd's settings, keeping the user's", () => {
    const user = { nixd: { formatting: { command: ['alejandra'] } }, nil: { a: 1 } };
    assert.deepEqual(effectiveSettings('nixd', user, { nixpkgsExpr: expr }), {
      nixd: { formatting: { command: ['alejandra'] }, nixpkgs: { expr } },
      nil: { a: 1 },
    });
    assert.deepEqual(user.nixd, { formatting: { command: ['alejandra'] } }, 'not modified');
  });

  it("lets the user's nixpkgs.expr win, and gives nil nothing extra", () => {
    const user = { nixd: { nixpkgs: { expr: 'import <nixpkgs> { }' } } };
    assert.deepEqual(effectiveSettings('nixd', user, { nixpkgsExpr: expr }), user);
    assert.deepEqual(effectiveSettings('nil', {}, { nixpkgsExpr: expr }), {});
  });

  it('copies settings VS Code hands out as read-only proxies', () => {
    const frozen = new Proxy(Object.freeze({ nixd: Object.freeze({ a: 1 }) }), {});
    assert.deepEqual(effectiveSettings('nixd', frozen, { nixpkgsExpr: expr }), {
      nixd: { a: 1, nixpkgs: { expr } },
    });
  });

  it('answers workspace/configuration per item: a section, a dotted path, everything, or null', () => {
    const settings = { nixd: { formatting: { command: ['nixfmt'] } } };
    assert.deepEqual(
      configurationAnswers(
        [{ section: 'nixd' }, { section: 'nixd.formatting' }, { section: 'nil' }, {}],
        settings,
      ),
      [settings.nixd, settings.nixd.formatting, null, settings],
    );
  });
});

describe("nixd's pinned nixpkgs.expr", () => {
  const store = '/nix/store/0123456789abcdfghijklmnpqrsvwxyz-source';
  const entry = (nixpkgs: 'pinned' | 'search-path' | 'none', value: string) => ({
    nixpkgs,
    mutations: [{ kind: 'prepend' as const, name: 'NIX_PATH', value }],
  });

  it('is the pinned tree the environment was evaluated with, by its store path', () => {
    assert.equal(pinnedNixpkgsExpr(entry('pinned', `nixpkgs=${store}`)), `import ${store} { }`);
  });

  it('is undefined when the environment is not pinned, or names no store path', () => {
    assert.equal(pinnedNixpkgsExpr(undefined), undefined);
    assert.equal(pinnedNixpkgsExpr(entry('search-path', `nixpkgs=${store}`)), undefined);
    assert.equal(pinnedNixpkgsExpr(entry('pinned', 'nixpkgs=/home/u/nixpkgs')), undefined);
    assert.equal(pinnedNixpkgsExpr({ nixpkgs: 'pinned', mutations: [] }), undefined);
  });
});

describe('running a formatter', () => {
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin' };

  it('gives it the text on stdin and takes stdout', async () => {
    const dir = await tempDir();
    const upper = await executable(dir, 'upper', '#!/bin/sh\ntr a-z A-Z\n');
    const outcome = await runFormatter(upper, [], 'let a = "$x"; in a\n', { cwd: dir, env });
    assert.deepEqual(outcome, { ok: true, text: 'LET A = "$X"; IN A\n' });
  });

  it('reports a failure with its stderr', async () => {
    const dir = await tempDir();
    const failing = await executable(dir, 'failing', '#!/bin/sh\necho "bad input" >&2\nexit 3\n');
    assert.deepEqual(await runFormatter(failing, [], 'x', { cwd: dir, env }), {
      ok: false,
      reason: 'exited with code 3: bad input',
    });
  });

  it('runs each formatter in its stdin-to-stdout mode', () => {
    assert.deepEqual(formatterArgs, { nixfmt: [], alejandra: ['--quiet'], 'nixpkgs-fmt': [] });
  });
});
