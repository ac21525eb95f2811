/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS extension, as VS Code loads one */
// A TEST FIXTURE STANDING IN FOR NIX IDE (jnoortheen.nix-ide); it is not Nix IDE and knows no
// Nix. The coexistence suite (test/integration/nixide.test.ts) installs it under that id, so
// that Nix Shell sees "Nix IDE is installed". Like Nix IDE it activates on Nix files, starts
// `nixd` found on the extension host's PATH (here the fake nixd, test/lsp/fakeNixd.ts, whose
// record says who started it), and registers a formatter for Nix.
const { spawn } = require('node:child_process');
const vscode = require('vscode');

exports.activate = (context) => {
  const server = spawn('nixd', [], {
    env: { ...process.env, NIXD_FIXTURE_CLIENT: 'nix-ide' },
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  server.on('error', (error) => console.error(`nix-ide stand-in: ${error.message}`));
  context.subscriptions.push(
    vscode.languages.registerDocumentFormattingEditProvider('nix', {
      provideDocumentFormattingEdits: () => [],
    }),
    { dispose: () => server.kill() },
  );
};
