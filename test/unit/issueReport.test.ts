// A bug of the extension is reported as one: the "new issue" page, filled in, without secrets.
import assert from 'node:assert/strict';
import { asNixShellError, NixShellError } from '../../src/core/errors';
import { issueUrl, newIssueUrl } from '../../src/core/issueReport';

describe('an internal error', () => {
  it('is what an unexpected exception becomes; our own errors and file errors keep their kind', () => {
    assert.equal(asNixShellError(new TypeError("cannot read 'x' of undefined")).kind, 'internal');
    assert.equal(asNixShellError('a string thrown').kind, 'internal');
    const ours = new NixShellError('evaluation', 'syntax error');
    assert.equal(asNixShellError(ours), ours);
    const eisdir = Object.assign(new Error('EISDIR'), { code: 'EISDIR', path: '/p/shell.nix' });
    assert.equal(asNixShellError(eisdir).kind, 'file-unusable');
  });

  it("opens the project's new-issue page with the version and the message, secrets redacted", () => {
    const url = new URL(
      issueUrl({
        version: '0.1.0',
        editor: 'Visual Studio Code 1.99.0',
        message: 'fetching https://user:hunter2@example.com/x?access_token=abc failed',
        stack: 'TypeError: at https://example.com/?private_token=def\n    at f (a.js:1:1)',
      }),
    );
    assert.equal(`${url.origin}${url.pathname}`, newIssueUrl);
    const title = url.searchParams.get('title') ?? '';
    const body = url.searchParams.get('body') ?? '';
    assert.match(title, /^Internal error: fetching https:\/\/\*\*\*@example\.com/);
    assert.match(body, /^Nix Shell 0\.1\.0, Visual Studio Code 1\.99\.0, /);
    assert.match(body, /access_token=\*\*\* failed/);
    assert.match(body, /private_token=\*\*\*/);
    assert.match(body, /at f \(a\.js:1:1\)/);
    for (const secret of ['hunter2', 'abc', 'def']) {
      assert.ok(!`${title}\n${body}`.includes(`=${secret}`) && !body.includes(`:${secret}@`));
    }
  });

  it('keeps the URL short enough for a browser, however long the stack', () => {
    const url = issueUrl({
      version: '0.1.0',
      editor: 'VS Code',
      message: 'm',
      stack: 'x'.repeat(100_000),
    });
    assert.ok(url.length < 8000, `${url.length} characters`);
  });
});
