// The debug feature against real debug adapters that nobody here wrote: js-debug (built into VS
// Code), debugpy (Debian's python3-debugpy) and lldb-vscode-15 (Debian's lldb-15), the last two
// started by the test-only extension in test/debugAdapters. Each program writes its own PID to a
// file; the extension must find that PID by itself.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ProcMemoryApi } from '../../src/extension';
import { MiB } from '../../shared/units';
import { DebugSessionsStarted, startDebuggee } from './debuggees';
import { RECORDING_SUFFIX } from '../../src/recordings/recordingFile';
import { QUIET_MESSAGE_MS } from '../../shared/protocol/quietMessages';
import { procMemoryApi, readPid, setSetting, statmBytes, waitFor, writeGrowScript } from './helpers';
import type { ToDebugView } from '../../shared/protocol/debugView';

/** Records `stopped` events per session, through the same public API the extension uses. */
class StopRecorder implements vscode.Disposable {
  readonly stops = new Map<string, { threadId: number }[]>();
  private readonly registration = vscode.debug.registerDebugAdapterTrackerFactory('*', {
    createDebugAdapterTracker: (session) => ({
      onDidSendMessage: (message: { type?: string; event?: string; body?: { threadId?: number } }) => {
        if (message.type === 'event' && message.event === 'stopped') {
          this.stops.set(session.id, [
            ...(this.stops.get(session.id) ?? []),
            { threadId: message.body?.threadId ?? 0 },
          ]);
        }
      },
    }),
  });
  count(session: vscode.DebugSession): number {
    return this.stops.get(session.id)?.length ?? 0;
  }
  dispose(): void {
    this.registration.dispose();
  }
}

/** A C program that writes its PID to the file named by its argument, then sleeps. */
function compileSleeper(dir: string, name: string): string {
  const source = path.join(dir, `${name}.c`);
  writeFileSync(
    source,
    '#include <stdio.h>\n#include <unistd.h>\nint main(int argc, char **argv) { FILE *f = fopen(argv[1], "w"); fprintf(f, "%d", getpid()); fclose(f); sleep(120); return 0; }\n',
  );
  const binary = path.join(dir, name);
  execFileSync('cc', ['-g', '-O0', '-o', binary, source]);
  return binary;
}

describe('debug view with real debuggers', function () {
  this.timeout(120000);
  let api: ProcMemoryApi;
  let dir: string;
  let recorder: StopRecorder;
  let sessions: DebugSessionsStarted;

  before(async () => {
    api = await procMemoryApi();
    dir = mkdtempSync(path.join(os.tmpdir(), 'proc-memory-debug-'));
    recorder = new StopRecorder();
    sessions = new DebugSessionsStarted();
    // Show the view, as a user who opens Run and Debug would.
    await vscode.commands.executeCommand('procMemory.debugView.focus');
  });

  after(() => {
    recorder.dispose();
    sessions.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const sessionFor = (pid: number) =>
    api.debugSessions.all.find((entry) => entry.identity?.pid === pid && entry.status === 'found');
  /** What the extension knows, for the failure message. */
  const describeSessions = () =>
    api.debugSessions.all
      .map(
        (entry) =>
          `${entry.session.name} [${entry.session.type}] ${entry.status} ${entry.identity?.pid ?? '-'}: ${entry.message}`,
      )
      .join('; ');

  afterEach(function () {
    if (this.currentTest?.state === 'failed') {
      console.log(`sessions: ${describeSessions()}`);
      console.log(
        `view rows: ${JSON.stringify(api.debugView.state?.rows.map((row) => ({ ...row, snapshot: row.snapshot ? { pid: row.snapshot.pid, res: row.snapshot.resBytes } : undefined, sparkline: row.sparkline.length })))}`,
      );
      console.log(`active session: ${vscode.debug.activeDebugSession?.name}`);
    }
  });

  afterEach(() => sessions.endAll());

  /** Starts grow.js under js-debug (it stops at its first `debugger`), its PID in NAME.pid: each test its own file. */
  const launchGrow = (name: string) => {
    const pidFile = path.join(dir, `${name}.pid`);
    const configuration = {
      type: 'node',
      request: 'launch',
      name,
      program: writeGrowScript(dir),
      args: [pidFile],
      console: 'internalConsole',
    };
    return startDebuggee(api, configuration, pidFile);
  };

  it('js-debug: finds the Node program, and shows the growth between two breakpoints', async () => {
    const { pid } = await launchGrow('grow');
    const entry = sessionFor(pid)!;
    assert.match(entry.message, /session name|process event/);
    const session = entry.session;
    await waitFor('the first stop', () => recorder.count(session) >= 1, 30000);
    await waitFor(
      'the status bar to follow the debuggee',
      () => api.focus.current?.reason === 'debug' && api.focus.current.identity.pid === pid,
    );
    await session.customRequest('continue', { threadId: recorder.stops.get(session.id)![0].threadId });
    await waitFor('the second stop', () => recorder.count(session) >= 2, 30000);
    const row = await waitFor('the change since the last stop', () => {
      const found = api.debugView.state?.rows.find((candidate) => candidate.snapshot?.pid === pid);
      return found?.sinceLastStop !== undefined && found.sinceLastStop > 32 * MiB && found.snapshot!.resBytes > 64 * MiB
        ? found
        : undefined;
    });
    assert.ok(
      row.sinceLastStop! >= 60 * MiB && row.sinceLastStop! <= 80 * MiB,
      `grew ${row.sinceLastStop} bytes between the breakpoints`,
    );
    assert.equal(row.status, 'found');
  });

  it('js-debug: a stopped program is sent a reading when its row changes, and at least every QUIET_MESSAGE_MS; each point once', async () => {
    // Each message costs the host a round trip to the workbench: the readings of a program that
    // holds still at a breakpoint are held back (QUIET_MESSAGE_MS); the points come with the next message.
    await setSetting('sampleIntervalMs', 250);
    try {
      const { pid } = await launchGrow('held');
      const entry = sessionFor(pid)!;
      await waitFor('the first stop', () => recorder.count(entry.session) >= 1, 30000);
      const messages = recordDebugViewMessages(api);
      const samples = () => messages.filter((message) => message.type === 'sample');
      const history = () => api.sampler.history(entry.identity!)?.points() ?? [];
      await waitFor('a sample', () => samples().length > 0, QUIET_MESSAGE_MS + 5000);
      const readingsBefore = history().length;
      const sentBefore = samples().length;
      const windowMs = QUIET_MESSAGE_MS + 1000;
      await new Promise((resolve) => setTimeout(resolve, windowMs));
      const readings = history().length - readingsBefore;
      const sent = samples().slice(sentBefore);
      assert.ok(
        readings >= (windowMs / 250) * 0.5,
        `the host still reads every 250 ms: ${readings} readings in ${windowMs} ms`,
      );
      assert.ok(sent.length >= 1, `told at least every ${QUIET_MESSAGE_MS} ms`);
      assert.ok(
        sent.length <= readings / 3,
        `${sent.length} messages for ${readings} readings of a stopped program: ${JSON.stringify(sent.map((sample) => sample.rows[0].snapshot?.resBytes))}`,
      );
      // Every reading reaches the sparkline once, in order: in a sample's points, or in a full
      // state's sparkline where one came (a stop's details landing).
      const pointTimes = samples().flatMap((sample) => sample.rows[0].points.map((point) => point.timeMs));
      assert.ok(
        pointTimes.every((time, i) => i === 0 || time > pointTimes[i - 1]),
        `no point twice: ${pointTimes.join(', ')}`,
      );
      const shown = new Set([
        ...pointTimes,
        ...messages.flatMap((message) =>
          message.type === 'state' ? message.rows.flatMap((row) => row.sparklineTimesMs) : [],
        ),
      ]);
      const missing = history()
        .filter((point) => point.timeMs >= pointTimes[0] && point.timeMs <= pointTimes.at(-1)!)
        .filter((point) => !shown.has(point.timeMs));
      assert.deepEqual(missing, [], 'readings the sparkline never got');

      // All its rows at once (a marker added does that) tell the view everything: the stopped
      // program's next readings wait as after a sample.
      const afterState = messages.length;
      api.markers.add(entry.identity!, { timeMs: Date.now(), kind: 'user', label: 'held', detail: 'a test marker' });
      await waitFor('all the rows', () => messages.slice(afterState).some((message) => message.type === 'state'));
      const state = messages.slice(afterState).find((message) => message.type === 'state')!;
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const sinceState = messages.slice(messages.indexOf(state) + 1).filter((message) => message.type === 'sample');
      const stateRow =
        state.type === 'state' ? state.rows.find((row) => row.sessionId === entry.session.id) : undefined;
      const words = (row: object | undefined) =>
        JSON.stringify(row, (name, value: unknown) => (name === 'sampledAtMs' ? undefined : value));
      const unchanged = sinceState.filter((message) => {
        const { points, ...live } = message.rows[0];
        const shown = Object.fromEntries(
          Object.keys(live).map((name) => [name, stateRow?.[name as keyof typeof stateRow]]),
        );
        return points && words(live) === words(shown);
      });
      assert.deepEqual(unchanged, [], 'readings sent within 3 s of all the rows, though nothing changed');
    } finally {
      await setSetting('sampleIntervalMs', undefined);
    }
  });

  it('recordDebugSessions turned off mid-session ends and saves the recording at once', async () => {
    const { pid } = await launchGrow('recorded');
    const entry = sessionFor(pid)!;
    await waitFor('the first stop', () => recorder.count(entry.session) >= 1, 30000);
    const saved = async () =>
      (await api.recorder.list()).some((uri) => uri.path.endsWith(`-${pid}${RECORDING_SUFFIX}`));
    assert.equal(await saved(), false, 'recorded while the session runs, saved when it ends');
    await setSetting('recordDebugSessions', false);
    try {
      for (const started = Date.now(); !(await saved()); ) {
        assert.ok(Date.now() - started < 15000, 'no recording saved 15 s after recording was turned off');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    } finally {
      await setSetting('recordDebugSessions', undefined);
    }
  });

  it('js-debug: shows both processes of a program that forks a child', async () => {
    const child = path.join(dir, 'child.js');
    const parent = path.join(dir, 'parent.js');
    writeFileSync(
      child,
      "require('fs').writeFileSync(process.argv[2], String(process.pid)); setInterval(() => {}, 1000);",
    );
    writeFileSync(
      parent,
      [
        "const { fork } = require('child_process');",
        "require('fs').writeFileSync(process.argv[2], String(process.pid));",
        'fork(process.argv[3], [process.argv[4]]);',
        'setInterval(() => {}, 1000);',
      ].join('\n'),
    );
    const parentPidFile = path.join(dir, 'parent.pid');
    const childPidFile = path.join(dir, 'child.pid');
    assert.ok(
      await vscode.debug.startDebugging(undefined, {
        type: 'node',
        request: 'launch',
        name: 'fork',
        program: parent,
        args: [parentPidFile, child, childPidFile],
        console: 'internalConsole',
      }),
    );
    const parentPid = await waitFor('the parent PID', () => readPid(parentPidFile), 30000);
    const childPid = await waitFor('the child PID', () => readPid(childPidFile), 30000);
    await waitFor('both processes in the view', () => sessionFor(parentPid) && sessionFor(childPid), 30000);
    await waitFor('both rows with figures', () => {
      const rows = api.debugView.state?.rows ?? [];
      return [parentPid, childPid].every((pid) =>
        rows.some((row) => row.snapshot?.pid === pid && row.snapshot.resBytes > 0),
      );
    });
    // The parent's row sums its children (the forked program, not js-debug's watchdog).
    // A process caught between fork and exec (js-debug starting its watchdog) still carries its
    // parent's command line for a moment, so wait for the steady state rather than the first reading.
    const childrenNow = () =>
      JSON.stringify(api.debugView.state?.rows.find((row) => row.snapshot?.pid === parentPid)?.children);
    const parentRow = await waitFor(
      `a children total of 1 (now ${childrenNow()})`,
      () => api.debugView.state?.rows.find((row) => row.snapshot?.pid === parentPid && row.children?.count === 1),
      20000,
    );
    assert.ok(parentRow.children!.resBytes > 0);
    assert.ok('bytes' in parentRow.children!.pss && parentRow.children!.pss.bytes > 0, 'PSS of the children');
  });

  it('js-debug: the stops list and the view row give the same children, with a zombie and an exited child', async () => {
    // The program's children: `true`, which exited (and was collected); `sh`, which forks
    // `sleep 0` and execs `sleep 1000`, so the `sleep 0` it never collects stays a zombie.
    const program = path.join(dir, 'zombie.js');
    writeFileSync(
      program,
      [
        "const fs = require('fs');",
        "const { spawn, spawnSync } = require('child_process');",
        "spawnSync('true');",
        "const sh = spawn('sh', ['-c', 'sleep 0 & exec sleep 1000'], { stdio: 'ignore' });",
        'const zombie = () => {',
        '  try {',
        "    const children = fs.readFileSync(`/proc/${sh.pid}/task/${sh.pid}/children`, 'utf8').trim().split(' ');",
        "    return children.some((pid) => pid && fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1][0] === 'Z');",
        '  } catch {',
        '    return false;',
        '  }',
        '};',
        'const wait = setInterval(() => {',
        '  if (zombie()) {',
        '    clearInterval(wait);',
        '    fs.writeFileSync(process.argv[2], `${process.pid} ${sh.pid}`);',
        '    debugger;',
        '  }',
        '}, 50);',
      ].join('\n'),
    );
    const pidFile = path.join(dir, 'zombie.pid');
    assert.ok(
      await vscode.debug.startDebugging(undefined, {
        type: 'node',
        request: 'launch',
        name: 'zombie',
        program,
        args: [pidFile],
        console: 'internalConsole',
      }),
    );
    const [pid, sleeperPid] = await waitFor(
      'the PIDs',
      () => {
        const pids = existsSync(pidFile) ? readFileSync(pidFile, 'utf8').split(' ').map(Number) : [];
        return pids.length === 2 ? pids : undefined;
      },
      30000,
    );
    const stop = await waitFor('the stop with its reading', () =>
      api.debugStops.currentStops.find((candidate) => candidate.identity?.pid === pid && candidate.reading),
    );
    const atStop = stop.reading!.children;
    // Read by the test itself: the one child that holds memory is `sleep 1000` (it sleeps, so its
    // RES stays put); the zombie and the exited child hold none.
    const sleeperRes = statmBytes(sleeperPid).res;
    assert.deepEqual({ count: atStop.count, resBytes: atStop.resBytes }, { count: 1, resBytes: sleeperRes });
    const rowChildren = () => api.debugView.state?.rows.find((row) => row.snapshot?.pid === pid)?.children;
    await waitFor(
      `the view row's children as the stop's (${JSON.stringify(atStop)}; row: ${JSON.stringify(rowChildren())})`,
      () => {
        const row = rowChildren();
        return row?.count === atStop.count && row.resBytes === atStop.resBytes && 'bytes' in row.pss;
      },
      20000,
    );
  });

  it('debugpy: finds the Python program from the process event', async () => {
    const program = path.join(dir, 'sleeper.py');
    const pidFile = path.join(dir, 'py.pid');
    writeFileSync(program, 'import os, sys, time\nopen(sys.argv[1], "w").write(str(os.getpid()))\ntime.sleep(120)\n');
    assert.ok(
      await vscode.debug.startDebugging(undefined, {
        type: 'procmem-debugpy',
        request: 'launch',
        name: 'python',
        program,
        args: [pidFile],
        python: '/usr/bin/python3',
        console: 'internalConsole',
      }),
    );
    const pid = await waitFor('the program to write its PID', () => readPid(pidFile), 60000);
    const entry = await waitFor('the view to find the PID', () => sessionFor(pid), 30000);
    assert.match(entry.message, /process event/);
    await waitFor('a row with figures', () =>
      api.debugView.state?.rows.some((row) => row.snapshot?.pid === pid && row.snapshot.resBytes > 0),
    );
  });

  it('lldb-vscode: finds the C program from the process event', async () => {
    const binary = compileSleeper(dir, 'sleeper');
    const pidFile = path.join(dir, 'c.pid');
    assert.ok(
      await vscode.debug.startDebugging(undefined, {
        type: 'procmem-lldb',
        request: 'launch',
        name: 'native',
        program: binary,
        args: [pidFile],
      }),
    );
    const pid = await waitFor('the program to write its PID', () => readPid(pidFile), 60000);
    const entry = await waitFor('the view to find the PID', () => sessionFor(pid), 30000);
    assert.match(entry.message, /process event/);
    await waitFor('a row with figures', () =>
      api.debugView.state?.rows.some((row) => row.snapshot?.pid === pid && row.snapshot.resBytes > 0),
    );
  });

  it('a debugger that does not name its process: found in the process tree', async () => {
    const binary = compileSleeper(dir, 'quiet');
    const pidFile = path.join(dir, 'quiet.pid');
    assert.ok(
      await vscode.debug.startDebugging(undefined, {
        type: 'procmem-lldb-quiet',
        request: 'launch',
        name: 'quiet native',
        program: binary,
        args: [pidFile],
      }),
    );
    const pid = await waitFor('the program to write its PID', () => readPid(pidFile), 60000);
    const entry = await waitFor('the view to find the PID', () => sessionFor(pid), 30000);
    assert.match(entry.message, /process tree/);
  });
});

/** The messages the debug view posts to its page from now on (its webview's postMessage, wrapped). */
function recordDebugViewMessages(api: ProcMemoryApi): ToDebugView[] {
  const messages: ToDebugView[] = [];
  const webview = (api.debugView as unknown as { view: vscode.WebviewView }).view.webview;
  const post = webview.postMessage.bind(webview);
  webview.postMessage = (message: ToDebugView) => {
    messages.push(JSON.parse(JSON.stringify(message)) as ToDebugView);
    return post(message);
  };
  return messages;
}
