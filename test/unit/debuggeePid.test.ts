// How each debugger's messages name the debugged process (src/debug/core/debuggeePid.ts). The
// messages are the shapes real adapters send (the integration suite runs js-debug, debugpy and
// lldb-vscode for real; CodeLLDB and the Java debugger are not installable here).
import * as assert from 'node:assert/strict';
import {
  isDebuggerCommand,
  pidFromAdapterMessage,
  pidFromConfiguration,
  pidFromSessionName,
  remoteHost,
  runsUnderDebugger,
} from '../../src/debug/core/debuggeePid';
import type { ProcessRow } from '../../src/proc/processTable';

describe('debuggee PID', () => {
  it('reads the DAP process event (debugpy, cppdbg, Delve, lldb-vscode)', () => {
    const event = {
      seq: 7,
      type: 'event',
      event: 'process',
      body: { name: '/tmp/sleeper', systemProcessId: 4242, isLocalProcess: true, startMethod: 'launch' },
    };
    assert.deepEqual(pidFromAdapterMessage(event), { pid: 4242, how: 'the debugger’s process event' });
  });

  it("reads Java's processid event and CodeLLDB's output", () => {
    assert.equal(
      pidFromAdapterMessage({ type: 'event', event: 'processid', body: { processId: 311, shellProcessId: 300 } })?.pid,
      311,
    );
    assert.equal(
      pidFromAdapterMessage({
        type: 'event',
        event: 'output',
        body: { category: 'console', output: "Launched process 5150 from '/tmp/a.out'\n" },
      })?.pid,
      5150,
    );
    assert.equal(
      pidFromAdapterMessage({ type: 'event', event: 'output', body: { output: 'Attached to process 77\n' } })?.pid,
      77,
    );
  });

  it('ignores everything else, and garbage', () => {
    for (const message of [
      { type: 'event', event: 'process', body: { name: 'remote', systemProcessId: 0 } },
      { type: 'event', event: 'process', body: { systemProcessId: -1 } },
      { type: 'event', event: 'process', body: { systemProcessId: '12; rm -rf /' } },
      { type: 'event', event: 'process', body: null },
      { type: 'response', command: 'launch', body: { systemProcessId: 5 } },
      { type: 'event', event: 'output', body: { output: 'the program launched process 12 times' } },
      { type: 'event', event: 'stopped', body: { threadId: 1 } },
      null,
      'process',
      42,
    ]) {
      assert.equal(pidFromAdapterMessage(message), undefined, JSON.stringify(message));
    }
  });

  it("reads js-debug's session names, children included", () => {
    assert.equal(pidFromSessionName('grow.js [18971]')?.pid, 18971);
    assert.equal(pidFromSessionName('grow.js [3519] « grow')?.pid, 3519);
    assert.equal(pidFromSessionName('Launch Program'), undefined);
    assert.equal(pidFromSessionName('[12] is not at the end of this name'), undefined);
  });

  it('reads attach arguments, not launch arguments', () => {
    assert.equal(pidFromConfiguration({ request: 'attach', processId: 99 })?.pid, 99);
    assert.equal(pidFromConfiguration({ request: 'attach', processId: '123' })?.pid, 123);
    assert.equal(pidFromConfiguration({ request: 'attach', pid: 7 })?.pid, 7);
    assert.equal(pidFromConfiguration({ request: 'attach', processId: '${command:pickProcess}' }), undefined);
    assert.equal(pidFromConfiguration({ request: 'launch', processId: 5 }), undefined);
  });

  it('knows an attach to another host is not on this machine', () => {
    assert.equal(remoteHost({ request: 'attach', host: 'build-box.example' }), 'build-box.example');
    assert.equal(remoteHost({ request: 'attach', connect: { host: '10.0.0.8', port: 5678 } }), '10.0.0.8');
    assert.equal(remoteHost({ request: 'attach', address: 'localhost', port: 9229 }), undefined);
    assert.equal(remoteHost({ request: 'launch' }), undefined);
  });

  it('tells debuggers and adapters from programs', () => {
    assert.ok(isDebuggerCommand('lldb-vscode-15', '/usr/bin/lldb-vscode-15'));
    assert.ok(isDebuggerCommand('python3', '/usr/bin/python3 -m debugpy.adapter'));
    assert.ok(isDebuggerCommand('node', '/usr/bin/node /ext/ms-vscode.js-debug/src/watchdog.js'));
    assert.ok(!isDebuggerCommand('python3', '/usr/bin/python3 server.py'));
    assert.ok(!isDebuggerCommand('node', 'node grow.js'));
  });

  it('tells a program a debugger launched from one VS Code started beside it', () => {
    const row = (pid: number, ppid: number, name: string, commandLine: string): ProcessRow => ({
      identity: { pid, startTicks: pid },
      ppid,
      uid: 0,
      name,
      commandLine,
      state: 'S',
      kernelThread: false,
      resBytes: 0,
      virtBytes: 0,
      shrBytes: 0,
    });
    const rows = [
      row(100, 1, 'node', 'node extensionHost'),
      row(200, 100, 'lldb-vscode-15', '/usr/bin/lldb-vscode-15'),
      row(300, 200, 'lldb-server', 'lldb-server gdbserver'),
      row(400, 300, 'quiet', '/tmp/quiet /tmp/quiet.pid'),
      row(500, 100, 'git', 'git status'),
      row(600, 500, 'git', 'git diff'),
      // A loop in the table (a PID reused mid-scan) must not hang it.
      row(700, 800, 'a', 'a'),
      row(800, 700, 'b', 'b'),
    ];
    const byPid = new Map(rows.map((each) => [each.identity.pid, each]));
    assert.ok(runsUnderDebugger(rows[3], byPid));
    assert.ok(!runsUnderDebugger(rows[4], byPid));
    assert.ok(!runsUnderDebugger(rows[5], byPid));
    assert.ok(!runsUnderDebugger(rows[6], byPid));
  });
});
