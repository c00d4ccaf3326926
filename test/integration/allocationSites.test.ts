// The lines that allocated memory between two stops, against real debug adapters: js-debug (V8's
// sampling heap profiler through its CDP proxy) and debugpy (tracemalloc). Each program stops four
// times; between the stops it allocates known amounts at known lines, one of them in another file
// of the workspace through a library frame, and writes its own account of each allocation to a
// file the test reads (the heap used after a collection, or the sizes of what it built).
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AllocationSite, StopAllocations } from '../../shared/allocationSites';
import type { Stop } from '../../src/debug/debugStops';
import type { ProcMemoryApi } from '../../src/extension';
import { DebugSessionsStarted, startDebuggee } from './debuggees';
import { procMemoryApi, setSetting, waitFor } from './helpers';

type Sites = Extract<StopAllocations, { state: 'sites' }>;

/** One expected site: where, and which of the program's own figures its bytes must be within 10 % of. */
interface ExpectedSite {
  file: string;
  line: number;
  functionName: string;
  /** The program's report entry whose `bytes` the site must match. */
  report: string;
}

interface Case {
  name: string;
  /** Writes the program (main + a second file); returns the launch configuration. */
  prepare(
    dir: string,
    pidFile: string,
    reportFile: string,
  ): { configuration: vscode.DebugConfiguration; second: string };
  /** Lines of the four stops in the main file. */
  stopLines: number[];
  /** Whether the stops are breakpoints (else the program has `debugger;` statements). */
  breakpoints: boolean;
  /** Per stop after the first: the sites expected on top, in this order. */
  expected: ExpectedSite[][];
}

const CASES: Case[] = [
  {
    name: 'js-debug',
    prepare(dir, pidFile, reportFile) {
      const main = path.join(dir, 'main.js');
      mkdirSync(path.join(dir, 'lib'), { recursive: true });
      const second = path.join(dir, 'lib', 'small.js');
      writeFileSync(
        second,
        [
          'function makeSmall(count) {',
          '  return Array.from({ length: count }, (_, i) => new Array(24).fill(i));',
          '}',
          'module.exports = { makeSmall };',
          '',
        ].join('\n'),
      );
      writeFileSync(
        main,
        [
          "const fs = require('fs');",
          "const { makeSmall } = require('./lib/small');",
          'let before = 0;',
          'function report(name) {',
          '  global.gc();',
          '  const used = process.memoryUsage().heapUsed;',
          '  fs.appendFileSync(process.argv[3], JSON.stringify({ name, bytes: used - before }) + "\\n");',
          '  before = used;',
          '}',
          'function bigArray(length) {',
          '  return new Array(length).fill(0.5);',
          '}',
          'const held = [];',
          `fs.writeFileSync(process.argv[2], String(process.pid));`,
          'report("start"); debugger; // stop 1: tracking starts',
          'held.push(bigArray(8000000)); report("big"); debugger; // stop 2',
          'held.push(makeSmall(200000)); report("small"); debugger; // stop 3',
          'held.splice(1, 1); report("freed"); held.push(bigArray(2000000)); report("medium"); debugger; // stop 4',
          'setInterval(() => held.length, 1000);',
          '',
        ].join('\n'),
      );
      return {
        second,
        configuration: {
          type: 'node',
          request: 'launch',
          name: 'allocations (node)',
          program: main,
          args: [pidFile, reportFile],
          runtimeArgs: ['--expose-gc'],
          console: 'internalConsole',
        },
      };
    },
    stopLines: [15, 16, 17, 18],
    breakpoints: false,
    // V8 records the function, not the line: a site is the function, at its first line.
    expected: [
      [{ file: 'main.js', line: 10, functionName: 'bigArray', report: 'big' }],
      [
        { file: 'small.js', line: 2, functionName: '', report: 'small' },
        { file: 'small.js', line: 1, functionName: 'makeSmall', report: 'small' },
      ],
      [{ file: 'main.js', line: 10, functionName: 'bigArray', report: 'medium' }],
    ],
  },
  {
    name: 'debugpy',
    prepare(dir, pidFile, reportFile) {
      const main = path.join(dir, 'main.py');
      mkdirSync(path.join(dir, 'lib'), { recursive: true });
      writeFileSync(path.join(dir, 'lib', '__init__.py'), '');
      const second = path.join(dir, 'lib', 'small.py');
      // 200 000 small bytes objects made by the standard library's random.randbytes.
      writeFileSync(
        second,
        [
          'import random',
          'def make_small(count):',
          '    return [random.randbytes(200) for _ in range(count)]',
          '',
        ].join('\n'),
      );
      writeFileSync(
        main,
        [
          'import json, os, sys, time',
          'from lib.small import make_small',
          'def report(name, objects):',
          '    # What the program allocated there: the sizes of the objects it built (sys.getsizeof).',
          '    with open(sys.argv[2], "a") as out:',
          '        out.write(json.dumps({"name": name, "bytes": sum(map(sys.getsizeof, objects))}) + "\\n")',
          'def big_buffer(size):',
          '    return bytearray(size)',
          'def checkpoint():',
          '    pass',
          'held = []',
          'open(sys.argv[1], "w").write(str(os.getpid()))',
          'checkpoint()  # stop 1: tracking starts',
          'held.append(big_buffer(64 * 1024 * 1024)); report("big", held[-1:])',
          'checkpoint()  # stop 2',
          'held.append(make_small(200000)); report("small", held[-1] + held[-1:])',
          'checkpoint()  # stop 3',
          'del held[1]; held.append(big_buffer(16 * 1024 * 1024)); report("medium", held[-1:])',
          'checkpoint()  # stop 4',
          'time.sleep(120)',
          '',
        ].join('\n'),
      );
      return {
        second,
        configuration: {
          type: 'procmem-debugpy',
          request: 'launch',
          name: 'allocations (python)',
          program: main,
          args: [pidFile, reportFile],
          python: '/usr/bin/python3',
          console: 'internalConsole',
        },
      };
    },
    stopLines: [13, 15, 17, 19],
    breakpoints: true,
    expected: [
      [{ file: 'main.py', line: 8, functionName: 'big_buffer', report: 'big' }],
      [{ file: 'small.py', line: 3, functionName: 'make_small', report: 'small' }],
      [{ file: 'main.py', line: 8, functionName: 'big_buffer', report: 'medium' }],
    ],
  },
];

describe('allocation sites between stops, with real debuggers', function () {
  this.timeout(180000);
  let api: ProcMemoryApi;
  let dir: string;
  let sessions: DebugSessionsStarted;
  const listeners: vscode.Disposable[] = [];

  before(async () => {
    api = await procMemoryApi();
    dir = mkdtempSync(path.join(os.tmpdir(), 'proc-memory-allocations-'));
    sessions = new DebugSessionsStarted();
    await setSetting('allocations.enabled', true);
  });

  after(async () => {
    await setSetting('allocations.enabled', undefined);
    sessions.dispose();
    listeners.forEach((listener) => listener.dispose());
    rmSync(dir, { recursive: true, force: true });
  });

  afterEach(() => sessions.endAll());

  for (const testCase of CASES) {
    it(`${testCase.name}: the top sites name the allocating functions and lines, their bytes within 10 % of the program's own account, the tip in a second file, nothing of ours in the program`, async () => {
      // Named after the case: the Python program lives in a folder called "debugpy", which must not
      // make its frames count as the debugger's.
      const caseDir = path.join(dir, testCase.name);
      mkdirSync(caseDir, { recursive: true });
      const pidFile = path.join(caseDir, 'pid');
      const reportFile = path.join(caseDir, 'report.jsonl');
      writeFileSync(reportFile, '');
      const { configuration, second } = testCase.prepare(caseDir, pidFile, reportFile);
      // The second file is open beside the main one (where the debugger reveals its stops): the tip
      // at its allocating line must show there.
      await vscode.window.showTextDocument(vscode.Uri.file(configuration.program), {
        viewColumn: vscode.ViewColumn.One,
        preview: false,
      });
      await vscode.window.showTextDocument(vscode.Uri.file(second), {
        viewColumn: vscode.ViewColumn.Two,
        preview: false,
        preserveFocus: true,
      });

      // Everything the adapter sends to the Debug Console after the first stop.
      const outputs: string[] = [];
      let firstStopSeen = false;
      listeners.push(
        vscode.debug.registerDebugAdapterTrackerFactory('*', {
          createDebugAdapterTracker: () => ({
            onDidSendMessage: (message: {
              type?: string;
              event?: string;
              body?: { output?: string; category?: string };
            }) => {
              // Telemetry events are the adapter's own reports to VS Code, never shown in the Debug Console.
              if (
                firstStopSeen &&
                message.type === 'event' &&
                message.event === 'output' &&
                message.body?.category !== 'telemetry'
              ) {
                outputs.push(String(message.body?.output));
              }
            },
          }),
        }),
      );

      if (testCase.breakpoints) {
        const uri = vscode.Uri.file(configuration.program);
        vscode.debug.addBreakpoints(
          testCase.stopLines.map(
            (line) => new vscode.SourceBreakpoint(new vscode.Location(uri, new vscode.Position(line - 1, 0))),
          ),
        );
      }
      const {
        session: { id: sessionId },
      } = await startDebuggee(api, configuration, pidFile);
      const session = () => api.debugSessions.all.find((entry) => entry.session.id === sessionId)!.session;
      const stopAt = (index: number) =>
        waitFor(
          `stop ${index + 1} with its allocations (now ${JSON.stringify(api.debugStops.stopsOf(sessionId)[index]?.allocations)?.slice(0, 300)})`,
          () => {
            const stop: Stop | undefined = api.debugStops.stopsOf(sessionId)[index];
            const state = stop?.allocations?.state;
            return stop?.place && state && state !== 'reading' ? stop : undefined;
          },
          60000,
        );

      const first = await stopAt(0);
      firstStopSeen = true;
      assert.equal(first.place!.label.line, testCase.stopLines[0]);
      assert.equal(first.allocations!.state, 'started', JSON.stringify(first.allocations));
      const namesAtFirst = await frameNames(session(), first.threadId!);

      const reports = () =>
        readFileSync(reportFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as { name: string; bytes: number });
      for (let index = 1; index < testCase.stopLines.length; index++) {
        await vscode.commands.executeCommand('workbench.action.debug.continue');
        const stop = await stopAt(index);
        assert.equal(stop.place!.label.line, testCase.stopLines[index]);
        const allocations = stop.allocations as Sites;
        assert.equal(allocations.state, 'sites', JSON.stringify(allocations));
        assert.equal(allocations.sinceStopId, stop.id - 1, 'counted from the previous stop');
        const own = reports();
        const expected = testCase.expected[index - 1];
        const described = describeSites(allocations.sites);
        expected.forEach((want, rank) => {
          const site = allocations.sites[rank];
          assert.ok(site, `stop ${stop.id}: no site #${rank + 1}: ${described}`);
          assert.deepEqual(
            [site.frame.file, site.frame.line, site.frame.functionName],
            [want.file, want.line, want.functionName],
            `stop ${stop.id}, site #${rank + 1}: ${described}`,
          );
          assert.ok(site.frame.own, 'the site is a frame of the user’s own code');
        });
        // The sites of each allocation the program made add up to what it says it allocated there.
        for (const report of new Set(expected.map((want) => want.report))) {
          const programSays = own.find((entry) => entry.name === report)!.bytes;
          const ours = expected
            .map((want, rank) => (want.report === report ? allocations.sites[rank].bytes : 0))
            .reduce((a, b) => a + b, 0);
          assert.ok(
            Math.abs(ours - programSays) <= programSays * 0.1,
            `stop ${stop.id}: the sites of "${report}" have ${ours} bytes, the program says ${programSays}: ${described}`,
          );
        }
        assert.ok(allocations.runtimeGrowth, 'the runtime’s own growth is there to set the sites against');
        console.log(
          `[allocations] ${testCase.name} stop ${stop.id}: ${described}; runtime growth ${allocations.runtimeGrowth?.bytes}; read in ${allocations.costMs.toFixed(0)} ms`,
        );

        // The names in the program's frame are its own, the same as at the first stop.
        assert.deepEqual(await frameNames(session(), stop.threadId!), namesAtFirst);

        if (index === 2) {
          // The tip at the allocating line of the second file, while the program is stopped.
          const tip = await waitFor('the tip in the second file', () =>
            api.allocationTips.shown.find((candidate) => vscode.Uri.parse(candidate.uri).fsPath === second),
          );
          assert.equal(tip.line, expected[0].line - 1);
          assert.match(tip.text, /^allocated \+\d+(\.\d+)? MiB (in this function )?since the last stop$/);
          assert.match(tip.hover, /The sites account for [\d\\.]+ of [\d\\.]+ MiB/);
        }
      }

      // Running again: the allocation tips go at once.
      await vscode.commands.executeCommand('workbench.action.debug.continue');
      await waitFor('the allocation tips to go', () => api.allocationTips.shown.length === 0, 5000);
      assert.deepEqual(outputs, [], 'nothing of ours in the Debug Console');
    });
  }
});

/** The names in the top frame's first scope (locals, or the module's), as the Variables view lists them. */
async function frameNames(session: vscode.DebugSession, threadId: number): Promise<string[]> {
  const trace = (await session.customRequest('stackTrace', { threadId, startFrame: 0, levels: 1 })) as {
    stackFrames: { id: number }[];
  };
  const scopes = (await session.customRequest('scopes', { frameId: trace.stackFrames[0].id })) as {
    scopes: { name: string; variablesReference: number }[];
  };
  const variables = (await session.customRequest('variables', {
    variablesReference: scopes.scopes[0].variablesReference,
  })) as { variables: { name: string }[] };
  return variables.variables.map((variable) => variable.name).sort();
}

function describeSites(sites: readonly AllocationSite[]): string {
  return sites
    .slice(0, 5)
    .map((site) => `${site.frame.file}:${site.frame.line} ${site.frame.functionName || '(anonymous)'} ${site.bytes}`)
    .join(', ');
}
