// Test-only extension: each debugger type starts a real adapter from Debian's packages.
// debugpy is installed for /usr/bin/python3 only (the python3 first on PATH may be another one).
const { spawn } = require('child_process');
const vscode = require('vscode');

const LLDB = '/usr/bin/lldb-vscode-15';

const ADAPTERS = {
  'procmem-debugpy': () => new vscode.DebugAdapterExecutable('/usr/bin/python3', ['-m', 'debugpy.adapter']),
  'procmem-lldb': () => new vscode.DebugAdapterExecutable(LLDB, []),
  // The same real lldb-vscode, with its `process` event withheld: a debugger that never says
  // which process it runs, so Proc Memory has to find it in the process tree.
  'procmem-lldb-quiet': () =>
    new vscode.DebugAdapterInlineImplementation(
      new Relay(LLDB, (message) => (message.type === 'event' && message.event === 'process' ? undefined : message)),
    ),
  // The same real lldb-vscode, its `stopped` events without `threadId` (the DAP allows that):
  // which thread stopped has to be learnt from what VS Code asks next.
  'procmem-lldb-nothread': () =>
    new vscode.DebugAdapterInlineImplementation(
      new Relay(LLDB, (message) => {
        if (message.type === 'event' && message.event === 'stopped' && message.body) {
          delete message.body.threadId;
        }
        return message;
      }),
    ),
};

/** Relays DAP between VS Code and a real adapter process; `filter` may change or drop (undefined) what the adapter sends. */
class Relay {
  constructor(command, filter) {
    this.emitter = new vscode.EventEmitter();
    this.onDidSendMessage = this.emitter.event;
    this.child = spawn(command, [], { stdio: ['pipe', 'pipe', 'inherit'] });
    let buffer = Buffer.alloc(0);
    this.child.stdout.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const headerEnd = buffer.indexOf('\r\n\r\n');
        const length =
          headerEnd >= 0 ? Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, headerEnd).toString())?.[1]) : NaN;
        if (!(length >= 0) || buffer.length < headerEnd + 4 + length) {
          return;
        }
        const message = JSON.parse(buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8'));
        buffer = buffer.subarray(headerEnd + 4 + length);
        const passed = filter(message);
        if (passed) {
          this.emitter.fire(passed);
        }
      }
    });
  }
  handleMessage(message) {
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    this.child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.child.stdin.write(body);
  }
  dispose() {
    this.child.kill();
    this.emitter.dispose();
  }
}

function activate(context) {
  for (const [type, create] of Object.entries(ADAPTERS)) {
    context.subscriptions.push(
      vscode.debug.registerDebugAdapterDescriptorFactory(type, { createDebugAdapterDescriptor: () => create() }),
    );
  }
}

module.exports = { activate };
