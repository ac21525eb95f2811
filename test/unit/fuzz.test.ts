// The parsers we own, fed arbitrary input with fast-check (fixed seed, so a failure replays):
// none throws anything but our own NixShellError, and those that read what another program
// wrote (nix's messages, a lock file's holder, /proc) never throw at all.
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { parseHolder } from '../../src/core/cache/lock';
import { statStartTime } from '../../src/core/cache/processIdentity';
import { readShellDump } from '../../src/core/capture/shellDump';
import { parseEnvDump } from '../../src/core/env/dump';
import { NixShellError } from '../../src/core/errors';
import { errorSummary, locationsInText } from '../../src/core/nix/log';
import { parseLock } from '../../src/core/pin';
import { redact } from '../../src/core/redact';
import { parse } from '../../src/cli/env';
import { parsePin } from '../../src/cli/pin';
import { tempDir } from '../support/temp';

const settings = { seed: 20261201, numRuns: 300 };

/** Runs `parse`; anything thrown must be our own error type. */
function onlyOurErrors(parse: () => unknown): void {
  try {
    parse();
  } catch (error) {
    assert.ok(error instanceof NixShellError, `threw ${String(error)}`);
  }
}

async function onlyOurErrorsAsync(parse: () => Promise<unknown>): Promise<void> {
  try {
    await parse();
  } catch (error) {
    assert.ok(error instanceof NixShellError, `threw ${String(error)}`);
  }
}

/** Text with the pieces a parser looks for, mixed with anything. */
function textWith(...pieces: string[]): fc.Arbitrary<string> {
  return fc
    .array(fc.oneof(fc.string(), fc.constantFrom(...pieces), fc.nat().map(String)), {
      maxLength: 30,
    })
    .map((parts) => parts.join(''));
}

describe('the parsers we own, fuzzed', () => {
  it('the env dump (env -0) never throws, and keeps every entry it can represent', () => {
    const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/);
    const entry = fc.oneof(
      fc.uint8Array({ maxLength: 40 }),
      fc
        .tuple(name, fc.string({ unit: 'grapheme', maxLength: 20 }))
        .map(([n, v]) => Buffer.from(`${n}=${v.replaceAll('\0', '')}`)),
    );
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 12 }), (entries) => {
        const bytes = Buffer.concat(entries.flatMap((e) => [Buffer.from(e), Buffer.from([0])]));
        const parsed = parseEnvDump(bytes);
        for (const [key, value] of Object.entries(parsed.env)) {
          assert.ok(bytes.includes(Buffer.from(`${key}=${value}\0`)), key);
        }
      }),
      settings,
    );
  });

  it('the shell dump files fail only with our error, whatever bytes they hold', async () => {
    const dir = await tempDir('nixshell-fuzz-dump-');
    const files = ['env', 'functions', 'function-list', 'aliases', 'variables'];
    const content = fc.option(
      fc.oneof(
        fc.uint8Array({ maxLength: 60 }),
        textWith('PATH=/bin\0', 'declare -f ', 'declare -fx _nix_shell_x\n', 'alias ', '=').map(
          (text) => Buffer.from(text),
        ),
      ),
      { nil: undefined },
    );
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(content, { minLength: 5, maxLength: 5 }), async (contents) => {
          const run = path.join(dir, String(Math.random()).slice(2));
          await mkdir(run);
          for (const [i, file] of files.entries()) {
            const bytes = contents[i];
            if (bytes) await writeFile(path.join(run, file), bytes);
          }
          await onlyOurErrorsAsync(() => readShellDump(run, 'the fuzzed shell'));
        }),
        { ...settings, numRuns: 100 },
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('nixpkgs.lock.json fails only with our error, for any text or any JSON', () => {
    const lockLike = fc.record(
      {
        version: fc.oneof(fc.constant(1), fc.jsonValue()),
        original: fc.oneof(
          fc.record({
            type: fc.constantFrom('github', 'channel', 'git', 'x'),
            owner: fc.string(),
            repo: fc.string(),
            name: fc.string(),
            url: fc.string(),
            ref: fc.jsonValue(),
            rev: fc.jsonValue(),
          }),
          fc.jsonValue(),
        ),
        locked: fc.oneof(
          fc.record({
            type: fc.constantFrom('tarball', 'git', 'file'),
            url: fc.oneof(fc.webUrl({ withQueryParameters: true }), fc.string()),
            rev: fc.oneof(fc.stringMatching(/^[0-9a-f]{40}$/), fc.string()),
            narHash: fc.string(),
            lastModified: fc.oneof(fc.integer(), fc.double(), fc.jsonValue()),
          }),
          fc.jsonValue(),
        ),
        release: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    const text = fc.oneof(
      fc.string(),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      lockLike.map((value) => JSON.stringify(value)),
      // A lock cut short anywhere.
      fc
        .tuple(lockLike, fc.nat())
        .map(([value, cut]) => JSON.stringify(value).slice(0, cut))
        .map((value) => `\uFEFF${value}`),
    );
    fc.assert(
      fc.property(text, (input) => onlyOurErrors(() => parseLock(input))),
      // Deep JSON values make each run slow; fewer of them still cover every shape.
      { ...settings, numRuns: 100 },
    );
  });

  it("nix's error locations and summaries never throw", () => {
    const nixText = textWith(
      'error: ',
      '\n',
      '       at ',
      ':',
      '/home/u/p/shell.nix',
      '«string»',
      '«none»:0:',
      '… while evaluating',
      '\u001b[31;1m',
      '\u001b[0m',
      "(use '--show-trace' to show detailed location information)",
      ' at /nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-source/flake.nix:',
    );
    fc.assert(
      fc.property(nixText, (input) => {
        for (const location of locationsInText(input)) {
          assert.ok(Number.isInteger(location.line) && Number.isInteger(location.column));
        }
        assert.equal(typeof errorSummary(input), 'string');
      }),
      settings,
    );
  });

  it("the capture lock's holder and /proc's start time never throw", () => {
    const holderText = fc.oneof(
      fc.string(),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc
        .record(
          {
            pid: fc.oneof(fc.integer(), fc.double(), fc.jsonValue()),
            host: fc.jsonValue(),
            since: fc.oneof(fc.double(), fc.jsonValue()),
            identity: fc.oneof(
              fc.record({ startTime: fc.jsonValue(), bootId: fc.jsonValue() }),
              fc.jsonValue(),
            ),
            client: fc.jsonValue(),
          },
          { requiredKeys: [] },
        )
        .map((value) => JSON.stringify(value)),
    );
    fc.assert(
      fc.property(holderText, fc.string(), (text, stat) => {
        const holder = parseHolder(text);
        if (holder) assert.ok(Number.isSafeInteger(holder.pid));
        const start = statStartTime(stat);
        if (start !== undefined) assert.match(start, /^\d+$/);
      }),
      settings,
    );
  });

  it('the command line fails only with our error, for any arguments', () => {
    const word = fc.oneof(
      fc.string(),
      fc.constantFrom(
        'env',
        'status',
        'pin',
        'update',
        'show',
        'verify',
        'import',
        '--json',
        '--diff',
        '--file',
        '--arg',
        '--argstr',
        '-I',
        '--timeout',
        '--branch',
        '--channel',
        '--rev',
        '--from',
        '--dry-run',
        '--help',
        '-h',
        '--',
        '-',
        '--bogus',
        '--json=1',
      ),
    );
    fc.assert(
      fc.property(fc.array(word, { maxLength: 8 }), (argv) => {
        onlyOurErrors(() => parse(argv));
        onlyOurErrors(() => parsePin(['pin', ...argv]));
      }),
      settings,
    );
  });

  it('redact() never throws, and hides a query credential or a password', () => {
    const secret = fc.stringMatching(/^[A-Za-z0-9]{6,16}$/);
    const parameter = fc.constantFrom('access_token', 'token', 'private_token', 'api_key', 'auth');
    fc.assert(
      fc.property(fc.string(), secret, parameter, fc.webUrl(), (noise, value, name, url) => {
        redact(noise);
        const query = `${url}${url.includes('?') ? '&' : '?'}${name}=${value}`;
        assert.ok(!redact(`${noise} ${query} ${noise}`).includes(`=${value}`), query);
        const withPassword = url.replace('://', `://someone:${value}@`);
        assert.ok(!redact(withPassword).includes(`:${value}@`), withPassword);
      }),
      settings,
    );
  });
});
