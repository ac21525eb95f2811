import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  DocumentFormattingRequest,
  LanguageClient,
  RevealOutputChannelOn,
  State,
  type DocumentSelector,
  type DynamicFeature,
  type LanguageClientOptions,
  type StaticFeature,
} from 'vscode-languageclient/node';
import type { Origin } from './locate';
import {
  configurationAnswers,
  effectiveSettings,
  type ServerKind,
  type SettingsObject,
} from './serverSettings';

/** Everything a server start depends on; a change in any of it means a restart. */
export interface ServerLaunch {
  readonly kind: ServerKind;
  readonly command: string;
  readonly from: Origin;
  /** The project's environment: the server's whole environment, nothing inherited. */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly nixpkgsExpr: string | undefined;
}

/** What one server serves: a workspace folder, or the whole window when it has no folder. */
export interface ServerScope {
  readonly key: string;
  readonly folder: vscode.WorkspaceFolder | undefined;
}

// Formatting stays with Nix Shell's one formatter (formatter.ts), which hands a request to the
// server only when `nixShell.formatter` is `none`: two formatters for one language make VS Code
// ask the user to pick one.
const formattingMethods = new Set([
  'textDocument/formatting',
  'textDocument/rangeFormatting',
  'textDocument/onTypeFormatting',
]);

/** One language server process and its client: started once, never restarted in place. */
export class NixLanguageClient {
  private readonly client: LanguageClient;
  /** The settings the server gets: the user's, plus the pinned nixpkgs for nixd. */
  private readonly settings: () => Record<string, unknown>;

  constructor(
    readonly launch: ServerLaunch,
    scope: ServerScope,
    options: {
      readonly channel: vscode.LogOutputChannel;
      /** `nixShell.languageServerSettings` now, read at each request. */
      readonly userSettings: () => SettingsObject;
      readonly onStateChanged: () => void;
    },
  ) {
    const settings = () =>
      effectiveSettings(launch.kind, options.userSettings(), { nixpkgsExpr: launch.nixpkgsExpr });
    const clientOptions: LanguageClientOptions = {
      documentSelector: documentSelector(scope),
      ...(scope.folder ? { workspaceFolder: scope.folder } : {}),
      outputChannel: options.channel,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      middleware: {
        workspace: {
          configuration: (params) => configurationAnswers(params.items, settings()),
        },
      },
    };
    this.client = createClient(
      `Nix language server (${launch.kind}${scope.folder ? `, ${scope.folder.name}` : ''})`,
      // stdio with no arguments: how nixd and nil both speak LSP. `options.env` is passed to
      // spawn as it is (only Node modules get process.env merged in).
      { command: launch.command, options: { cwd: launch.cwd, env: { ...launch.env } } },
      clientOptions,
    );
    this.client.onDidChangeState(options.onStateChanged);
    this.settings = settings;
  }

  get running(): boolean {
    return this.client.state === State.Running;
  }

  start(): Promise<void> {
    return this.client.start();
  }

  /** nixd and nil both ask `workspace/configuration` again when told settings changed. */
  async settingsChanged(): Promise<void> {
    if (!this.running) return;
    await this.client.sendNotification(DidChangeConfigurationNotification.type, {
      settings: this.settings(),
    });
  }

  /** The server's own formatting (its `formatting.command`), for `nixShell.formatter: none`. */
  async format(
    document: vscode.TextDocument,
    options: vscode.FormattingOptions,
    token: vscode.CancellationToken,
  ): Promise<vscode.TextEdit[] | undefined> {
    if (!this.running) return undefined;
    const c2p = this.client.code2ProtocolConverter;
    const edits = await this.client.sendRequest(
      DocumentFormattingRequest.type,
      {
        textDocument: c2p.asTextDocumentIdentifier(document),
        options: c2p.asFormattingOptions(options, {}),
      },
      token,
    );
    return this.client.protocol2CodeConverter.asTextEdits(edits, token);
  }

  /** Shuts the server down (LSP shutdown and exit, killed if it does not comply). */
  dispose(): Promise<void> {
    return this.client.dispose(2000);
  }
}

function documentSelector(scope: ServerScope): DocumentSelector {
  if (!scope.folder) {
    return [
      { scheme: 'file', language: 'nix' },
      { scheme: 'untitled', language: 'nix' },
    ];
  }
  return [
    {
      scheme: 'file',
      language: 'nix',
      pattern: { baseUri: scope.folder.uri.toString(), pattern: '**/*' },
    },
  ];
}

/** A LanguageClient that leaves formatting out (see `formattingMethods`). */
function createClient(
  name: string,
  server: { command: string; options: { cwd: string; env: Record<string, string> } },
  options: LanguageClientOptions,
): LanguageClient {
  class ClientWithoutFormatting extends LanguageClient {
    // Called from LanguageClient's constructor for each built-in feature.
    override registerFeature(feature: StaticFeature | DynamicFeature<unknown>): void {
      const method = (feature as Partial<DynamicFeature<unknown>>).registrationType?.method;
      if (method !== undefined && formattingMethods.has(method)) return;
      super.registerFeature(feature);
    }
  }
  return new ClientWithoutFormatting('nixShellLanguageServer', name, server, options);
}
