// What a failed nix run becomes for the user: one line in words, never a log record.
import assert from 'node:assert/strict';
import { evaluationError } from '../../src/core/capture/failure';
import { untrustedSubstituter, type NixRun } from '../../src/core/capture/run';

function run(result: Partial<NixRun['result']>, errors: string[] = []): NixRun {
  return {
    result: { exitCode: 1, signal: undefined, stdout: '', stderrTail: '', ...result },
    readFiles: [],
    errors,
    warnings: [],
    locations: [],
  };
}

describe('a failed nix run', () => {
  it('says which signal killed nix (the OOM killer) when nix could say nothing', () => {
    const error = evaluationError(
      run({
        exitCode: undefined,
        signal: 'SIGKILL',
        stderrTail: '@nix {"action":"start","id":1,"level":3,"type":0,"text":"evaluating"}',
      }),
    );
    assert.equal(error.message, 'nix was killed by SIGKILL');
  });

  it('says so too when nix had logged errors before it was killed (a daemon relays build output as errors)', () => {
    const error = evaluationError(
      run({ exitCode: undefined, signal: 'SIGKILL' }, ["executing builder '/bin/bash'"]),
    );
    assert.equal(error.message, 'nix was killed by SIGKILL');
  });

  it("never makes a message of nix's internal-json records", () => {
    const error = evaluationError(
      run({ stderrTail: 'warning: something odd\n@nix {"action":"stop","id":122054380617729}' }),
    );
    assert.equal(error.message, 'warning: something odd');
  });
});

describe('a cache the nix daemon ignores', () => {
  it('is said in words, with what to change', () => {
    const warning = untrustedSubstituter(
      "warning: ignoring untrusted substituter 'https://cache.example.org', you are not a trusted user.",
    );
    assert.match(warning ?? '', /ignores the binary cache https:\/\/cache\.example\.org/);
    assert.match(warning ?? '', /trusted-substituters/);
    assert.equal(untrustedSubstituter('warning: Git tree is dirty'), undefined);
  });
});
