// One start of a process that loads a file through the code cache, as the extension's entry
// does: prints how the cache was found and what the file exported, then saves the cache when
// asked. Usage: tsx codeCacheLoad.ts FILE [CACHE_DIR|-] [save]
import { createRequire } from 'node:module';
import { loadWithCodeCache } from '../../src/core/codeCache';

const [file = '', cacheDir = '-', save] = process.argv.slice(2);
const loaded = loadWithCodeCache(
  file,
  cacheDir === '-' ? undefined : cacheDir,
  createRequire(file),
);
if (save === 'save') await loaded.save();
process.stdout.write(JSON.stringify({ status: loaded.status, exports: loaded.exports }));
