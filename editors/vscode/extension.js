// Starts `nnetc lsp` for .nnet files; everything the editor shows about them comes from that server.
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

async function activate(context) {
  const command = vscode.workspace.getConfiguration('nnet').get('server.command', 'nnetc');
  // No `transport` key: with one, vscode-languageclient appends --stdio to the arguments. The server
  // accepts that too, but stdio is what an Executable without a transport means anyway.
  const serverOptions = { command, args: ['lsp'] };
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'nnet' },
      { scheme: 'untitled', language: 'nnet' },
    ],
  };
  client = new LanguageClient('nnet', 'nnet language server', serverOptions, clientOptions);
  context.subscriptions.push(client);
  await client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
