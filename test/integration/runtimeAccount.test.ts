// The runtime's own account of RES at a stop, against real debug adapters: js-debug, debugpy and
// lldb-vscode-15. Each program writes what it itself reports (process.memoryUsage(), mallinfo2(),
// sys.getallocatedblocks()) to a file on the line before the stop, in the same frame; the account
// Proc Memory reads through the debugger is compared with it.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Stop } from '../../src/debug/debugStops';
import { unquoteResult } from '../../src/debug/runtime/evaluateAtStop';
import { stopAccount } from '../../src/debug/core/runtimeAnswer';
import type { ProcMemoryApi } from '../../src/extension';
import { DebugSessionsStarted, startDebuggee } from './debuggees';
import type { AccountTermKey, RuntimeAccount, StopAccount } from '../../shared/runtimeAccount';
import { MiB } from '../../shared/units';
import { procMemoryApi, setSetting, statmBytes, waitFor } from './helpers';

/** DAP messages an adapter sent, per session: what the Debug Console would show, and our evaluations. */
const sent = new Map<string, { output: { category?: string; output?: string }[] }>();

function term(account: RuntimeAccount, key: AccountTermKey): number {
  const found = account.terms.find((candidate) => candidate.key === key);
  assert.ok(found, `the account has ${key}: ${JSON.stringify(account.terms)}`);
  return found.bytes;
}

/** Rss of the program file and its shared libraries, from the test's own read of /proc/PID/smaps. */
function codeRss(pid: number): number {
  const exe = readlinkSync(`/proc/${pid}/exe`);
  let path = '';
  let kib = 0;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      path = header[1];
    } else if (line.startsWith('Rss:') && (path === exe || /\.so(\.|$)/.test(path))) {
      kib += Number(/(\d+) kB/.exec(line)![1]);
    }
  }
  return kib * 1024;
}

function readReport(file: string): Record<string, number> | undefined {
  if (!existsSync(file)) {
    return undefined;
  }
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
  } catch {
    return undefined; // still being written
  }
}

describe('the runtime’s own account at a stop, with real debuggers', function () {
  this.timeout(180000);
  let api: ProcMemoryApi;
  let dir: string;
  let sessions: DebugSessionsStarted;
  const listeners: vscode.Disposable[] = [];

  before(async () => {
    api = await procMemoryApi();
    dir = mkdtempSync(path.join(os.tmpdir(), 'proc-memory-account-'));
    sessions = new DebugSessionsStarted();
    listeners.push(
      vscode.debug.registerDebugAdapterTrackerFactory('*', {
        createDebugAdapterTracker: (session) => {
          const record = { output: [] as { category?: string; output?: string }[] };
          sent.set(session.id, record);
          return {
            onDidSendMessage: (message: {
              type?: string;
              event?: string;
              body?: { category?: string; output?: string };
            }) => {
              if (message.type === 'event' && message.event === 'output') {
                record.output.push(message.body ?? {});
              }
            },
          };
        },
      }),
    );
  });

  after(async () => {
    await setSetting('runtimeAccount.enabled', undefined);
    sessions.dispose();
    listeners.forEach((listener) => listener.dispose());
    rmSync(dir, { recursive: true, force: true });
  });

  afterEach(() => sessions.endAll());

  /** Starts a program; returns its PID and its session, once it has written its PID. */
  async function start(configuration: vscode.DebugConfiguration, pidFile: string) {
    const { pid, session } = await startDebuggee(api, configuration, pidFile);
    return { pid, sessionId: session.id, session };
  }

  /** The n-th stop (0-based) once its account is settled (answered or not) and its smaps read. */
  async function settledStop(sessionId: string, index: number): Promise<{ stop: Stop; account: StopAccount }> {
    return waitFor(
      `stop ${index + 1} with its account`,
      () => {
        const stop = api.debugStops.stopsOf(sessionId)[index];
        const account = stop && stopAccount(stop);
        return stop?.mappings && stop.place && account && account.status !== 'pending' ? { stop, account } : undefined;
      },
      60000,
    );
  }

  function accountOf(settled: { account: StopAccount }): RuntimeAccount {
    assert.equal(settled.account.status, 'ok', JSON.stringify(settled.account));
    return (settled.account as { account: RuntimeAccount }).account;
  }

  /** Nothing of ours in the Debug Console: no output event at all from the first stop on (the programs print nothing). */
  function assertQuietConsole(sessionId: string, before: number): void {
    const output = (sent.get(sessionId)?.output ?? []).slice(before).filter((event) => event.category !== 'telemetry');
    assert.deepEqual(output, [], 'the Debug Console shows nothing of ours');
  }

  it('Python (debugpy): blocks and malloc as the program reports them; freed small chunks show as free but kept while RES stays; no new names, nothing printed', async () => {
    const program = path.join(dir, 'account.py');
    const pidFile = path.join(dir, 'account-py.pid');
    const report = path.join(dir, 'account-py');
    writeFileSync(
      program,
      [
        'import ctypes, json, os, sys',
        'open(sys.argv[1], "w").write(str(os.getpid()))',
        'class M(ctypes.Structure): _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]',
        'libc = ctypes.CDLL(None); libc.mallinfo2.restype = M',
        'def report(path):',
        '    m = libc.mallinfo2(); blocks = sys.getallocatedblocks(); names = sorted(globals())',
        '    open(path, "w").write(json.dumps({"blocks": blocks, "uordblks": m.uordblks, "hblkhd": m.hblkhd, "fordblks": m.fordblks, "names": names}))',
        "held = [bytes(1000) for _ in range(100000)]  # 100 000 chunks of ~1 KiB from malloc (above pymalloc's 512 B)",
        'report(sys.argv[2] + ".1")',
        'first = 1',
        'del held[::2]  # every other chunk freed: the holes stay with malloc',
        'report(sys.argv[2] + ".2")',
        'second = 2',
        'import time; time.sleep(120)',
        '',
      ].join('\n'),
    );
    const uri = vscode.Uri.file(program);
    vscode.debug.addBreakpoints(
      [10, 13].map((line) => new vscode.SourceBreakpoint(new vscode.Location(uri, new vscode.Position(line - 1, 0)))),
    );
    const { pid, sessionId, session } = await start(
      {
        type: 'procmem-debugpy',
        request: 'launch',
        name: 'account.py',
        program,
        args: [pidFile, report],
        python: '/usr/bin/python3',
        console: 'internalConsole',
      },
      pidFile,
    );
    const outputAtStart = sent.get(sessionId)?.output.length ?? 0;
    const first = await settledStop(sessionId, 0);
    const a1 = accountOf(first);
    const r1 = await waitFor('the program’s own report at the first stop', () => readReport(`${report}.1`));
    assert.equal(a1.runtime, 'python');
    const blocks1 = Number(a1.facts.find((fact) => fact.label === 'Allocated blocks')?.value.replace(/,/g, ''));
    assert.ok(Math.abs(blocks1 - r1.blocks) <= 2000, `allocated blocks: ours ${blocks1}, the program's ${r1.blocks}`);
    assert.ok(
      Math.abs(term(a1, 'mallocInUse') - (r1.uordblks + r1.hblkhd)) <= 1 * MiB,
      `in use by malloc: ours ${term(a1, 'mallocInUse')}, the program's ${r1.uordblks + r1.hblkhd}`,
    );
    assert.ok(
      Math.abs(term(a1, 'mallocFreeKept') - r1.fordblks) <= 1 * MiB,
      `free but kept: ours ${term(a1, 'mallocFreeKept')}, the program's ${r1.fordblks}`,
    );
    const sum = a1.terms.reduce((total, part) => total + part.bytes, 0);
    assert.equal(sum, a1.resBytes, 'the terms with the rest add up to RES');
    assert.equal(a1.resBytes, first.stop.reading!.resBytes);

    // The frame has no new name after the stop: the names the program listed itself, just before.
    const frame = (await session.customRequest('stackTrace', { threadId: first.stop.threadId, levels: 1 })) as {
      stackFrames: { id: number }[];
    };
    const names = (await session.customRequest('evaluate', {
      expression: "__import__('json').dumps(sorted(globals()))",
      frameId: frame.stackFrames[0].id,
      context: 'clipboard',
    })) as { result: string };
    assert.deepEqual(JSON.parse(unquoteResult(names.result) ?? ''), r1.names);

    await vscode.commands.executeCommand('workbench.action.debug.continue');
    const second = await settledStop(sessionId, 1);
    const a2 = accountOf(second);
    const r2 = await waitFor('the program’s own report at the second stop', () => readReport(`${report}.2`));
    assert.ok(
      Math.abs(term(a2, 'mallocFreeKept') - r2.fordblks) <= 1 * MiB,
      `free but kept: ours ${term(a2, 'mallocFreeKept')}, the program's ${r2.fordblks}`,
    );
    const freedKept = term(a2, 'mallocFreeKept') - term(a1, 'mallocFreeKept');
    const resChange = a2.resBytes - a1.resBytes;
    assert.ok(freedKept >= 40 * MiB, `free but kept by malloc rose by ${freedKept}`);
    assert.ok(Math.abs(resChange) <= 8 * MiB, `RES stayed (changed by ${resChange})`);
    assert.ok(Math.abs(second.stop.reading!.resBytes - statmBytes(pid).res) <= 1 * MiB);

    // The comparison between the stops carries the change of each term.
    const comparison = await waitFor('the comparison with the account', () => {
      const value = api.debugStops.comparison(sessionId);
      return value && 'account' in value && value.account ? value.account : undefined;
    });
    assert.equal(comparison.terms.find((change) => change.key === 'mallocFreeKept')?.bytes, freedKept);
    // The stops list carries it too.
    const row = api.debugStops.rows(sessionId)[0];
    assert.equal(row.account?.status, 'ok');
    assertQuietConsole(sessionId, outputAtStart);
    console.log(`[account] python: ${JSON.stringify(a2.terms)} free-but-kept +${freedKept} RES ${resChange}`);
  });

  it('Node (js-debug): process.memoryUsage() as the program reports it, in an account that adds up', async () => {
    const program = path.join(dir, 'account.js');
    const pidFile = path.join(dir, 'account-js.pid');
    const report = path.join(dir, 'account-js');
    writeFileSync(
      program,
      [
        "const fs = require('fs'); fs.writeFileSync(process.argv[2], String(process.pid));",
        'const held = [Buffer.alloc(64 * 1024 * 1024, 1)];',
        'const report = (file) => fs.writeFileSync(file, JSON.stringify({ ...process.memoryUsage(), names: Object.keys(globalThis).sort() }));',
        "report(process.argv[3] + '.1');",
        'debugger; // first stop',
        'setInterval(() => held.length, 1000);',
      ].join('\n'),
    );
    const { sessionId, session } = await start(
      {
        type: 'node',
        request: 'launch',
        name: 'account.js',
        program,
        args: [pidFile, report],
        console: 'internalConsole',
      },
      pidFile,
    );
    const outputAtStart = sent.get(sessionId)?.output.length ?? 0;
    const first = await settledStop(sessionId, 0);
    const account = accountOf(first);
    const reported = await waitFor('the program’s own report', () => readReport(`${report}.1`));
    assert.equal(account.runtime, 'node');
    assert.ok(
      Math.abs(term(account, 'external') - reported.external) <= 1 * MiB,
      `external: ours ${term(account, 'external')}, the program's ${reported.external}`,
    );
    assert.ok(term(account, 'external') >= 64 * MiB);
    const heap = account.terms.find((part) => part.key === 'jsHeap')!;
    const used = Number(/^([\d.]+) MiB used/.exec(heap.detail ?? '')?.[1]) * MiB;
    assert.ok(
      Math.abs(used - reported.heapUsed) <= 2 * MiB,
      `heap used: ours ${heap.detail}, the program's ${reported.heapUsed}`,
    );
    assert.equal(
      account.terms.reduce((total, part) => total + part.bytes, 0),
      account.resBytes,
    );
    // No new global after our evaluation.
    const frame = (await session.customRequest('stackTrace', { threadId: first.stop.threadId, levels: 1 })) as {
      stackFrames: { id: number }[];
    };
    const names = (await session.customRequest('evaluate', {
      expression: 'JSON.stringify(Object.keys(globalThis).sort())',
      frameId: frame.stackFrames[0].id,
      context: 'clipboard',
    })) as { result: string };
    assert.deepEqual(JSON.parse(unquoteResult(names.result) ?? ''), reported.names);
    // Where a screen reader gets the tip: a hover on the stopped line (Show Hover from the keyboard, at
    // the cursor) and the status bar item's accessibility label while the process shown is stopped.
    const line = first.stop.place!.line;
    const hoverText = await waitFor('the hover provider’s answer', () =>
      api.stopTipAccess.hoverAt(vscode.Uri.file(program), line),
    );
    assert.match(hoverText, /\*\*Memory at this stop\*\*/);
    assert.match(hoverText, /The runtime’s own account of RES\*\* \(Node \(V8\)\)/);
    const provided = (await vscode.commands.executeCommand(
      'vscode.executeHoverProvider',
      vscode.Uri.file(program),
      new vscode.Position(line, 0),
    )) as vscode.Hover[];
    const texts = provided.flatMap((hover) =>
      hover.contents.map((content) => (typeof content === 'string' ? content : content.value)),
    );
    assert.ok(
      texts.some((text) => text.includes('The runtime’s own account of RES')),
      `hovers at the stopped line: ${JSON.stringify(texts)}`,
    );
    const spoken = await waitFor('the status bar’s accessibility label with the stop', () =>
      api.statusBar.accessibilityLabel?.includes('stopped at account.js line 5')
        ? api.statusBar.accessibilityLabel
        : undefined,
    );
    assert.match(spoken, /RES [\d.]+ MiB · paused on debugger statement\. RES [\d.]+ MiB: JS heap /);
    // js-debug's own getPerformance while paused, for the record: the account does not use it.
    const performance = await Promise.race([
      Promise.resolve(session.customRequest('getPerformance')).then(
        (body) => `answered ${JSON.stringify(body).slice(0, 300)}`,
        (error: unknown) => `refused: ${String(error)}`,
      ),
      new Promise((resolve) => setTimeout(() => resolve('no answer within 3 s'), 3000)),
    ]);
    console.log(`[account] js-debug getPerformance while paused: ${String(performance)}`);
    assertQuietConsole(sessionId, outputAtStart);
    console.log(`[account] node: ${JSON.stringify(account.terms)}`);
  });

  it('Node (js-debug) in an ES module frame, where there is no require: the account still comes', async () => {
    const program = path.join(dir, 'account.mjs');
    const pidFile = path.join(dir, 'account-mjs.pid');
    const report = path.join(dir, 'account-mjs');
    writeFileSync(
      program,
      [
        "import { writeFileSync } from 'node:fs';",
        'writeFileSync(process.argv[2], String(process.pid));',
        'const held = [new ArrayBuffer(32 * 1024 * 1024)];',
        'writeFileSync(process.argv[3], JSON.stringify({ ...process.memoryUsage(), require: typeof require }));',
        'debugger; // first stop',
        'setInterval(() => held.length, 1000);',
      ].join('\n'),
    );
    const { sessionId } = await start(
      {
        type: 'node',
        request: 'launch',
        name: 'account.mjs',
        program,
        args: [pidFile, report],
        console: 'internalConsole',
      },
      pidFile,
    );
    const account = accountOf(await settledStop(sessionId, 0));
    const reported = await waitFor('the program’s own report', () => readReport(report));
    assert.equal(reported.require as unknown, 'undefined', 'the frame has no require');
    assert.ok(
      Math.abs(term(account, 'external') - reported.external) <= 1 * MiB,
      `external: ours ${term(account, 'external')}, the program's ${reported.external}`,
    );
    assert.ok(account.terms.find((part) => part.key === 'jsHeap')?.detail?.includes('used of'));
  });

  function compile(name: string, source: string[]): string {
    const file = path.join(dir, `${name}.c`);
    writeFileSync(file, source.join('\n'));
    const binary = path.join(dir, name);
    execFileSync('cc', ['-g', '-O0', '-pthread', '-o', binary, file]);
    return file;
  }

  it('native (lldb-vscode): mallinfo2() as the program reports it; freed small chunks show as free but kept while RES stays', async () => {
    const source = compile('account', [
      '#include <malloc.h>',
      '#include <stdio.h>',
      '#include <stdlib.h>',
      '#include <string.h>',
      '#include <unistd.h>',
      'static void report(const char *path) { struct mallinfo2 m = mallinfo2(); FILE *f = fopen(path, "w"); fprintf(f, "{\\"uordblks\\": %zu, \\"hblkhd\\": %zu, \\"fordblks\\": %zu}", m.uordblks, m.hblkhd, m.fordblks); fclose(f); }',
      'int main(int argc, char **argv) {',
      '  FILE *f = fopen(argv[1], "w"); fprintf(f, "%d", getpid()); fclose(f);',
      '  char path[4096]; char **blocks = malloc(200000 * sizeof(char *));',
      '  for (int i = 0; i < 200000; i++) { blocks[i] = malloc(512); memset(blocks[i], 1, 512); }',
      '  snprintf(path, sizeof path, "%s.1", argv[2]); report(path);',
      '  int first = 1; /* first stop */',
      '  for (int i = 0; i < 200000; i += 2) free(blocks[i]); /* every other chunk: the holes stay with malloc */',
      '  snprintf(path, sizeof path, "%s.2", argv[2]); report(path);',
      '  int second = 2; /* second stop */',
      '  sleep(120);',
      '  return first + second;',
      '}',
      '',
    ]);
    const report = path.join(dir, 'account-c');
    const pidFile = path.join(dir, 'account-c.pid');
    const uri = vscode.Uri.file(source);
    vscode.debug.addBreakpoints(
      [12, 15].map((line) => new vscode.SourceBreakpoint(new vscode.Location(uri, new vscode.Position(line - 1, 0)))),
    );
    const { pid, sessionId } = await start(
      {
        type: 'procmem-lldb',
        request: 'launch',
        name: 'account (C)',
        program: path.join(dir, 'account'),
        args: [pidFile, report],
      },
      pidFile,
    );
    const outputAtStart = sent.get(sessionId)?.output.length ?? 0;
    const first = await settledStop(sessionId, 0);
    const a1 = accountOf(first);
    const r1 = await waitFor('the program’s own report at the first stop', () => readReport(`${report}.1`));
    // lldb stops every thread: nothing moves between the report and our call but the report's own fclose.
    assert.ok(
      Math.abs(term(a1, 'mallocInUse') - (r1.uordblks + r1.hblkhd)) <= 64 * 1024,
      JSON.stringify([a1.terms, r1]),
    );
    assert.ok(Math.abs(term(a1, 'mallocFreeKept') - r1.fordblks) <= 64 * 1024, JSON.stringify([a1.terms, r1]));
    // RES and the code term against the test's own read of /proc, after our call. lldb stops every
    // thread, but calling mallinfo2() makes lldb map a few pages for its own code in the program.
    const resAfterCall = statmBytes(pid).res;
    assert.ok(
      resAfterCall - a1.resBytes >= 0 && resAfterCall - a1.resBytes <= 64 * 1024,
      `RES at the stop ${a1.resBytes}, after our call ${resAfterCall}`,
    );
    assert.equal(term(a1, 'code'), codeRss(pid));
    console.log(`[account] native: lldb's call added ${resAfterCall - a1.resBytes} bytes of RES`);
    await vscode.commands.executeCommand('workbench.action.debug.continue');
    const second = await settledStop(sessionId, 1);
    const a2 = accountOf(second);
    const r2 = await waitFor('the program’s own report at the second stop', () => readReport(`${report}.2`));
    assert.ok(Math.abs(term(a2, 'mallocFreeKept') - r2.fordblks) <= 64 * 1024, JSON.stringify([a2.terms, r2]));
    const freedKept = term(a2, 'mallocFreeKept') - term(a1, 'mallocFreeKept');
    assert.ok(freedKept >= 45 * MiB, `free but kept by malloc rose by ${freedKept}`);
    assert.ok(Math.abs(a2.resBytes - a1.resBytes) <= 2 * MiB, `RES stayed: ${a1.resBytes} -> ${a2.resBytes}`);
    assert.equal(
      a2.terms.reduce((total, part) => total + part.bytes, 0),
      a2.resBytes,
    );
    assertQuietConsole(sessionId, outputAtStart);
    console.log(`[account] native: ${JSON.stringify(a2.terms)} free-but-kept +${freedKept}`);
  });

  it('native (lldb-vscode): a thread stopped inside malloc: the account is skipped with its reason, the session stays responsive', async () => {
    const source = compile('inside-malloc', [
      '#include <pthread.h>',
      '#include <stdio.h>',
      '#include <stdlib.h>',
      '#include <unistd.h>',
      'static void *worker(void *arg) { for (;;) { void *p = malloc(4096); free(p); } return arg; }',
      'int main(int argc, char **argv) {',
      '  FILE *f = fopen(argv[1], "w"); fprintf(f, "%d", getpid()); fclose(f);',
      '  pthread_t thread; pthread_create(&thread, 0, worker, 0);',
      '  int first = 1; /* first stop */',
      '  sleep(120);',
      '  return first;',
      '}',
      '',
    ]);
    const pidFile = path.join(dir, 'inside-malloc.pid');
    const uri = vscode.Uri.file(source);
    vscode.debug.addBreakpoints([new vscode.SourceBreakpoint(new vscode.Location(uri, new vscode.Position(8, 0)))]);
    const { sessionId, session } = await start(
      {
        type: 'procmem-lldb',
        request: 'launch',
        name: 'inside malloc (C)',
        program: path.join(dir, 'inside-malloc'),
        args: [pidFile],
      },
      pidFile,
    );
    await settledStop(sessionId, 0);
    // Now stop in malloc itself: a breakpoint on malloc, hit by the worker thread.
    const inMalloc = new vscode.FunctionBreakpoint('malloc');
    vscode.debug.addBreakpoints([inMalloc]);
    await vscode.commands.executeCommand('workbench.action.debug.continue');
    const second = await settledStop(sessionId, 1);
    assert.equal(second.account.status, 'unavailable', JSON.stringify(second.account));
    assert.match(
      (second.account as { reason: string }).reason,
      /is stopped inside the allocator \(.*malloc.*\): calling mallinfo2\(\) could wait forever/,
    );
    // Still responsive: the adapter answers, and the program runs on when asked.
    const threads = (await session.customRequest('threads')) as { threads: unknown[] };
    assert.ok(threads.threads.length >= 2);
    vscode.debug.removeBreakpoints([inMalloc]);
    await waitFor('the malloc breakpoint to go', () => !vscode.debug.breakpoints.includes(inMalloc));
    await vscode.commands.executeCommand('workbench.action.debug.continue');
    await waitFor('the program to run again', () => api.debugStops.currentStop(sessionId) === undefined, 10000);
    console.log(`[account] guard: ${(second.account as { reason: string }).reason}`);
  });

  it('the setting turns it off: no account is asked', async () => {
    await setSetting('runtimeAccount.enabled', false);
    const program = path.join(dir, 'off.js');
    const pidFile = path.join(dir, 'off.pid');
    writeFileSync(
      program,
      [
        "require('fs').writeFileSync(process.argv[2], String(process.pid));",
        'debugger;',
        'setInterval(() => {}, 1000);',
      ].join('\n'),
    );
    const { sessionId } = await start(
      { type: 'node', request: 'launch', name: 'off.js', program, args: [pidFile], console: 'internalConsole' },
      pidFile,
    );
    const stop = await waitFor('the stop', () => {
      const found = api.debugStops.stopsOf(sessionId)[0];
      return found?.place && found.mappings ? found : undefined;
    });
    assert.equal(stop.runtime, undefined);
    assert.equal(api.debugStops.rows(sessionId)[0].account, undefined);
    await setSetting('runtimeAccount.enabled', undefined);
  });
});
