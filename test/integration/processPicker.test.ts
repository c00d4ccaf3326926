// The rows of the process picker, read in the real extension host.
import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as vscode from 'vscode';
import { scanProcessTable } from '../../src/proc/processTable';
import { toItems } from '../../src/processPicker';
import { Allocator, procMemoryApi, startAllocator, waitFor } from './helpers';

describe('process picker', function () {
  this.timeout(30000);
  let allocator: Allocator;

  before(async () => {
    allocator = await startAllocator(16, '$(bug) <b>x</b>');
  });

  after(() => allocator.kill());

  it('lists every process, largest RES first, with VS Code’s own marked', async () => {
    const table = scanProcessTable();
    assert.ok(table.ok);
    const items = toItems(table.value);
    assert.ok(items.length > 5);
    const resOf = new Map(table.value.map((row) => [row.identity.pid, row.resBytes]));
    const res = items.map((item) => resOf.get(item.identity.pid) as number);
    assert.deepEqual(
      res,
      [...res].sort((a, b) => b - a),
      'largest RES first',
    );
    assert.ok(
      items.every((item) => !table.value.find((row) => row.identity.pid === item.identity.pid)?.kernelThread),
      'no kernel threads',
    );
    const host = items.find((item) => item.identity.pid === process.pid);
    assert.ok(host, 'the extension host is listed');
    assert.match(host.label, /^\$\(vscode\) /);
    assert.match(host.description ?? '', /VS Code extension host/);
    const server = items.find((item) => item.identity.pid === process.ppid);
    assert.match(server?.description ?? '', / · VS Code$/, 'the server that runs the extension host');
    // Up the tree, the first process outside code-server is the test runner that started it.
    const byPid = new Map(table.value.map((row) => [row.identity.pid, row]));
    let runner = byPid.get(process.ppid);
    while (runner && runner.commandLine.includes('code-server')) {
      runner = byPid.get(runner.ppid);
    }
    assert.ok(runner, 'the test runner is an ancestor');
    assert.doesNotMatch(
      items.find((item) => item.identity.pid === runner?.identity.pid)?.description ?? '',
      /VS Code/,
      `not what started VS Code: ${runner.commandLine}`,
    );
    const ours = items.find((item) => item.identity.pid === allocator.pid);
    assert.ok(ours, 'a process started just now is listed');
    assert.match(
      ours.description ?? '',
      /started by VS Code/,
      `a child of the extension host counts as started by VS Code: ${ours.description}`,
    );
  });

  it('shows a hostile command line as text: no icons', async () => {
    const table = scanProcessTable();
    assert.ok(table.ok);
    const ours = toItems(table.value).find((item) => item.identity.pid === allocator.pid);
    assert.ok(ours?.detail?.startsWith('\\$(bug) <b>x</b>'), `detail: ${ours?.detail}`);
  });
});

describe('process picker with 5 000 processes', function () {
  this.timeout(180000);
  let crowd: ChildProcess | undefined;

  after(() => {
    // The shell's children are in its process group: end them all.
    if (crowd?.pid) {
      process.kill(-crowd.pid, 'SIGKILL');
    }
  });

  it('shows its first rows before the whole table is read, and stops when closed', async () => {
    const api = await procMemoryApi();
    crowd = spawn('bash', ['-c', 'for i in $(seq 5000); do sleep 600 & done; echo started; wait'], {
      detached: true,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    await new Promise<void>((resolve) =>
      crowd!.stdout!.on('data', (chunk: Buffer) => (chunk.toString().includes('started') ? resolve() : undefined)),
    );
    const table = scanProcessTable();
    assert.ok(table.ok && table.value.length >= 5000, `${table.ok ? table.value.length : 0} processes`);
    const picked = vscode.commands.executeCommand('procMemory.inspectProcess');
    const timings = await waitFor(
      'all the rows',
      () => (api.pickerTimings().allRowsMs !== undefined ? api.pickerTimings() : undefined),
      60000,
    );
    console.log(
      `[picker] ${table.value.length} processes: first rows after ${timings.firstRowsMs?.toFixed(1)} ms, all after ${timings.allRowsMs?.toFixed(1)} ms of host time`,
    );
    // Behaviour here; the 300 ms budget is a target of `npm run bench` (timings belong there).
    assert.ok(
      timings.firstRowsMs !== undefined && timings.firstRowsMs < timings.allRowsMs!,
      'the first rows come before the whole table',
    );
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.equal(await picked, undefined, 'closing the picker picks nothing');
  });
});
