// Test-only extension: each debugger type starts a real adapter from Debian's packages.
// debugpy is installed for /usr/bin/python3 only (the python3 first on PATH may be another one).
const vscode = require('vscode');

const ADAPTERS = {
  'procmem-debugpy': () => new vscode.DebugAdapterExecutable('/usr/bin/python3', ['-m', 'debugpy.adapter']),
  'procmem-lldb': () => new vscode.DebugAdapterExecutable('/usr/bin/lldb-vscode-15', []),
};

function activate(context) {
  for (const [type, create] of Object.entries(ADAPTERS)) {
    context.subscriptions.push(
      vscode.debug.registerDebugAdapterDescriptorFactory(type, { createDebugAdapterDescriptor: () => create() }),
    );
  }
}

module.exports = { activate };
