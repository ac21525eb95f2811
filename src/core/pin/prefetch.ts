import { NixShellError } from '../errors';
import { runInProcessGroup } from '../process';
import type { PinContext } from './context';
import { toSriSha256 } from './hashes';
import { redact } from '../redact';
import { nixTool, runTool } from './tools';

export interface FetchedTree {
  /** SRI sha256 of the tree's NAR. */
  readonly narHash: string;
  readonly storePath: string;
}

/**
 * Downloads a tarball, unpacks it into the store as `source` and hashes it, with nix's own
 * downloader (netrc, proxies and `access-tokens` apply). Without an expected hash
 * nix-prefetch-url always downloads and never consults the tarball cache, so this is also the
 * "re-fetch and check" of verify. The name `source` is the one `fetchTarball` uses, so the
 * result is the very store path the shim and flakes would produce.
 */
export async function prefetchTarball(url: string, context: PinContext): Promise<FetchedTree> {
  const stdout = await runTool(
    nixTool(context, 'nix-prefetch-url'),
    ['--unpack', '--name', 'source', '--type', 'sha256', '--print-path', url],
    context,
    { what: `downloading ${redact(url)}` },
  );
  const [hash, storePath] = stdout.trim().split('\n');
  if (!hash || !storePath?.startsWith('/')) {
    throw new NixShellError(
      'fetch-failed',
      `unexpected nix-prefetch-url output: ${stdout.slice(0, 200)}`,
    );
  }
  return { narHash: toSriSha256(hash.trim()), storePath: storePath.trim() };
}

/** Whether nix has this path registered (present and complete), asked without fetching. */
export async function isValidStorePath(storePath: string, context: PinContext): Promise<boolean> {
  const result = await runInProcessGroup(context.nix.nixStore, ['--check-validity', storePath], {
    cwd: '/',
    env: context.env,
    signal: context.signal,
    timeoutMs: 60_000,
  });
  return result.exitCode === 0;
}
