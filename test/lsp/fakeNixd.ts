// A TEST FIXTURE, NOT A LANGUAGE SERVER FOR NIX. It understands no Nix at all.
//
// It stands in for nixd in the integration tests (test/integration/language.*), which need
// a real LSP server process to check the client's plumbing: which executable is started,
// with what environment and working directory, what `workspace/configuration` answers it
// gets, and how often it is started. It talks LSP over stdio with no arguments and asks for
// the section `nixd` after `initialized` and after each `workspace/didChangeConfiguration`,
// as nixd does; everything else a real nixd does (evaluation, completion, diagnostics) is
// out of scope.
//
// It appends one JSON line per event to the file named by NIXD_FIXTURE_RECORD. That variable
// comes from the project's Nix environment (the fixture's shellHook), so a record at all proves
// the server got that environment. Built to out/test/lsp/nixd.cjs by scripts/build.mjs.
import { appendFileSync } from 'node:fs';
import {
  ConfigurationRequest,
  createConnection,
  TextDocumentSyncKind,
  type InitializeResult,
} from 'vscode-languageserver/node';

const recordFile = process.env['NIXD_FIXTURE_RECORD'];

function record(event: string, data: Record<string, unknown> = {}): void {
  // Appended synchronously: the record must be complete when the process is killed.
  if (recordFile) {
    appendFileSync(recordFile, `${JSON.stringify({ event, pid: process.pid, ...data })}\n`);
  }
}

record('start', { argv: process.argv, cwd: process.cwd(), env: process.env });

const connection = createConnection(process.stdin, process.stdout);

async function askForConfiguration(after: string): Promise<void> {
  const items = [{ section: 'nixd' }];
  const answer: unknown = await connection.sendRequest(ConfigurationRequest.type, { items });
  record('configuration', { after, items, answer });
}

connection.onInitialize((params): InitializeResult => {
  record('initialize', { workspaceFolders: params.workspaceFolders ?? null });
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Full,
      // Advertised so the tests can prove the client does not register it.
      documentFormattingProvider: true,
    },
    serverInfo: { name: 'fake-nixd (test fixture)' },
  };
});

connection.onInitialized(() => void askForConfiguration('initialized'));

connection.onDidChangeConfiguration((params) => {
  record('didChangeConfiguration', { settings: params.settings as unknown });
  void askForConfiguration('didChangeConfiguration');
});

connection.onDidOpenTextDocument((params) => record('didOpen', { uri: params.textDocument.uri }));

// A recognisable edit, not formatting: proves where a formatting request went.
connection.onDocumentFormatting((params) => {
  record('formatting', { uri: params.textDocument.uri });
  const start = { line: 0, character: 0 };
  return [{ range: { start, end: start }, newText: '# formatted by the fixture server\n' }];
});

connection.onShutdown(() => record('shutdown'));
connection.onExit(() => record('exit'));

connection.listen();
