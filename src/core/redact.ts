/**
 * Secrets that URLs carry, kept out of every message and log line: a password (`user:pw@`), an
 * http(s) user (often a token itself), and query parameters that hold credentials.
 */

/** A query parameter's name that says it holds a credential: `access_token`, `private_token`, `key`… */
export const secretParameterName =
  /(?:token|secret|password|passwd|auth|key|signature|credential)/i;

const parameter = new RegExp(
  `([?&;][^=&#\\s'"]*${secretParameterName.source}[^=&#\\s'"]*=)[^&#\\s'"]*`,
  'gi',
);
// scheme://userinfo@ — userinfo stops at `/`, `@` and whitespace.
const userinfo = /\b([a-z][a-z0-9+.-]*:\/\/)([^/@\s'"]*)@/gi;

/** The text with every credential a URL in it carries replaced by `***`. */
export function redact(text: string): string {
  return text
    .replace(userinfo, (match, scheme: string, info: string) =>
      // `ssh://git@host` names an account, not a secret; a password or an http(s) user is one.
      info.includes(':') || /https?:\/\/$/i.test(scheme) ? `${scheme}***@` : match,
    )
    .replace(parameter, '$1***');
}
