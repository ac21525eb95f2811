import { isValidName } from './variables';

export interface ParsedDump {
  readonly env: Record<string, string>;
  /** Entries that cannot be represented (invalid UTF-8, invalid names), for the log. */
  readonly dropped: readonly string[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses the output of `env -0`: NUL-separated `NAME=value` entries. Values keep every byte
 * (newlines, quotes, `=`, unicode); entries that are not valid UTF-8 or whose name a shell
 * cannot export are dropped and reported, never mangled.
 */
export function parseEnvDump(bytes: Uint8Array): ParsedDump {
  const env: Record<string, string> = {};
  const dropped: string[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0, start);
    if (end === -1) end = bytes.length;
    const entry = bytes.subarray(start, end);
    start = end + 1;
    if (entry.length === 0) continue;
    const equals = entry.indexOf(0x3d);
    const rawName = Buffer.from(entry.subarray(0, equals === -1 ? entry.length : equals));
    const name = rawName.toString('latin1');
    if (equals <= 0 || !isValidName(name)) {
      dropped.push(`${name}: not a valid variable name`);
      continue;
    }
    try {
      env[name] = utf8.decode(entry.subarray(equals + 1));
    } catch {
      dropped.push(`${name}: value is not valid UTF-8`);
    }
  }
  return { env, dropped };
}
