// What a child prints, to lines: through the splitter every pipe and output file uses, split
// as readline splits, whatever the chunks; and through a file a child writes as it runs.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { LineSplitter } from '../../src/core/lines';
import { runInProcessGroup } from '../../src/core/process';

/** The lines of `chunks` as our splitter gives them. */
function split(chunks: readonly Buffer[]): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line));
  for (const chunk of chunks) splitter.write(chunk);
  splitter.end();
  return lines;
}

/** The lines of `chunks` as readline gives them. */
async function readlineLines(chunks: readonly Buffer[]): Promise<string[]> {
  const lines: string[] = [];
  const reader = createInterface({ input: Readable.from(chunks), crlfDelay: Infinity });
  for await (const line of reader) lines.push(line);
  return lines;
}

/** `text`'s bytes cut at the given offsets. */
function cut(text: string, offsets: readonly number[]): Buffer[] {
  const bytes = Buffer.from(text, 'utf8');
  const points = [...new Set(offsets.map((o) => o % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    if (point > start) chunks.push(bytes.subarray(start, point));
    start = Math.max(start, point);
  }
  return chunks;
}

describe('lines of output', () => {
  it('are the lines readline gives, however the text is cut into chunks', async () => {
    const piece = fc.constantFrom('a', 'é', '€', '😀', ' ', '\n', '\r', '\r\n', '@nix {"a":1}');
    await fc.assert(
      fc.asyncProperty(
        fc.array(piece, { maxLength: 40 }).map((pieces) => pieces.join('')),
        fc.array(fc.nat(), { maxLength: 8 }),
        async (text, offsets) => {
          const chunks = cut(text, offsets);
          assert.deepEqual(split(chunks), await readlineLines(chunks));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keep a `\\r\\n` cut between two chunks as one line break', () => {
    assert.deepEqual(split([Buffer.from('one\r'), Buffer.from('\ntwo')]), ['one', 'two']);
  });

  it('reach the caller from a file the child writes, its last unfinished line too, and leave no file', async () => {
    const before = await readdir(os.tmpdir());
    const lines: string[] = [];
    const result = await runInProcessGroup(
      'bash',
      [
        '-c',
        'readlink /proc/self/fd/2 >&2; for i in $(seq 3000); do echo "line $i" >&2; done; printf "last é" >&2; exit 3',
      ],
      {
        cwd: '/',
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
        stderrToFile: true,
        onStderrLine: (line) => lines.push(line),
      },
    );
    assert.equal(result.exitCode, 3);
    // A file of the scratch directories' pattern, already unlinked while the child wrote to it.
    assert.match(lines.shift() ?? '', /\/nixshell-\d+-[0-9a-f]{6} \(deleted\)$/);
    assert.equal(lines.length, 3001);
    assert.equal(lines[0], 'line 1');
    assert.equal(lines[2999], 'line 3000');
    assert.equal(lines[3000], 'last é');
    assert.match(result.stderrTail, /line 3000\nlast é$/);
    const left = (await readdir(os.tmpdir())).filter((name) => !before.includes(name));
    assert.deepEqual(left, []);
  });
});
