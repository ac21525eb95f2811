import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';

/**
 * Text in chunks to lines, as readline splits them (`\n`, `\r\n` or a lone `\r`), with UTF-8
 * characters that straddle two chunks kept whole. What a child prints goes through here, from
 * a pipe or from a file; readline itself would load six modules before the first nix starts.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  constructor(private readonly onLine: (line: string) => void) {}

  write(chunk: Buffer): void {
    const lines = (this.pending + this.decoder.write(chunk)).split(/\r\n|\n|\r(?!$)/);
    // The last piece is unfinished; a trailing `\r` waits, since a `\n` may follow.
    this.pending = lines.pop() ?? '';
    for (const line of lines) this.onLine(line);
  }

  /** The last line, if the text did not end with a line break. */
  end(): void {
    const rest = this.pending + this.decoder.end();
    this.pending = '';
    if (rest !== '') this.onLine(rest.endsWith('\r') ? rest.slice(0, -1) : rest);
  }
}

/** Each line of a stream, the last one too. */
export function forEachLine(stream: Readable, onLine: (line: string) => void): void {
  const lines = new LineSplitter(onLine);
  stream.on('data', (chunk: Buffer) => lines.write(chunk));
  stream.once('end', () => lines.end());
}
