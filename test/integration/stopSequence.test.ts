// A run of stops with js-debug (built into VS Code), each compared with the one before it: three
// stops of different growth (16 MiB, then 48 MiB), so that comparing with the first stop instead
// of the previous one shows; then each request that ends a stop (next, stepIn, stepOut, continue)
// must take the tip away as the program runs again, before the next stop puts one back.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Stop } from '../../src/debug/debugStops';
import type { ProcMemoryApi } from '../../src/extension';
import { DebugSessionsStarted, startDebuggee } from './debuggees';
import { MiB } from '../../shared/units';
import { procMemoryApi, statmBytes, waitFor } from './helpers';

/** 1-based lines of the program below, as editors and the stops list count them. */
const PROGRAM = [
  "const fs = require('fs');",
  'fs.writeFileSync(process.argv[2], String(process.pid));',
  'const held = [];',
  'const grow = (mib) => held.push(Buffer.alloc(mib * 1024 * 1024, 1));',
  'function inner() {',
  '  grow(8); // stepIn from line 14 stops here (line 6)',
  '  return held.length;',
  '}',
  'debugger; // stop 1 (line 9)',
  'grow(16);',
  'debugger; // stop 2 (line 11): +16 MiB',
  'grow(48);',
  'debugger; // stop 3 (line 13): +48 MiB since stop 2, +64 MiB since stop 1',
  'inner(); // next from 13 stops here (line 14)',
  'debugger; // line 15',
  'debugger; // line 16: stepOut may already have run to line 15, so continue ends here at the latest',
  'setInterval(() => {}, 1000);',
].join('\n');

/** js-debug pauses only the thread it debugs; the runtime's own threads may touch a few pages meanwhile. */
const TOLERANCE = 1 * MiB;

describe('a run of stops, each compared with the previous one', function () {
  this.timeout(120000);
  let api: ProcMemoryApi;
  let dir: string;
  let sessions: DebugSessionsStarted;

  before(async () => {
    api = await procMemoryApi();
    dir = mkdtempSync(path.join(os.tmpdir(), 'proc-memory-stop-sequence-'));
    sessions = new DebugSessionsStarted();
    await vscode.commands.executeCommand('procMemory.debugView.focus');
  });

  after(async () => {
    await sessions.endAll();
    sessions.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('three stops of different growth, then next, stepIn, stepOut and continue each clear the tip', async () => {
    const program = path.join(dir, 'sequence.js');
    writeFileSync(program, PROGRAM);
    const programUri = vscode.Uri.file(program);
    await vscode.window.showTextDocument(programUri, { preview: false });
    const pidFile = path.join(dir, 'sequence.pid');
    const configuration = {
      type: 'node',
      request: 'launch',
      name: 'sequence',
      program,
      args: [pidFile],
      console: 'internalConsole',
    };
    const {
      pid,
      session: { id: sessionId },
    } = await startDebuggee(api, configuration, pidFile);
    const stops = () => api.debugStops.stopsOf(sessionId);
    /** The `count`th stop once it is read, placed, and its tip drawn; with the test's own RES read then. */
    const stopNumber = async (count: number, line: number): Promise<{ stop: Stop; procRes: number }> => {
      const stop = await waitFor(
        `stop ${count} at line ${line} (stops: ${JSON.stringify(stops().map((each) => each.place?.label.line))})`,
        () => {
          const candidate = stops()[count - 1];
          return candidate?.reading && candidate.place ? candidate : undefined;
        },
        30000,
      );
      assert.equal(
        stop.place!.label.line,
        line,
        `stop ${count} (${stop.reason}) at ${stop.place!.label.file}:${stop.place!.label.line}; stops: ${JSON.stringify(stops().map((each) => [each.reason, each.place?.label]))}`,
      );
      await waitFor(`the tip at line ${line}`, () =>
        api.stopTips.shown.some((tip) => tip.uri === programUri.toString() && tip.line === line - 1),
      );
      return { stop, procRes: statmBytes(pid).res };
    };

    const first = await stopNumber(1, 9);
    await vscode.commands.executeCommand('workbench.action.debug.continue');
    const second = await stopNumber(2, 11);
    await vscode.commands.executeCommand('workbench.action.debug.continue');
    const third = await stopNumber(3, 13);

    // Each stop's change is against the stop before it, as the test's own reads at each stop say.
    for (const [before, after, grown] of [
      [first, second, 16 * MiB],
      [second, third, 48 * MiB],
    ] as const) {
      const theirs = after.procRes - before.procRes;
      assert.ok(Math.abs(theirs - grown) < 4 * MiB, `the program grew ${theirs} bytes, about ${grown} expected`);
      assert.equal(after.stop.previous?.id, before.stop.id, 'compared with the previous stop');
      const ours = after.stop.reading!.resBytes - after.stop.previous!.reading.resBytes;
      assert.ok(
        Math.abs(ours - theirs) <= 2 * TOLERANCE,
        `change at stop ${after.stop.id}: ours ${ours}, /proc ${theirs}`,
      );
    }
    // The view's rows and the tip say the same: +48 MiB at the third stop, not +64.
    const row = await waitFor('the three stops in the view', () =>
      api.debugView.state?.rows.find((candidate) => candidate.sessionId === sessionId && candidate.stops.length >= 3),
    );
    const newest = row.stops[0];
    assert.equal(newest.id, third.stop.id);
    assert.ok(
      Math.abs(newest.sincePrevious!.resBytes - 48 * MiB) < 4 * MiB,
      `the newest stop's change ${newest.sincePrevious!.resBytes}`,
    );
    const tip = api.stopTips.shown.find((shown) => shown.uri === programUri.toString() && shown.line === 12);
    assert.match(tip?.text ?? '', /^RES \+4\d\.\d MiB · /, `the tip at the third stop: ${tip?.text}`);

    // Each request that ends a stop takes its tip away when the program runs again: checked the
    // moment the stop ends (onDidResume), before the next stop can draw a new one.
    // Where stepIn and stepOut land around line 14's call is the adapter's affair (js-debug may
    // first stop again at the call itself); next has one place to go.
    const requests: [string, number | undefined][] = [
      ['workbench.action.debug.stepOver', 14], // next
      ['workbench.action.debug.stepInto', undefined], // stepIn
      ['workbench.action.debug.stepOut', undefined], // stepOut
      ['workbench.action.debug.continue', undefined], // continue
    ];
    let count = 3;
    for (const [command, nextLine] of requests) {
      const resumed = new Promise<string[]>((resolve) => {
        const listener = api.debugStops.onDidResume(() => {
          listener.dispose();
          resolve(api.stopTips.shown.map((shown) => `${shown.line + 1}: ${shown.text}`));
        });
      });
      await vscode.commands.executeCommand(command);
      const tipsWhileRunning = await Promise.race([
        resumed,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error(`${command} did not end the stop within 15 s`)), 15000),
        ),
      ]);
      assert.deepEqual(tipsWhileRunning, [], `no tip once ${command} ran the program`);
      count++;
      const next = await waitFor(`the stop after ${command}`, () => {
        const candidate = stops()[count - 1];
        return candidate?.reading && candidate.place ? candidate : undefined;
      });
      if (nextLine !== undefined) {
        assert.equal(next.place!.label.line, nextLine, `${command} stopped at line ${next.place!.label.line}`);
      }
    }
  });
});
