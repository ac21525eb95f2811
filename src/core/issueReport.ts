import { redact } from './redact';

export const newIssueUrl = 'https://github.com/nixshell/nixshell/issues/new';

/** What a bug report starts with; the reporter adds what they did. */
export interface IssueReport {
  readonly version: string;
  /** The editor and its version, e.g. `VS Code 1.99.0`. */
  readonly editor: string;
  readonly message: string;
  /** Where it happened (the exception's stack), when known. */
  readonly stack?: string | undefined;
}

// Browsers and GitHub refuse very long URLs; a stack's first lines say enough.
const maxStackChars = 3000;

/**
 * The project's "new issue" page with the title and body filled in. Every credential a URL in
 * the message or stack carries is redacted: the reporter sees the page before sending it, but
 * should never have to spot a token in it.
 */
export function issueUrl(report: IssueReport): string {
  const message = redact(report.message);
  const body = [
    `Nix Shell ${report.version}, ${report.editor}, ${process.platform}`,
    '',
    '**What happened**',
    '```',
    message,
    ...(report.stack ? ['', redact(report.stack).slice(0, maxStackChars)] : []),
    '```',
    '',
    '**What I did**',
    '',
  ].join('\n');
  const title = `Internal error: ${message.split('\n')[0]?.slice(0, 100) ?? ''}`;
  return `${newIssueUrl}?${new URLSearchParams({ title, body }).toString()}`;
}
