import { redact } from './redact';

/** The engine logs through this port; the editor backs it with a LogOutputChannel, the CLI with stderr. */
export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export type LogLevel = keyof Logger;

const levelRank: Record<LogLevel, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4 };

export const silentLogger: Logger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/**
 * A logger writing `level: message` lines to a stream, dropping those below `minimum`, with
 * credentials redacted.
 */
export function streamLogger(write: (line: string) => void, minimum: LogLevel): Logger {
  const at =
    (level: LogLevel) =>
    (message: string): void => {
      if (levelRank[level] >= levelRank[minimum]) write(`${level}: ${redact(message)}\n`);
    };
  return {
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  };
}
