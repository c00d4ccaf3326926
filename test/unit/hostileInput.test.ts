// What users hit and nothing checked: messages of the wrong shape from each webview, a 1 MB
// command line, and bytes that are not UTF-8 in comm and cmdline, on real processes.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import { readCommandLine, COMMAND_LINE_MAX_CHARS } from '../../src/proc/commandLine';
import { scanProcessTable } from '../../src/proc/processTable';
import { sampleProcess } from '../../src/proc/sampleProcess';
import { toSnapshot } from '../../src/core/processSnapshot';
import { parseFromDebugView } from '../../shared/protocol/debugView';
import { parseFromInspectPanel } from '../../shared/protocol/inspect';
import { escapeNotificationLinks } from '../../src/core/textEscapes';
import { expectOk, killAllChildren, startChild } from './helpers';

/** Shapes a page that renders untrusted text could post, none of which is a message of ours. */
const NOT_MESSAGES: unknown[] = [
  undefined,
  null,
  0,
  42,
  'ready',
  '{"type":"ready"}',
  true,
  [],
  [{ type: 'ready' }],
  {},
  { type: 'READY' },
  { type: ' ready' },
  { type: 'toString' },
  { type: '__proto__' },
  { type: 'constructor' },
  { type: 42 },
  { type: null },
  { type: ['ready'] },
  { type: { toString: () => 'ready' } },
  new Date(),
  () => ({ type: 'ready' }),
];

describe('messages of the wrong shape from the webviews', () => {
  it('parseFromInspectPanel drops everything that is not one of its three intents', () => {
    for (const message of NOT_MESSAGES) {
      assert.equal(parseFromInspectPanel(message), undefined, String(JSON.stringify(message) ?? message));
    }
    for (const message of [
      { type: 'export' },
      { type: 'export', format: 'CSV' },
      { type: 'export', format: 'xml' },
      { type: 'export', format: ['csv'] },
      { type: 'export', format: { valueOf: () => 'csv' } },
      { type: 'export', format: 'csv ', extra: '<img>' },
      { type: 'inspect', pid: 1, startTicks: 1 }, // the debug view's intent, not the panel's
      { type: 'pick', sessionId: 'x' },
    ]) {
      assert.equal(parseFromInspectPanel(message), undefined, JSON.stringify(message));
    }
  });

  it('parseFromInspectPanel keeps only the known fields of a good message', () => {
    assert.deepEqual(parseFromInspectPanel({ type: 'ready', extra: '<script>' }), { type: 'ready' });
    assert.deepEqual(parseFromInspectPanel({ type: 'copySnapshot', text: 'x'.repeat(1e6) }), { type: 'copySnapshot' });
    assert.deepEqual(parseFromInspectPanel({ type: 'export', format: 'json', path: '/etc/passwd' }), {
      type: 'export',
      format: 'json',
    });
  });

  it('parseFromDebugView drops bad shapes, PIDs that are not PIDs and oversized session ids', () => {
    for (const message of NOT_MESSAGES) {
      assert.equal(parseFromDebugView(message), undefined, String(JSON.stringify(message) ?? message));
    }
    for (const message of [
      { type: 'inspect' },
      { type: 'inspect', pid: '1234', startTicks: 5 },
      { type: 'inspect', pid: 0, startTicks: 5 },
      { type: 'inspect', pid: -1, startTicks: 5 },
      { type: 'inspect', pid: 1.5, startTicks: 5 },
      { type: 'inspect', pid: 2 ** 22 + 2, startTicks: 5 },
      { type: 'inspect', pid: Number.NaN, startTicks: 5 },
      { type: 'inspect', pid: Infinity, startTicks: 5 },
      { type: 'inspect', pid: 1234 },
      { type: 'inspect', pid: 1234, startTicks: -1 },
      { type: 'inspect', pid: 1234, startTicks: 1.5 },
      { type: 'inspect', pid: 1234, startTicks: '5' },
      { type: 'inspect', pid: 1234, startTicks: 2 ** 53 },
      { type: 'pick' },
      { type: 'pick', sessionId: 7 },
      { type: 'pick', sessionId: null },
      { type: 'pick', sessionId: 'x'.repeat(201) },
      { type: 'export', format: 'csv' }, // the panel's intent, not the view's
    ]) {
      assert.equal(parseFromDebugView(message), undefined, JSON.stringify(message));
    }
  });

  it('parseFromDebugView keeps only the known fields of a good message', () => {
    assert.deepEqual(parseFromDebugView({ type: 'inspect', pid: 1234, startTicks: 0, command: 'rm -rf /' }), {
      type: 'inspect',
      pid: 1234,
      startTicks: 0,
    });
    assert.deepEqual(parseFromDebugView({ type: 'pick', sessionId: 'a'.repeat(200), pid: 1 }), {
      type: 'pick',
      sessionId: 'a'.repeat(200),
    });
    assert.deepEqual(parseFromDebugView({ type: 'ready', x: 1 }), { type: 'ready' });
  });
});

/** /proc/PID/cmdline as this test reads it: bytes, NULs turned into spaces, decoded as UTF-8. */
function ownCommandLine(pid: number): string {
  const bytes = fs.readFileSync(`/proc/${pid}/cmdline`);
  return bytes.toString('utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
}

describe('real processes with unusual names and command lines', function () {
  this.timeout(20000);
  after(killAllChildren);

  it('a 1 MB command line is read, cut to COMMAND_LINE_MAX_CHARS with an ellipsis, everywhere it is shown', async () => {
    // One argument may hold at most 128 KiB (MAX_ARG_STRLEN): ten of 100 000 characters.
    const args = Array.from({ length: 10 }, (_, i) => String.fromCharCode(97 + i).repeat(100_000));
    const child = startChild('/usr/bin/python3', [
      '-c',
      'import sys; print("ready", flush=True); sys.stdin.read()',
      ...args,
    ]);
    await child.waitForLine('ready');
    const full = ownCommandLine(child.pid);
    assert.ok(full.length > 1_000_000, `the kernel kept ${full.length} characters`);

    const line = readCommandLine(`/proc/${child.pid}`);
    assert.equal(line.length, COMMAND_LINE_MAX_CHARS + 1);
    assert.equal(line, `${full.slice(0, COMMAND_LINE_MAX_CHARS)}…`);
    const row = expectOk(scanProcessTable()).find((candidate) => candidate.identity.pid === child.pid);
    assert.ok(row, 'the scan lists it');
    assert.equal(row.commandLine, line);
    const snapshot = toSnapshot(expectOk(sampleProcess(child.pid)));
    assert.equal(snapshot.commandLine, line);
    assert.ok(snapshot.resBytes > 0);
    await child.kill();
  });

  it('a command line just at the limit is kept whole, without an ellipsis', async () => {
    const python = '/usr/bin/python3';
    const script = 'import sys; print("ready", flush=True); sys.stdin.read()';
    const rest = COMMAND_LINE_MAX_CHARS - `${python} -c ${script} `.length;
    const child = startChild(python, ['-c', script, 'z'.repeat(rest)]);
    await child.waitForLine('ready');
    assert.equal(ownCommandLine(child.pid).length, COMMAND_LINE_MAX_CHARS);
    assert.equal(readCommandLine(`/proc/${child.pid}`), ownCommandLine(child.pid));
    await child.kill();
  });

  it('bytes that are not UTF-8 in comm and cmdline read as U+FFFD, and every figure is still there', async () => {
    // argv[0] and an argument with invalid UTF-8, and a comm with invalid UTF-8 set by the process.
    const script = [
      'import os, sys',
      'open("/proc/self/comm", "wb").write(b"pm\\xff\\xfe\\xc3(")',
      'print("ready", flush=True)',
      'sys.stdin.read()',
    ].join('\n');
    const launcher = `import os; os.execv("/usr/bin/python3", [b"py\\xff\\xfe", b"-c", ${JSON.stringify(script)}.encode(), b"arg\\xc3\\x28end"])`;
    const child = startChild('/usr/bin/python3', ['-c', launcher]);
    await child.waitForLine('ready');
    const commBytes = fs.readFileSync(`/proc/${child.pid}/comm`);
    assert.deepEqual(
      [...commBytes.subarray(0, 6)],
      [0x70, 0x6d, 0xff, 0xfe, 0xc3, 0x28],
      'the kernel kept the raw bytes',
    );
    const expectedName = commBytes.toString('utf8').replace(/\n$/, '');
    assert.ok(expectedName.includes('\uFFFD'));

    const sample = expectOk(sampleProcess(child.pid, { detail: true, mappings: true }));
    assert.equal(sample.name, expectedName, 'name from status, decoded as this test decodes comm');
    const snapshot = toSnapshot(sample);
    assert.equal(snapshot.commandLine, ownCommandLine(child.pid));
    assert.match(snapshot.commandLine, /^py\uFFFD\uFFFD -c .* arg\uFFFD\(end$/s);
    assert.ok('bytes' in snapshot.pss && 'kinds' in snapshot.mappings, 'the detail figures are read too');
    const row = expectOk(scanProcessTable()).find((candidate) => candidate.identity.pid === child.pid);
    assert.ok(row);
    assert.equal(row.name, expectedName, 'name from stat');
    assert.equal(row.commandLine, snapshot.commandLine);
    await child.kill();
  });
});

describe('process names in notifications', () => {
  it('a name cannot become a link, and still reads as typed', () => {
    const name = '[Open settings](command:workbench.action.openSettings)';
    const escaped = escapeNotificationLinks(name);
    // VS Code's notification link syntax: [text](https://…|command:…|file:…), nothing between ] and (.
    assert.doesNotMatch(escaped, /\]\(/);
    assert.equal(escaped.replace(/\u200b/g, ''), name);
  });
});
