// Bundles the extension (CommonJS, as VS Code loads it: a small entry that loads the main bundle
// through V8's code cache, and the language client in a bundle of its own loaded on demand),
// the CLI (likewise: a small entry with a shebang that loads its bundle through the code
// cache) and the integration tests (CommonJS, loaded by mocha inside the extension host).
import { chmod, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
};

const integrationTests = (await readdir('test/integration'))
  .filter((name) => name.endsWith('.ts'))
  .map((name) => path.join('test/integration', name));

// Modules of the extension that get a CommonJS bundle of their own next to its main bundle,
// loaded by their `await import()` only when needed. esbuild splits code only for ES modules,
// which VS Code does not load as extensions, so the split is done here: each such dynamic
// import becomes a require() of its bundle, and a static import of one is refused.
const lazyBundles = new Map([
  [path.resolve('src/vscode/language/nixClient.ts'), 'languageClient.cjs'],
]);
// What only those bundles may import: from anywhere else it would be back in the main bundle.
const lazyPackages = /^vscode-languageclient(\/|$)/;

/** @type {esbuild.Plugin} */
const lazyBundlesPlugin = {
  name: 'lazy-bundles',
  setup(build) {
    build.onResolve({ filter: /^\./ }, async (args) => {
      if (args.pluginData === lazyBundlesPlugin.name) return undefined;
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: lazyBundlesPlugin.name,
      });
      const bundle = lazyBundles.get(resolved.path);
      if (bundle === undefined) return undefined;
      if (args.kind !== 'dynamic-import') {
        return {
          errors: [{ text: `${args.path} is loaded on demand: import() it, do not import it` }],
        };
      }
      return { path: `./${bundle}`, external: true };
    });
    build.onResolve({ filter: lazyPackages }, (args) => ({
      errors: [{ text: `${args.path} is only for the bundles loaded on demand (lazyBundles)` }],
    }));
  },
};

// esbuild turns every `import * as vscode from 'vscode'` into a require() of VS Code's API and a
// copy of its hundreds of properties, one per importing module: 33 of them made up most of the
// time the bundle took to load in an extension host. Our modules import one ES module instead,
// which requires the API and copies it once.
const vscodeApi = 'nixshell:vscode-api';
/** @type {esbuild.Plugin} */
const oneVscodeImportPlugin = {
  name: 'one-vscode-import',
  setup(build) {
    build.onResolve({ filter: /^vscode$/ }, (args) =>
      args.importer === vscodeApi
        ? { path: 'vscode', external: true }
        : { path: vscodeApi, namespace: vscodeApi },
    );
    build.onLoad({ filter: /.*/, namespace: vscodeApi }, () => ({
      contents: "export * from 'vscode';",
      loader: 'js',
    }));
  },
};

const builds = [
  {
    // The entry VS Code loads: it loads the bundle below through V8's code cache.
    ...common,
    entryPoints: ['src/extensionLoader.ts'],
    outfile: 'dist/extension.cjs',
    format: 'cjs',
    external: ['vscode'],
  },
  {
    ...common,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extensionBundle.cjs',
    format: 'cjs',
    plugins: [oneVscodeImportPlugin, lazyBundlesPlugin],
    // Loaded with require() as the extension itself is, not through Node's ES module loader.
    supported: { 'dynamic-import': false },
  },
  ...[...lazyBundles].map(([entry, bundle]) => ({
    ...common,
    entryPoints: [entry],
    outfile: `dist/${bundle}`,
    format: 'cjs',
    plugins: [oneVscodeImportPlugin],
  })),
  {
    // The `nixshell` command: it loads the bundle below through V8's code cache.
    ...common,
    entryPoints: ['src/cliLoader.ts'],
    outfile: 'dist/cli.cjs',
    format: 'cjs',
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    ...common,
    entryPoints: ['src/cli.ts'],
    outfile: 'dist/cliBundle.cjs',
    format: 'cjs',
    // One file, read through the code cache: what only a capture or `nixshell pin` needs is
    // still initialised on demand (esbuild wraps what is imported dynamically), but compiled
    // code for all of it comes from the cache.
    supported: { 'dynamic-import': false },
  },
  {
    ...common,
    minify: false,
    sourcemap: true,
    entryPoints: integrationTests,
    outdir: 'out/test/integration',
    outExtension: { '.js': '.cjs' },
    format: 'cjs',
    external: ['vscode', 'mocha'],
  },
  {
    // The fake nixd the language client tests start (a fixture; see its header).
    ...common,
    minify: false,
    entryPoints: ['test/lsp/fakeNixd.ts'],
    outfile: 'out/test/lsp/nixd.cjs',
    format: 'cjs',
  },
];

// Test bundles of deleted test files must not linger and run, nor the CLI's old chunks.
await rm('out/test/integration', { recursive: true, force: true });
await rm('dist/chunks', { recursive: true, force: true });
await rm('dist/cli.mjs', { force: true });
await rm('dist/cli.mjs.map', { force: true });

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
  await chmod('dist/cli.cjs', 0o755);
}
