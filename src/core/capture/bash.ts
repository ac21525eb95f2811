import path from 'node:path';
import type { Environment } from '../env/mutations';
import { isExecutableFile } from '../fs';
import type { DevEnv } from './devEnv';

/**
 * The bash to replay the shellHook with. The derivation's own builder comes first: it is the
 * bash the environment was made for, and on macOS it avoids /bin/bash 3.2, which lacks
 * associative arrays. Then bash on the user's PATH.
 */
export function findBash(devEnv: DevEnv | undefined, base: Environment): string {
  const fromNix = [devEnv?.variables['BASH']?.value, devEnv?.variables['builder']?.value].filter(
    (value): value is string => typeof value === 'string' && path.basename(value) === 'bash',
  );
  const fromPath = (base['PATH'] ?? '')
    .split(':')
    .filter((dir) => path.isAbsolute(dir))
    .map((dir) => path.join(dir, 'bash'));
  for (const candidate of [...fromNix, ...fromPath, '/bin/bash']) {
    if (isExecutableFile(candidate)) return candidate;
  }
  return 'bash';
}
