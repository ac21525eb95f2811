import { NixShellError } from '../errors';
import { httpDate } from './archiveHeader';
import type { PinContext } from './context';
import { redact } from '../redact';
import { revPattern } from './lockFile';
import { httpRequest, httpStatusError } from './http';

export interface ResolvedChannel {
  /** The release's own tarball URL, which never changes (the channel URL does). */
  readonly url: string;
  readonly rev: string;
  /** When the release was published (Last-Modified), in unix seconds, if the server says. */
  readonly published?: number;
}

export function channelUrl(channelsUrl: string, name: string): string {
  return `${channelsUrl}/${name}/nixexprs.tar.xz`;
}

/**
 * Follows `<channels>/<name>/nixexprs.tar.xz` to the release it currently redirects to
 * (`…/nixos-24.05.1234.abcdef0/nixexprs.tar.xz`) and reads the `git-revision` beside it, as
 * npins does. Only the final URL is immutable, so a channel that does not redirect is refused.
 */
export async function resolveChannel(name: string, context: PinContext): Promise<ResolvedChannel> {
  const start = channelUrl(context.sources.channelsUrl, name);
  let response = await httpRequest(start, {
    method: 'HEAD',
    redirect: 'follow',
    signal: context.signal,
  });
  if (response.status === 405 || response.status === 501) {
    response = await httpRequest(start, {
      method: 'GET',
      redirect: 'follow',
      signal: context.signal,
    });
    await response.body?.cancel();
  }
  if (response.status === 404) {
    throw new NixShellError('fetch-failed', `there is no channel ${name} at ${redact(start)}`);
  }
  if (!response.ok) throw httpStatusError(start, response);
  const url = response.url;
  if (url === start) {
    throw new NixShellError(
      'fetch-failed',
      `${redact(start)} did not redirect to a release; a moving tarball cannot be pinned`,
    );
  }
  const revisionUrl = new URL('git-revision', url).href;
  const revision = await httpRequest(revisionUrl, { redirect: 'follow', signal: context.signal });
  if (!revision.ok) throw httpStatusError(revisionUrl, revision);
  const rev = (await revision.text()).trim();
  if (!revPattern.test(rev)) {
    throw new NixShellError('fetch-failed', `${redact(revisionUrl)} does not hold a commit id`);
  }
  const published = httpDate(response.headers.get('last-modified'));
  context.logger.info(`channel ${name} is at ${url} (${rev})`);
  return { url, rev, ...(published === undefined ? {} : { published }) };
}

/**
 * `nixos-24.05` from `<channels>/nixos-24.05/nixexprs.tar.xz`, for imports of channel URLs; not
 * from a release's own URL (`…/nixos-24.05.1234.abcdef0/nixexprs.tar.xz`), which is no channel.
 */
export function channelNameFromUrl(url: string): string | undefined {
  const name = /\/([A-Za-z0-9._-]+)\/nixexprs\.tar\.xz$/.exec(url)?.[1];
  return name && !/(pre)?\d+\.[0-9a-f]{7,}$/.test(name) ? name : undefined;
}
