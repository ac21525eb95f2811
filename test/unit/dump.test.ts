import assert from 'node:assert/strict';
import { parseEnvDump } from '../../src/core/env/dump';

const dump = (...entries: (string | Buffer)[]) =>
  Buffer.concat(
    entries.flatMap((e) => [Buffer.isBuffer(e) ? e : Buffer.from(e), Buffer.from([0])]),
  );

describe('env -0 dumps', () => {
  it('keep every byte of a value: newlines, =, quotes, unicode, empty', () => {
    const parsed = parseEnvDump(dump('A=x\ny', 'B=a=b', 'C=\'"$`\\\t', 'D=é✓', 'E='));
    assert.deepEqual(parsed.env, { A: 'x\ny', B: 'a=b', C: '\'"$`\\\t', D: 'é✓', E: '' });
    assert.deepEqual(parsed.dropped, []);
  });

  it('do not turn a value that looks like an assignment into a variable', () => {
    const parsed = parseEnvDump(dump('A=1\ndeclare -x EVIL=1\nX=$(y)'));
    assert.deepEqual(Object.keys(parsed.env), ['A']);
  });

  it('drop invalid names and invalid UTF-8, saying why', () => {
    const invalid = Buffer.concat([Buffer.from('BAD='), Buffer.from([0xff, 0xfe])]);
    const parsed = parseEnvDump(dump('foo-bar=1', invalid, 'OK=1', '=nameless'));
    assert.deepEqual(parsed.env, { OK: '1' });
    assert.equal(parsed.dropped.length, 3);
    assert.match(parsed.dropped.join('\n'), /BAD: value is not valid UTF-8/);
    assert.match(parsed.dropped.join('\n'), /foo-bar: not a valid variable name/);
  });

  it('accept a dump without a trailing NUL', () => {
    assert.deepEqual(parseEnvDump(Buffer.from('A=1\0B=2')).env, { A: '1', B: '2' });
  });
});
