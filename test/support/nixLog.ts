import { NixLogParser, type NixLogEvent } from '../../src/core/nix/log';

/** Every event the parser emits for these stderr lines. */
export function parseLog(lines: readonly string[]): NixLogEvent[] {
  const events: NixLogEvent[] = [];
  const parser = new NixLogParser((event) => events.push(event));
  for (const line of lines) parser.push(line);
  return events;
}

/** One internal-json log line, as nix writes it. */
export const jsonLine = (value: unknown): string => `@nix ${JSON.stringify(value)}`;
