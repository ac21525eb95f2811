import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface StaticServer {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** Every request so far, as `METHOD /path STATUS`. */
  readonly requests: string[];
  close(): Promise<void>;
}

/**
 * Serves the files of `root` over HTTP on 127.0.0.1, as a plain web server (or nix-serve) serves
 * a binary cache: a binary cache is static files (`nix-cache-info`, `*.narinfo`, `nar/*`).
 */
export async function serveDirectory(root: string): Promise<StaticServer> {
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    const file = path.join(root, path.normalize(pathname));
    const inside = file.startsWith(`${root}${path.sep}`);
    void (inside ? readFile(file) : Promise.reject(new Error('outside')))
      .then((body) => {
        requests.push(`${request.method} ${pathname} 200`);
        response.writeHead(200, { 'content-length': body.length });
        response.end(request.method === 'HEAD' ? undefined : body);
      })
      .catch(() => {
        requests.push(`${request.method} ${pathname} 404`);
        response.writeHead(404).end();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
