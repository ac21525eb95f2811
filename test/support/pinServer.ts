import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { FixtureNixpkgs } from './fixtureNixpkgs';

/** How long after its commit the fixture's channel publishes a release (its Last-Modified). */
export const releaseDelaySeconds = 6 * 3600;

export interface PinServer {
  /** `http://127.0.0.1:PORT`: both NIXSHELL_GITHUB_URL and NIXSHELL_CHANNELS_URL. */
  readonly url: string;
  /** Every request so far, as `METHOD /path`. */
  readonly requests: string[];
  /** Serves these bytes for a path from now on (the same URL giving a different tarball). */
  replace(pathname: string, body: Buffer): void;
  /** Goes down (connections cut, port closed) when the first request matching arrives. */
  stopOn(matches: (pathname: string) => boolean): void;
  /** Never answers requests matching (a stalled download), calling `onHeld` for each. */
  hold(matches: (pathname: string) => boolean, onHeld: () => void): void;
  close(): Promise<void>;
}

interface Reply {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer;
}

async function git(bare: string, args: string[]): Promise<Buffer> {
  const { stdout } = await execa('git', args, { cwd: bare, encoding: 'buffer' });
  return Buffer.from(stdout);
}

async function revParse(bare: string, rev: string): Promise<string | undefined> {
  const result = await execa('git', ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], {
    cwd: bare,
    reject: false,
  });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

function isUnstable(channel: string): boolean {
  return channel.includes('unstable');
}

/**
 * The fixture shaped like the real services, on 127.0.0.1:
 * - GitHub: `/NixOS/nixpkgs/archive/<rev>.tar.gz` (`git archive`, short revs too) and the
 *   repository itself over git's dumb HTTP protocol at `/NixOS/nixpkgs.git/`;
 * - channels: `/<branch>/nixexprs.tar.xz` answers 302 to
 *   `/releases/<branch>.<count>.<shortrev>/nixexprs.tar.xz` (with `.git-revision` and
 *   `.version-suffix` inside, as Hydra makes them), with `git-revision` beside it.
 */
export async function startPinServer(fixture: FixtureNixpkgs): Promise<PinServer> {
  const requests: string[] = [];
  const replaced = new Map<string, Buffer>();
  const sockets = new Set<Socket>();
  let stopMatcher: ((pathname: string) => boolean) | undefined;
  let held: { matches: (pathname: string) => boolean; onHeld: () => void } | undefined;

  const channelRelease = async (channel: string): Promise<string | undefined> => {
    const rev = await revParse(fixture.bare, `refs/heads/${channel}`);
    if (!rev) return undefined;
    const count = (await git(fixture.bare, ['rev-list', '--count', rev])).toString().trim();
    return `${channel}.${count}.${rev.slice(0, 7)}`;
  };

  const releaseTarball = async (release: string, rev: string): Promise<Buffer> => {
    const [, channel = '', count = ''] = /^(.*)\.(\d+)\.[0-9a-f]+$/.exec(release) ?? [];
    const extra = await mkdtemp(path.join(os.tmpdir(), 'nixshell-release-'));
    try {
      const short = rev.slice(0, 7);
      await writeFile(path.join(extra, '.git-revision'), rev);
      await writeFile(
        path.join(extra, '.version-suffix'),
        isUnstable(channel) ? `pre${count}.${short}` : `.${count}.${short}`,
      );
      const tar = await git(fixture.bare, [
        'archive',
        '--format=tar',
        `--prefix=${release}/`,
        `--add-file=${path.join(extra, '.git-revision')}`,
        `--add-file=${path.join(extra, '.version-suffix')}`,
        rev,
      ]);
      const { stdout } = await execa('xz', ['-c'], { input: tar, encoding: 'buffer' });
      return Buffer.from(stdout);
    } finally {
      await rm(extra, { recursive: true, force: true });
    }
  };

  const route = async (pathname: string): Promise<Reply> => {
    const own = replaced.get(pathname);
    if (own) return { status: 200, body: own };

    const archive = /^\/NixOS\/nixpkgs\/archive\/([0-9a-f]{4,40})\.tar\.gz$/.exec(pathname);
    if (archive?.[1]) {
      const rev = archive[1];
      if (!(await revParse(fixture.bare, rev))) return { status: 404 };
      const body = await git(fixture.bare, [
        'archive',
        '--format=tar.gz',
        `--prefix=nixpkgs-${rev}/`,
        rev,
      ]);
      return { status: 200, headers: { 'content-type': 'application/x-gzip' }, body };
    }

    if (pathname.startsWith('/NixOS/nixpkgs.git/')) {
      const file = path.join(fixture.root, path.normalize(pathname));
      if (!file.startsWith(fixture.bare)) return { status: 403 };
      try {
        return {
          status: 200,
          headers: { 'content-type': 'text/plain' },
          body: await readFile(file),
        };
      } catch {
        return { status: 404 };
      }
    }

    const channel = /^\/([A-Za-z0-9._-]+)\/nixexprs\.tar\.xz$/.exec(pathname)?.[1];
    if (channel) {
      const release = await channelRelease(channel);
      if (!release) return { status: 404 };
      return { status: 302, headers: { location: `/releases/${release}/nixexprs.tar.xz` } };
    }

    const releaseFile = /^\/releases\/([A-Za-z0-9._-]+)\/(nixexprs\.tar\.xz|git-revision)$/.exec(
      pathname,
    );
    if (releaseFile?.[1] && releaseFile[2]) {
      const [, release, file] = releaseFile;
      const short = /\.([0-9a-f]{7})$/.exec(release)?.[1];
      const rev = short ? await revParse(fixture.bare, short) : undefined;
      if (!rev) return { status: 404 };
      const published = (await fixture.commitTime(rev)) + releaseDelaySeconds;
      const headers = { 'last-modified': new Date(published * 1000).toUTCString() };
      if (file === 'git-revision') return { status: 200, headers, body: Buffer.from(`${rev}\n`) };
      return { status: 200, headers, body: await releaseTarball(release, rev) };
    }
    return { status: 404 };
  };

  const server = http.createServer((request, response) => {
    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    requests.push(`${request.method ?? 'GET'} ${pathname}`);
    if (stopMatcher?.(pathname)) {
      stopMatcher = undefined;
      void stop();
      return;
    }
    if (held?.matches(pathname)) {
      held.onHeld();
      return;
    }
    route(pathname).then(
      (reply) => {
        response.writeHead(reply.status, {
          ...reply.headers,
          ...(reply.body ? { 'content-length': String(reply.body.length) } : {}),
        });
        response.end(request.method === 'HEAD' ? undefined : reply.body);
      },
      (error: unknown) => {
        response.writeHead(500);
        response.end(String(error));
      },
    );
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    replace: (pathname, body) => replaced.set(pathname, body),
    stopOn: (matches) => {
      stopMatcher = matches;
    },
    hold: (matches, onHeld) => {
      held = { matches, onHeld };
    },
    close: () => (server.listening ? stop() : Promise.resolve()),
  };
}
