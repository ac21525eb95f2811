// The extension's entry (dist/extension.cjs): loads the bundle that holds everything else
// (dist/extensionBundle.cjs) through V8's code cache, so that from the second start on the
// extension host neither parses nor compiles it again.
import path from 'node:path';
import type * as vscode from 'vscode';
import { defaultCacheDir } from './core/cacheHome';
import { loadWithCodeCache } from './core/codeCache';
import type * as extension from './extension';

// Node's own switch for its compile cache turns this one off too.
const cacheDir = process.env['NODE_DISABLE_COMPILE_CACHE']
  ? undefined
  : path.join(defaultCacheDir(), 'code-cache');
const bundle = loadWithCodeCache(path.join(__dirname, 'extensionBundle.cjs'), cacheDir, require);
const { activate: activateBundle, deactivate: deactivateBundle } =
  bundle.exports as typeof extension;

/** After activation, so that the cache also holds the code activation compiled. */
const saveAfterActivationMs = 2000;

export function activate(context: vscode.ExtensionContext): ReturnType<typeof activateBundle> {
  const activation = activateBundle(context, { codeCache: bundle.status });
  if (bundle.status === 'absent' || bundle.status === 'rejected') {
    const save = () => setTimeout(() => void bundle.save(), saveAfterActivationMs).unref();
    activation.then(save, save);
  }
  return activation;
}

export const deactivate: typeof deactivateBundle = () => deactivateBundle();
