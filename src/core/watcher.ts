import path from 'node:path';
import { watch } from 'chokidar';
import type { Disposable } from './events';
import type { Logger } from './logger';

/** Trees below a watched directory whose changes never matter to an evaluation. */
const ignoredSegments = new Set(['.git', 'node_modules', '.direnv', 'outputs']);

/** Called for every path chokidar visits; ignoring a directory prunes its whole tree. */
function ignored(file: string): boolean {
  const name = path.basename(file);
  return ignoredSegments.has(name) || name === 'result' || name.startsWith('result-');
}

/**
 * Watches the inputs of an environment (files and directories; missing files are watched for
 * creation) and reports each changed path. Editors' atomic saves count as one change.
 */
export function watchInputs(
  paths: readonly string[],
  onChange: (file: string) => void,
  logger: Logger,
): Disposable {
  const watcher = watch([...paths], { ignoreInitial: true, atomic: true, ignored });
  watcher.on('all', (_event, file) => onChange(file));
  watcher.on('error', (error) => logger.warn(`watching inputs: ${String(error)}`));
  return {
    dispose: () => {
      watcher.close().catch((error: unknown) => logger.debug(`closing watcher: ${String(error)}`));
    },
  };
}
