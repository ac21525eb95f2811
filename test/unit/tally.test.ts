import { strict as assert } from 'node:assert';
import { Tally, failuresIn } from '../../scripts/tally';

// A shortened spec-reporter run with one failure, as mocha prints it.
const mochaRun = `
  the session
    ✔ enters
    1) keeps the last good environment

  1 passing (3s)
  1 failing

  1) the session
       keeps the last good environment:
     AssertionError: expected 'a' to equal 'b'
      at Context.<anonymous> (test/nix/session.test.ts:10:5)

`;

describe('the test tally', () => {
  it('names a mocha failure by its suite, title and error, once', () => {
    const failures = failuresIn(mochaRun);
    assert.equal(failures.length, 1);
    assert.match(
      failures[0] ?? '',
      /1\) the session\n\s+keeps the last good environment:\n\s+AssertionError/,
    );
  });

  it('keeps the changed lines of a long assertion diff, past its first lines', () => {
    const unchanged = Array.from({ length: 30 }, (_, i) => `    NAME_${i}: 'same',`);
    const diff = `
  1 failing

  1) the host
       keeps process.env:
     AssertionError: process.env is left as it was
+ actual - expected
  {
${unchanged.join('\n')}
+   LATE: 'changed',
-   LATE: 'before',
  }
`;
    const [failure = ''] = failuresIn(diff);
    assert.match(failure, /^\+ {3}LATE: 'changed',$/m);
    assert.match(failure, /^- {3}LATE: 'before',$/m);
    assert.doesNotMatch(failure, /NAME_29/);
  });

  it("keeps the harness's ✗ lines", () => {
    assert.deepEqual(failuresIn('  ✔ opens\n  ✗ the status bar shows it\n'), [
      '✗ the status bar shows it',
    ]);
  });

  it('finds nothing in a run that passed', () => {
    assert.deepEqual(failuresIn('  ✔ enters\n\n  1 passing (3s)\n'), []);
  });

  it('ends the run with what failed, then the counts', () => {
    const tally = new Tally();
    tally.add(mochaRun, 1, 'test:nix');
    assert.match(tally.summary(), /^What failed:\n\[test:nix\] 1\) the session/);
    assert.equal(tally.line(), '1 passed, 1 failed, 0 skipped');
    const clean = new Tally();
    clean.add('  1 passing (1s)\n', 0);
    assert.equal(clean.summary(), '');
  });
});
