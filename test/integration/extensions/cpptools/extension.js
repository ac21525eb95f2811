// An inline debug adapter that answers every request with success and, once launched, ends
// the session: enough for VS Code to start a `cppdbg` session from a resolved configuration.
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- loaded as it is, unbundled, by the extension host */
const vscode = require('vscode');

class EndAtOnceAdapter {
  constructor() {
    this.sent = new vscode.EventEmitter();
    this.onDidSendMessage = this.sent.event;
    this.seq = 1;
  }

  send(message) {
    this.sent.fire({ seq: this.seq++, ...message });
  }

  handleMessage(request) {
    if (request.type !== 'request') return;
    this.send({
      type: 'response',
      request_seq: request.seq,
      command: request.command,
      success: true,
      body: request.command === 'initialize' ? {} : undefined,
    });
    if (request.command === 'initialize') this.send({ type: 'event', event: 'initialized' });
    if (request.command === 'launch') this.send({ type: 'event', event: 'terminated' });
  }

  dispose() {
    this.sent.dispose();
  }
}

exports.activate = (context) => {
  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory('cppdbg', {
      createDebugAdapterDescriptor: () =>
        new vscode.DebugAdapterInlineImplementation(new EndAtOnceAdapter()),
    }),
  );
};
