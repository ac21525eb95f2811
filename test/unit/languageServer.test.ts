import assert from 'node:assert/strict';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { locateFirst } from '../../src/vscode/language/locate';
import { lockFileNixpkgsExpr, nixString } from '../../src/vscode/language/pinnedNixpkgs';
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
    assert.deepEqual(await locateFirst(['nixd', 'nil'], projectPath, editor), {
      name: 'nil',
      file: projectNil,
      from: 'project',
    });
    assert.deepEqual(await locateFirst(['nixd', 'nil'], editor, editor), {
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
    assert.equal(await locateFirst(['nixd'], searchPath, ''), undefined);
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

describe('the pinned nixpkgs, from nixpkgs.lock.json', () => {
  const url = 'https://github.com/NixOS/nixpkgs/archive/abc.tar.gz';
  const narHash = 'sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

  async function folderWithLock(lock: unknown): Promise<string> {
    const dir = await tempDir();
    await writeFile(
      path.join(dir, 'nixpkgs.lock.json'),
      typeof lock === 'string' ? lock : JSON.stringify(lock),
    );
    return dir;
  }

  it('names the locked tarball with its hash', async () => {
    const dir = await folderWithLock({ version: 1, locked: { type: 'tarball', url, narHash } });
    assert.equal(
      await lockFileNixpkgsExpr(dir),
      `import (builtins.fetchTarball { url = "${url}"; sha256 = "${narHash}"; }) { }`,
    );
  });

  it('names a git pin by its revision', async () => {
    const rev = '0123456789abcdef0123456789abcdef01234567';
    const dir = await folderWithLock({ locked: { type: 'git', url, rev, narHash } });
    assert.equal(
      await lockFileNixpkgsExpr(dir),
      `import (builtins.fetchGit { url = "${url}"; rev = "${rev}"; narHash = "${narHash}"; allRefs = true; }) { }`,
    );
  });

  it('is undefined without a lock, or with one that names no source', async () => {
    assert.equal(await lockFileNixpkgsExpr(await tempDir()), undefined);
    assert.equal(await lockFileNixpkgsExpr(await folderWithLock('{ not json')), undefined);
    assert.equal(await lockFileNixpkgsExpr(await folderWithLock({ locked: { url } })), undefined);
    assert.equal(await lockFileNixpkgsExpr(await folderWithLock(null)), undefined);
  });

  it('escapes what would end a Nix string or start an interpolation', () => {
    assert.equal(nixString('a"b\\c${d}'), '"a\\"b\\\\c\\${d}"');
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
