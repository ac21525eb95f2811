import * as vscode from 'vscode';
import type { Logger } from '../core/logger';
import { redact } from '../core/redact';

/**
 * The one log of the extension: a LogOutputChannel, so users pick the level they want. No
 * credential a URL carries is ever written to it.
 */
export function createLog(): { channel: vscode.LogOutputChannel; logger: Logger } {
  const channel = vscode.window.createOutputChannel('Nix Shell', { log: true });
  const logger: Logger = {
    trace: (message) => channel.trace(redact(message)),
    debug: (message) => channel.debug(redact(message)),
    info: (message) => channel.info(redact(message)),
    warn: (message) => channel.warn(redact(message)),
    error: (message) => channel.error(redact(message)),
  };
  return { channel, logger };
}

/** A logger that prefixes each line with the folder it is about (multi-root workspaces). */
export function folderLogger(logger: Logger, folder: string): Logger {
  const at = (message: string) => `[${folder}] ${message}`;
  return {
    trace: (message) => logger.trace(at(message)),
    debug: (message) => logger.debug(at(message)),
    info: (message) => logger.info(at(message)),
    warn: (message) => logger.warn(at(message)),
    error: (message) => logger.error(at(message)),
  };
}
