import { randomBytes } from 'node:crypto';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LineSplitter } from './lines';

/** How often a growing file is read: soon after output came, less often while none does. */
const quickestPollMs = 10;
const slowestPollMs = 100;
const chunkBytes = 1 << 16;

/**
 * A child's output through a temporary file instead of a pipe, read in lines as it grows. A
 * pipe wakes its reader on every write, and nix at `-vv` writes one message per file it
 * evaluates: thousands for a real project, which cost it a tenth of its time through a pipe
 * and almost nothing into a file. The file is unlinked once open, so nothing is left behind;
 * its name is a scratch directory's (`nixshell-PID-XXXXXX`), so that one left by a process
 * killed between the two is swept with those.
 */
export class OutputFile {
  private position = 0;
  private readonly buffer = Buffer.alloc(chunkBytes);
  private readonly lines: LineSplitter;
  private timer: NodeJS.Timeout | undefined;
  private following = true;
  private reading: Promise<void> = Promise.resolve();
  private pollMs = quickestPollMs;
  /** A read that failed while following: said by finish(), not lost. */
  private failure: Error | undefined;

  private constructor(
    private readonly handle: FileHandle,
    onLine: (line: string) => void,
  ) {
    this.lines = new LineSplitter(onLine);
  }

  /** Opens the file, for a child to write through `fd`, and starts following it. */
  static async create(onLine: (line: string) => void): Promise<OutputFile> {
    const file = path.join(
      os.tmpdir(),
      `nixshell-${process.pid}-${randomBytes(3).toString('hex')}`,
    );
    const handle = await open(file, 'wx+', 0o600);
    await unlink(file).catch(() => undefined);
    const output = new OutputFile(handle, onLine);
    output.schedule();
    return output;
  }

  /** What the child writes to: the handle's descriptor, shared with the child at spawn. */
  get fd(): number {
    return this.handle.fd;
  }

  /** Reads what is left and says the last line, unfinished or not; then closes the file. */
  async finish(): Promise<void> {
    this.stopFollowing();
    await this.reading;
    try {
      if (this.failure !== undefined) throw this.failure;
      await this.readAvailable();
    } catch (error) {
      await this.handle.close();
      throw error;
    }
    this.lines.end();
    await this.handle.close();
  }

  /** Closes the file without reading further (the child never started). */
  async discard(): Promise<void> {
    this.stopFollowing();
    await this.reading;
    await this.handle.close();
  }

  private stopFollowing(): void {
    this.following = false;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.reading = this.readAvailable().then(
        (grew) => {
          this.pollMs = grew ? quickestPollMs : Math.min(slowestPollMs, this.pollMs * 2);
          if (this.following) this.schedule();
        },
        (error: unknown) => {
          this.failure = error instanceof Error ? error : new Error(String(error));
        },
      );
    }, this.pollMs);
  }

  /** Reads from where the last read stopped to the end; whether anything was there. */
  private async readAvailable(): Promise<boolean> {
    let grew = false;
    for (;;) {
      const { bytesRead } = await this.handle.read(this.buffer, 0, chunkBytes, this.position);
      if (bytesRead === 0) return grew;
      grew = true;
      this.position += bytesRead;
      this.lines.write(this.buffer.subarray(0, bytesRead));
    }
  }
}
