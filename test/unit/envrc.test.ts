import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { resolveTarget } from '../../src/core/discovery';
import { envrcNoteText, parseEnvrc, parseFlakeReference } from '../../src/core/envrc/parse';
import { readEnvrc } from '../../src/core/envrc/read';
import { logicalLines, shellWords } from '../../src/core/envrc/words';
import { tempDir } from '../support/temp';

const useOf = (content: string) => {
  const { use } = parseEnvrc(content);
  if (!use) return undefined;
  // The line and its text are checked by the tests on notes.
  return Object.fromEntries(
    Object.entries(use).filter(([key]) => key !== 'text' && key !== 'line'),
  );
};

describe('.envrc: reading it without running it', () => {
  describe('use nix (direnv stdlib, nix-direnv)', () => {
    it('takes nix-shell’s default file with no argument, as `use nix` and `use_nix`', () => {
      for (const line of ['use nix', 'use_nix', '  use nix  # the project shell']) {
        assert.deepEqual(useOf(line), { kind: 'nix', file: undefined, attr: undefined, args: [] });
      }
    });

    it('takes a file, an attribute and nix arguments', () => {
      assert.deepEqual(useOf('use nix shell.nix'), {
        kind: 'nix',
        file: 'shell.nix',
        attr: undefined,
        args: [],
      });
      assert.deepEqual(
        useOf(
          'use nix nix/dev.nix -A shells.backend --argstr name "my project" --arg debug true -I nixpkgs=./pin',
        ),
        {
          kind: 'nix',
          file: 'nix/dev.nix',
          attr: 'shells.backend',
          args: ['--argstr', 'name', 'my project', '--arg', 'debug', 'true', '-I', 'nixpkgs=./pin'],
        },
      );
      assert.deepEqual(useOf("use nix --attr dev --include 'nixpkgs=/p q' default.nix"), {
        kind: 'nix',
        file: 'default.nix',
        attr: 'dev',
        args: ['-I', 'nixpkgs=/p q'],
      });
    });

    it('joins continued lines', () => {
      assert.deepEqual(useOf('use nix \\\n  --argstr a b \\\n  shell.nix\nexport X=1'), {
        kind: 'nix',
        file: 'shell.nix',
        attr: undefined,
        args: ['--argstr', 'a', 'b'],
      });
      assert.deepEqual(logicalLines('a \\\nb\nc'), [
        { line: 1, text: 'a b' },
        { line: 3, text: 'c' },
      ]);
    });

    it('ignores, and says so, what shapes the shell session (nix-direnv ignores them too)', () => {
      const hint = parseEnvrc('use nix --pure --keep HOME --run true -j4 shell.nix');
      assert.equal(hint.use?.kind === 'nix' && hint.use.file, 'shell.nix');
      assert.deepEqual(
        hint.notes.map((n) => n.reason),
        [
          '`--pure` is ignored',
          '`--keep HOME` is ignored',
          '`--run true` is ignored',
          '`-j4` is ignored',
        ],
      );
    });

    it('does not take `-p` packages or `-E` expressions: they are no project file', () => {
      for (const line of ['use nix -p hello jq', 'use nix --packages hello', "use nix -E '{}'"]) {
        const hint = parseEnvrc(line);
        assert.equal(hint.use, undefined, line);
        assert.match(hint.notes[0]?.reason ?? '', /packages or an expression/);
      }
    });
  });

  describe('use flake', () => {
    it('takes the folder’s flake, a devShell, a directory, with `use flake` and `use_flake`', () => {
      assert.deepEqual(useOf('use flake'), { kind: 'flake', dir: '.', args: [] });
      assert.deepEqual(useOf('use_flake .#backend'), {
        kind: 'flake',
        dir: '.',
        devShell: 'backend',
        args: [],
      });
      assert.deepEqual(useOf('use flake "path/to/dir#x"'), {
        kind: 'flake',
        dir: 'path/to/dir',
        devShell: 'x',
        args: [],
      });
      assert.deepEqual(useOf('use flake . --impure --argstr a b'), {
        kind: 'flake',
        dir: '.',
        args: ['--argstr', 'a', 'b'],
      });
    });

    it('reads the forms of a local flake reference', () => {
      assert.deepEqual(parseFlakeReference('.'), { dir: '.' });
      assert.deepEqual(parseFlakeReference('./sub'), { dir: './sub' });
      assert.deepEqual(parseFlakeReference('path:./sub#web'), { dir: './sub', devShell: 'web' });
      assert.deepEqual(parseFlakeReference('/abs/flake#a'), { dir: '/abs/flake', devShell: 'a' });
      assert.deepEqual(parseFlakeReference('~/myflakes#project'), {
        dir: '~/myflakes',
        devShell: 'project',
      });
      assert.deepEqual(parseFlakeReference('.#devShells.x86_64-linux.backend'), {
        dir: '.',
        devShell: 'backend',
      });
      assert.deepEqual(parseFlakeReference('#other'), { dir: '.', devShell: 'other' });
    });

    it('does not enter remote or registry flakes, or attributes that are not devShells', () => {
      for (const reference of [
        'github:owner/repo',
        'github:owner/repo#shell',
        'nixpkgs#hello',
        'sub#shell',
        'git+https://example.org/r',
        '.#packages.x86_64-linux.default',
        '.?dir=sub',
      ]) {
        const hint = parseEnvrc(`use flake ${reference}`);
        assert.equal(hint.use, undefined, reference);
        assert.equal(hint.notes.length, 1, reference);
      }
    });
  });

  it('collects watched files from nix_direnv_watch_file and watch_file', () => {
    const hint = parseEnvrc(
      'nix_direnv_watch_file nix/a.nix "nix/b c.nix"\nwatch_file package.json\nuse flake',
    );
    assert.deepEqual(hint.watch, ['nix/a.nix', 'nix/b c.nix', 'package.json']);
    assert.deepEqual(hint.notes, []);
  });

  it('accepts nix-direnv’s loader and switches quietly, and notes every other line', () => {
    const content = [
      '#!/usr/bin/env bash',
      'if ! has nix_direnv_version || ! nix_direnv_version 3.0.6; then',
      '  source_url "https://raw.githubusercontent.com/nix-community/nix-direnv/3.0.6/direnvrc" "sha256-RYcUJaRMf8oF5LznDrlCXbkOQrywm0HDv1VjYGaJGdM="',
      'fi',
      'nix_direnv_manual_reload',
      'use flake .#backend',
      'export DATABASE_URL=postgres://localhost/dev',
      'use nix $(pwd)/shell.nix',
      'use nix',
      'dotenv',
    ].join('\n');
    const hint = parseEnvrc(content);
    assert.equal(hint.use?.kind, 'flake');
    assert.equal(hint.use.line, 6);
    assert.deepEqual(
      hint.notes.map((n) => [n.line, n.reason]),
      [
        [7, 'only `use nix`, `use flake` and watched files are read'],
        [8, 'it uses a shell expansion (`$`)'],
        [9, 'the environment of line 6 is used'],
        [10, 'only `use nix`, `use flake` and watched files are read'],
      ],
    );
    assert.equal(
      envrcNoteText(hint.notes[1] ?? { line: 0, text: '', reason: '' }),
      '.envrc line 8 not understood: use nix $(pwd)/shell.nix (it uses a shell expansion (`$`))',
    );
  });

  it('splits words as a shell does, and refuses what needs a shell', () => {
    assert.deepEqual(shellWords(`a 'b c' "d \\"e\\"" f\\ g # h`), {
      words: ['a', 'b c', 'd "e"', 'f g'],
    });
    assert.ok('problem' in shellWords('use nix; echo hi'));
    assert.ok('problem' in shellWords('use nix "$FILE"'));
    assert.ok('problem' in shellWords("use nix 'open"));
  });

  describe('against the folder', () => {
    async function project(files: Record<string, string>): Promise<string> {
      const dir = await tempDir();
      for (const [file, content] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
        await writeFile(path.join(dir, file), content);
      }
      return dir;
    }

    it('`use nix` takes shell.nix, then default.nix, even beside a flake.nix', async () => {
      const dir = await project({ '.envrc': 'use nix', 'flake.nix': '{}', 'default.nix': '{}' });
      assert.deepEqual((await readEnvrc(dir))?.target, {
        kind: 'file',
        file: path.join(dir, 'default.nix'),
      });
      await writeFile(path.join(dir, 'shell.nix'), '{}');
      const resolved = await resolveTarget(dir, {}, ['--arg', 'x', '1']);
      assert.equal(resolved.source, 'envrc');
      assert.deepEqual(resolved.spec?.target, { kind: 'file', file: path.join(dir, 'shell.nix') });
    });

    it('`use nix DIR -A attr` takes the directory’s default.nix and the attribute', async () => {
      const dir = await project({
        '.envrc': 'use nix nix --argstr a b -A dev',
        'nix/default.nix': '{}',
      });
      const resolved = await resolveTarget(dir, {}, ['--arg', 'x', '1']);
      assert.deepEqual(resolved.spec?.target, {
        kind: 'file',
        file: path.join(dir, 'nix/default.nix'),
        attr: 'dev',
      });
      assert.deepEqual(resolved.spec.args, ['--argstr', 'a', 'b', '--arg', 'x', '1']);
      assert.deepEqual(resolved.spec.watch, []);
    });

    it('`use flake ./sub#x` takes that flake and devShell; watched files are inputs', async () => {
      const dir = await project({
        '.envrc': 'nix_direnv_watch_file nix/tools.nix ~/x.nix\nuse flake ./sub#backend',
        'sub/flake.nix': '{}',
        'shell.nix': '{}',
      });
      const resolved = await resolveTarget(dir, {}, []);
      assert.deepEqual(resolved.spec?.target, {
        kind: 'flake',
        dir: path.join(dir, 'sub'),
        devShell: 'backend',
      });
      assert.deepEqual(resolved.spec.watch, [
        path.join(dir, 'nix/tools.nix'),
        path.join(os.homedir(), 'x.nix'),
      ]);
    });

    it('an explicit setting or a remembered choice wins over the .envrc', async () => {
      const dir = await project({
        '.envrc': 'use flake .#backend',
        'flake.nix': '{}',
        'shell.nix': '{}',
      });
      const viaFile = await resolveTarget(dir, { file: 'shell.nix' }, []);
      assert.equal(viaFile.source, 'setting');
      assert.deepEqual(viaFile.spec?.target, { kind: 'file', file: path.join(dir, 'shell.nix') });
      const viaShell = await resolveTarget(dir, { devShell: 'other' }, []);
      assert.deepEqual(viaShell.spec?.target, { kind: 'flake', dir, devShell: 'other' });
      assert.equal(viaShell.spec.watch, undefined);
    });

    it('falls back to discovery, and says why, when the .envrc names what is not there', async () => {
      const dir = await project({ '.envrc': 'use nix missing.nix', 'shell.nix': '{}' });
      const resolved = await resolveTarget(dir, {}, []);
      assert.equal(resolved.source, 'discovered');
      assert.deepEqual(resolved.spec?.target, { kind: 'file', file: path.join(dir, 'shell.nix') });
      assert.deepEqual(
        resolved.envrc?.notes.map((n) => n.reason),
        ['missing.nix not found'],
      );
      const noFlake = await project({ '.envrc': 'use flake ./api', 'shell.nix': '{}' });
      assert.deepEqual(
        (await readEnvrc(noFlake))?.notes.map((n) => n.reason),
        ['no flake.nix in ./api'],
      );
    });

    it('a folder without .envrc is discovery as before', async () => {
      const dir = await project({ 'flake.nix': '{}' });
      assert.equal(await readEnvrc(dir), undefined);
      assert.equal((await resolveTarget(dir, {}, [])).source, 'discovered');
    });
  });
});
