import path from 'node:path';
import { watch } from 'chokidar';
import type { Disposable } from './events';
import { ignoredBelowInput } from './cache/inputs';
import type { Logger } from './logger';

export interface InputWatcher extends Disposable {
  /** Resolves once the initial scan is done (from then on every change is reported), or on dispose. */
  readonly ready: Promise<void>;
}

/**
 * Watches the inputs of an environment (files and directories; missing files are watched for
 * creation) and reports each changed path. Editors' atomic saves count as one change.
 */
export function watchInputs(
  paths: readonly string[],
  onChange: (file: string) => void,
  logger: Logger,
): InputWatcher {
  const inputs = new Set(paths);
  // chokidar asks about every path it visits, the inputs themselves too: an input named
  // `result-x.nix` is still watched; only what lies below a directory input is filtered.
  const ignored = (file: string) => !inputs.has(file) && ignoredBelowInput(path.basename(file));
  const watcher = watch([...paths], { ignoreInitial: true, atomic: true, ignored });
  watcher.on('all', (_event, file) => onChange(file));
  watcher.on('error', (error) => logger.warn(`watching inputs: ${String(error)}`));
  // A watcher closed before its scan ended will never be ready: nothing is left to wait for.
  let settle = () => {};
  const ready = new Promise<void>((resolve) => (settle = resolve));
  watcher.once('ready', settle);
  return {
    ready,
    dispose: () => {
      settle();
      watcher.close().catch((error: unknown) => logger.debug(`closing watcher: ${String(error)}`));
    },
  };
}
