// `nixshell`'s entry (dist/cli.cjs): runs the CLI (dist/cliBundle.cjs) through V8's code cache,
// as the extension's entry runs its bundle, so that from the second run on Node neither parses
// nor compiles it. Nix is a compiled program; without this, every run of ours would compile
// the JavaScript it runs first (about 15 ms of a capture's, 10 of a cache hit's).
import path from 'node:path';
import { defaultCacheDir } from './core/cacheHome';
import { loadWithCodeCache } from './core/codeCache';

// Node's own switch for its compile cache turns this one off too.
const cacheDir = process.env['NODE_DISABLE_COMPILE_CACHE']
  ? undefined
  : path.join(defaultCacheDir(), 'code-cache');
const cli = loadWithCodeCache(path.join(__dirname, 'cliBundle.cjs'), cacheDir, require);
if (cli.status === 'absent' || cli.status === 'rejected') {
  // Once the run is over, so that the cache holds all the code it ran.
  process.once('beforeExit', () => void cli.save());
}
