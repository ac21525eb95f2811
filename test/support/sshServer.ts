import { chmod, mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';

export const sshd = '/usr/sbin/sshd';

export interface SshServer {
  /** What nix passes to ssh (NIX_SSHOPTS): the port, the client key, no known-hosts file. */
  readonly sshOpts: string;
  close(): Promise<void>;
}

/** A free TCP port on 127.0.0.1, as the kernel picks one. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/**
 * A real OpenSSH server on 127.0.0.1 and a port of its own, accepting only a key made here
 * (no password, no PAM), for the user the tests run as. It runs in the foreground as this
 * process's child, and `close` ends it.
 */
export async function startSshServer(dir: string): Promise<SshServer> {
  const key = (name: string) =>
    execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', path.join(dir, name)]);
  await Promise.all([key('host_key'), key('client_key')]);
  const authorized = path.join(dir, 'authorized_keys');
  await execa('cp', [path.join(dir, 'client_key.pub'), authorized]);
  await chmod(authorized, 0o600);
  // sshd run as root insists on its privilege separation directory.
  if (process.getuid?.() === 0) await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const port = await freePort();
  const config = path.join(dir, 'sshd_config');
  await writeFile(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${path.join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${authorized}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'PermitRootLogin prohibit-password',
      // The scratch directory is not root's alone.
      'StrictModes no',
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      '',
    ].join('\n'),
  );
  const server: ResultPromise = execa(sshd, ['-D', '-e', '-f', config], { reject: false });
  const started = Date.now();
  while (!(await listening(port))) {
    if (server.exitCode !== null || Date.now() - started > 10_000) {
      server.kill();
      const result = await server;
      throw new Error(`sshd did not start: ${String(result.stderr)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    sshOpts: [
      `-p ${port}`,
      `-i ${path.join(dir, 'client_key')}`,
      '-o UserKnownHostsFile=/dev/null',
      '-o StrictHostKeyChecking=no',
      '-o BatchMode=yes',
      '-o LogLevel=ERROR',
    ].join(' '),
    async close() {
      server.kill();
      await server;
    },
  };
}
