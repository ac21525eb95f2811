// `npm run demo`: the extension, packaged and installed as users get it, in a browser VS Code
// (code-server) on the sample project examples/hello. Prints the URL and serves until Ctrl-C.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../support/nixEnv';
import { ensureHarness, workbenchUrl } from './codeServer';
import { serveInstalledExtension } from './uiSmoke';

const port = Number(process.env['NIXSHELL_DEMO_PORT'] ?? 8080);
const workspace = path.join(repoRoot, 'examples/hello');

const harness = await ensureHarness();
const runDir = await mkdtemp(path.join(os.tmpdir(), 'nixshell-demo-'));
console.log('packaging and installing the extension…');
const server = await serveInstalledExtension(harness, runDir, workspace, { port });
const stop = () => {
  server.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
console.log(`
Nix Shell is running in VS Code (code-server) on the sample project ${workspace}.

  Open ${workbenchUrl(server.authority, workspace)}

Accept "Enter" in the notification (or F1 › "Nix: Enter Nix shell"), then open a terminal
and run \`hello\`. Logs: ${path.join(runDir, 'code-server.log')}. Press Ctrl-C to stop.
`);
await new Promise(() => undefined);
