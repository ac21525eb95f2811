// The parsers against output of Nix versions the test machine does not run (and of 2.26, which
// it does, where a line is easier to state here than to provoke). Every line below is nix's
// output, recorded or rebuilt from the format string in upstream's sources, as cited.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { evaluationError } from '../../src/core/capture/failure';
import { localInputs } from '../../src/core/capture/inputs';
import type { NixRun } from '../../src/core/capture/run';
import { nixLogFlagsFor } from '../../src/core/nix/command';
import { isLix } from '../../src/core/nix/installation';
import { errorSummary, locationsInText } from '../../src/core/nix/log';
import { scratchDir } from '../support/scratch';
import { jsonLine, parseLog } from '../support/nixLog';

const parse = parseLog;
const json = jsonLine;
const red = (text: string) => `\u001b[31;1m${text}\u001b[0m`;
const magenta = (text: string) => `\u001b[35;1m${text}\u001b[0m`;

/** A failed print-dev-env run, as the capture sees it, with these error messages. */
function failedRun(errors: string[]): NixRun {
  return {
    result: { exitCode: 1, signal: undefined, stdout: '', stderrTail: errors.join('\n') },
    readFiles: [],
    errors,
    warnings: [],
    locations: [],
  };
}

// Nix ≥2.13 (NixOS/nix PR #6204; src/libutil/error.cc): the first line is a bare `error:`, the
// trace follows outermost first, and the real message is the last `error:`, with its position.
// Recorded from Debian 13's nix 2.26.3 (`nix print-dev-env -f shell.nix`, in a folder with a
// space in its name).
const tracedError = [
  'error:',
  "       … while evaluating the file '/home/u/my project/shell.nix':",
  '',
  "       … while evaluating the attribute 'a'",
  '         at /home/u/my project/shell.nix:4:3:',
  '            3| in',
  '            4| { a = f { b = 1; }; }.a',
  '             |   ^',
  '            5|',
  '',
  "       error: attribute 'missing' missing",
  '       at /home/u/my project/shell.nix:2:10:',
  '            1| let',
  '            2|   f = x: x.missing;',
  '             |          ^',
  '            3| in',
].join('\n');

describe('output of other Nix versions', () => {
  describe('Nix ≥2.13 error traces', () => {
    it('take the message from the last error line, not the bare first one', () => {
      assert.equal(errorSummary(tracedError), "attribute 'missing' missing");
    });

    it('put the innermost position (the error site) first, paths with spaces whole', () => {
      assert.deepEqual(locationsInText(tracedError), [
        { file: '/home/u/my project/shell.nix', line: 2, column: 10 },
        { file: '/home/u/my project/shell.nix', line: 4, column: 3 },
      ]);
    });

    it('still read the one-line errors of Nix 2.8, first message first', () => {
      // Recorded from Debian 12's nix 2.8.0: a builder failure, then the summary nix adds.
      const text = [
        "error: builder for '/nix/store/0123456789abcdfghijklmnpqrsvwxyz-x.drv' failed with exit code 1",
        "error: 1 dependencies of derivation '/nix/store/0123456789abcdfghijklmnpqrsvwxyz-x-env.drv' failed to build",
      ].join('\n');
      assert.equal(
        errorSummary(text),
        "builder for '/nix/store/0123456789abcdfghijklmnpqrsvwxyz-x.drv' failed with exit code 1",
      );
    });

    it('give the capture a message, not an empty one', () => {
      assert.equal(
        evaluationError(failedRun([tracedError])).message,
        "attribute 'missing' missing",
      );
    });
  });

  describe('Nix ≥2.20 internal-json messages', () => {
    // Recorded from nix 2.26.3. Since 2.20 (NixOS/nix 4feb7d9f71, Pos::print in
    // src/libutil/position.cc) `file` carries `:line:col`; `raw_msg` is the message alone.
    const message = json({
      action: 'msg',
      column: 10,
      file: '/home/u/my project/shell.nix:2:10',
      level: 0,
      line: 2,
      msg: `${red('error:')}\n       … while evaluating the attribute '${magenta('a')}'\n\n       ${red('error:')} attribute '${magenta('missing')}' missing`,
      raw_msg: `attribute '${magenta('missing')}' missing`,
    });

    it('give the file without the line and column', () => {
      const [event] = parse([message]);
      assert.deepEqual(event?.type === 'message' ? event.location : undefined, {
        file: '/home/u/my project/shell.nix',
        line: 2,
        column: 10,
      });
    });

    it('give the message alone from raw_msg', () => {
      const [event] = parse([message]);
      assert.equal(
        event?.type === 'message' ? event.summary : undefined,
        "attribute 'missing' missing",
      );
    });

    it('give no position when nix has none (file, line and column are null)', () => {
      // Recorded from nix 2.26.3: an error without a position.
      const [event] = parse([
        json({
          action: 'msg',
          column: null,
          file: null,
          level: 0,
          line: null,
          msg: 'error: x',
          raw_msg: 'x',
        }),
      ]);
      assert.equal(event?.type === 'message' ? event.location : 'not a message', undefined);
    });
  });

  describe('files nix read that are not local files', () => {
    // `<nix/derivation-internal.nix>` and `«nix-internal»/call-flake.nix`: recorded from nix
    // 2.26.3 at -vv. `«github:…»/…` origins: Nix ≥2.32 (NixOS/nix 1d130492d7,
    // src/libfetchers/tarball.cc, src/libutil/mounted-source-accessor.cc) and Determinate ≥3.2.
    it('never become inputs', async () => {
      const dir = await scratchDir();
      const file = path.join(dir, 'shell.nix');
      await writeFile(file, '{}');
      const inputs = await localInputs({ kind: 'file', file }, [
        file,
        '<nix/derivation-internal.nix>',
        '«nix-internal»/call-flake.nix',
        '«github:NixOS/nixpkgs/0123456789abcdef0123456789abcdef01234567»/pkgs/top-level/default.nix',
      ]);
      assert.deepEqual(inputs, [file]);
    });
  });

  describe('Nix ≥2.35 and Determinate ≥3.21.2 copied sources', () => {
    it('are inputs with the hash suffix too', () => {
      // src/libfetchers/fetch-to-store.cc (NixOS/nix a72080d5ce): `copied source '%s' -> '%s' (hash '%s')`.
      const events = parse([
        json({
          action: 'msg',
          level: 5,
          msg: "copied source '/p/my scripts' -> '/nix/store/0123456789abcdfghijklmnpqrsvwxyz-my scripts' (hash 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=')",
        }),
      ]);
      assert.deepEqual(events, [{ type: 'read-file', path: '/p/my scripts' }]);
    });
  });

  describe('files a flake cannot see because git does not track them', () => {
    const cases: [string, string, string][] = [
      [
        // Nix ≤2.18 and Lix (lix/libutil/file-system.cc): recorded from nix 2.8.0.
        '≤2.18 and Lix',
        "error: getting status of '/nix/store/0123456789abcdfghijklmnpqrsvwxyz-source/app/nix/extra.nix': No such file or directory",
        'app/nix/extra.nix',
      ],
      [
        // Nix 2.19–2.31 (src/libutil/source-accessor.cc): recorded from nix 2.26.3.
        '2.19–2.31',
        "error:\n       … while calling the 'import' builtin\n\n       error: path '/nix/store/0123456789abcdfghijklmnpqrsvwxyz-source/app/nix/extra.nix' does not exist",
        'app/nix/extra.nix',
      ],
      [
        // Nix ≥2.32 and Determinate ≥3.2 (src/libfetchers/git.cc, NixOS/nix 62e2304891;
        // tests/functional/flakes/source-paths.sh greps this very line).
        '≥2.32 and Determinate',
        'error: Path \'app/nix/extra.nix\' in the repository "/home/u/my repo" is not tracked by Git.',
        'app/nix/extra.nix',
      ],
      [
        // An untracked flake.nix on Nix 2.4–2.18 (src/libexpr/flake/flake.cc, NixOS/nix PR #9398).
        'flake.nix, ≤2.18',
        "error: source tree referenced by 'git+file:///home/u/repo?dir=app' does not contain a 'app/flake.nix' file",
        'app/flake.nix',
      ],
      [
        // An untracked flake.nix on 2.19–2.31: recorded from nix 2.26.3.
        'flake.nix, 2.19–2.31',
        "error: path '/nix/store/0123456789abcdfghijklmnpqrsvwxyz-source/app/flake.nix' does not exist",
        'app/flake.nix',
      ],
    ];
    for (const [versions, text, file] of cases) {
      it(`are named, with the git add hint (${versions})`, () => {
        const error = evaluationError(failedRun([text]));
        assert.equal(error.kind, 'untracked-file');
        assert.equal(error.file, file, 'what Git Add adds');
        assert.equal(
          error.message,
          `${file} is not tracked by git, so the flake cannot see it (git add ${file}?)`,
        );
      });
    }
  });

  describe('Nix ≥2.32 and Determinate origins in positions', () => {
    // DeterminateSystems/nix-src PR #20, tests/functional/flakes/source-paths.sh:
    // `at «git+file://$repo?ref=master&rev=…»/flake.nix:` for a committed flake.
    it('point a git+file or path origin at the checkout, and drop remote ones', () => {
      const text = [
        'error:',
        '       … while calling the builtin',
        '         at «github:NixOS/nixpkgs/0123456789abcdef0123456789abcdef01234567»/lib/a.nix:3:5:',
        '',
        '       error: assertion failed',
        '       at «git+file:///home/u/my repo?ref=master&rev=0123456789abcdef0123456789abcdef01234567»/flake.nix:7:9:',
      ].join('\n');
      assert.deepEqual(locationsInText(text), [
        { file: '/home/u/my repo/flake.nix', line: 7, column: 9 },
      ]);
      assert.equal(errorSummary(text), 'assertion failed');
    });
  });

  describe('Nix ≥2.29 build failures', () => {
    // src/libstore/build/derivation-building-goal.cc (NixOS/nix 5a84237209):
    // "Cannot build '%s'.\nReason: builder failed …".
    it('name the derivation that could not be built', () => {
      // As the capture sees it: the log parser has taken the colours out.
      const text = [
        'error:',
        "       … while building '/nix/store/0123456789abcdfghijklmnpqrsvwxyz-nix-shell-env.drv'",
        '',
        "       error: Cannot build '/nix/store/0123456789abcdfghijklmnpqrsvwxyz-hello-2.12.drv'.",
        '       Reason: builder failed with exit code 1.',
      ].join('\n');
      assert.match(
        evaluationError(failedRun([text])).message,
        /^Cannot build '\/nix\/store\/[0-9a-z]{32}-hello-2\.12\.drv'/,
      );
    });
  });

  describe('Lix', () => {
    // Lix ≥2.90 logs `evaluating file` at Debug, not Talkative (lix-project/lix 076c19e0d,
    // src/libexpr/eval.cc), so -vv shows no imported files; -vvv (Debug) does.
    it('is told apart from Nix by `nix --version`', () => {
      assert.equal(isLix('nix (Lix, like Nix) 2.91.1'), true);
      assert.equal(isLix('nix (Nix) 2.26.3'), false);
      assert.equal(isLix('nix (Determinate Nix 3.6.2) 2.29.0'), false);
    });

    it('gets debug verbosity, so that it logs the files it evaluates', () => {
      assert.deepEqual(nixLogFlagsFor('nix (Nix) 2.26.3').slice(0, 1), ['-vv']);
      assert.deepEqual(nixLogFlagsFor('nix (Lix, like Nix) 2.91.1').slice(0, 1), ['-vvv']);
    });
  });
});
