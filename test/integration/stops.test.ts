// Memory at the line where the program stopped, against real debug adapters: js-debug (built into
// VS Code), debugpy and lldb-vscode-15 (Debian's, started by test/debugAdapters). Each program
// stops twice around a known allocation; the test reads /proc/PID/statm itself at each stop.
import { MiB } from '../../shared/units';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Stop } from '../../src/debug/debugStops';
import type { ProcMemoryApi } from '../../src/extension';
import { DebugSessionsStarted, foundSession, startDebuggee } from './debuggees';
import type { InspectPanel } from '../../src/inspectPanel';
import {
  closeAllEditors,
  procMemoryApi,
  readPid,
  setSetting,
  startAllocator,
  statmBytes,
  waitFor,
  writeGrowScript,
} from './helpers';

interface Case {
  name: string;
  /** Writes the program; returns the launch configuration and the 1-based lines of the two stops. */
  prepare(
    dir: string,
    pidFile: string,
  ): { program: string; configuration: vscode.DebugConfiguration; lines: [number, number]; breakpoints: boolean };
  /** The kind of mapping the allocation between the stops lands in. */
  kind: 'anonymous' | 'heap';
  /** Smallest growth expected between the stops. */
  minGrowth: number;
  /**
   * How far our reading at a stop may be from the test's own read just after it. lldb stops every
   * thread: nothing can move. js-debug and debugpy pause only the thread they debug; the runtime's
   * own threads may touch a few pages meanwhile.
   */
  toleranceBytes: number;
  /** Open the program's editor only after the first stop: the tip must appear in it then. */
  openEditorAfterStop: boolean;
}

const CASES: Case[] = [
  {
    name: 'js-debug',
    prepare(dir, pidFile) {
      const program = writeGrowScript(dir);
      return {
        program,
        configuration: {
          type: 'node',
          request: 'launch',
          name: 'grow',
          program,
          args: [pidFile],
          console: 'internalConsole',
        },
        lines: [3, 5],
        breakpoints: false,
      };
    },
    kind: 'anonymous',
    minGrowth: 60 * MiB,
    toleranceBytes: 512 * 1024,
    openEditorAfterStop: false,
  },
  {
    name: 'debugpy',
    prepare(dir, pidFile) {
      const program = path.join(dir, 'grow.py');
      writeFileSync(
        program,
        [
          'import os, sys, time',
          'open(sys.argv[1], "w").write(str(os.getpid()))',
          'held = []',
          'first = 1',
          'held.append(b"\\x01" * (64 * 1024 * 1024))',
          'second = 2',
          'time.sleep(120)',
          '',
        ].join('\n'),
      );
      return {
        program,
        configuration: {
          type: 'procmem-debugpy',
          request: 'launch',
          name: 'grow.py',
          program,
          args: [pidFile],
          python: '/usr/bin/python3',
          console: 'internalConsole',
        },
        lines: [4, 6],
        breakpoints: true,
      };
    },
    kind: 'anonymous',
    minGrowth: 60 * MiB,
    toleranceBytes: 512 * 1024,
    openEditorAfterStop: true,
  },
  {
    name: 'lldb-vscode',
    prepare(dir, pidFile) {
      const source = path.join(dir, 'grow.c');
      writeFileSync(
        source,
        [
          '#include <stdio.h>',
          '#include <stdlib.h>',
          '#include <string.h>',
          '#include <unistd.h>',
          'int main(int argc, char **argv) {',
          '  FILE *f = fopen(argv[1], "w"); fprintf(f, "%d", getpid()); fclose(f);',
          '  char **blocks = malloc(200000 * sizeof(char *));',
          '  int first = 1; /* first stop */',
          '  for (int i = 0; i < 200000; i++) { blocks[i] = malloc(256); memset(blocks[i], 1, 256); } /* small mallocs: the brk heap */',
          '  int second = 2; /* second stop */',
          '  sleep(120);',
          '  return first + second + blocks[0][0];',
          '}',
          '',
        ].join('\n'),
      );
      const binary = path.join(dir, 'grow');
      execFileSync('cc', ['-g', '-O0', '-o', binary, source]);
      return {
        program: source,
        configuration: { type: 'procmem-lldb', request: 'launch', name: 'grow (C)', program: binary, args: [pidFile] },
        lines: [8, 10],
        breakpoints: true,
      };
    },
    kind: 'heap',
    minGrowth: 45 * MiB,
    toleranceBytes: 0,
    openEditorAfterStop: false,
  },
];

// An adapter whose `stopped` events carry no threadId: the real lldb-vscode behind a relay that
// removes it (test/debugAdapters). The thread is the one VS Code asks about next.
CASES.push({
  ...CASES[2],
  name: 'lldb-vscode, stopped without threadId',
  prepare(dir, pidFile) {
    const prepared = CASES[2].prepare(dir, pidFile);
    return {
      ...prepared,
      configuration: { ...prepared.configuration, type: 'procmem-lldb-nothread', name: 'grow (C, no threadId)' },
    };
  },
});

describe('memory at the stopped line, with real debuggers', function () {
  this.timeout(180000);
  let api: ProcMemoryApi;
  let dir: string;
  let sessions: DebugSessionsStarted;

  before(async () => {
    api = await procMemoryApi();
    dir = mkdtempSync(path.join(os.tmpdir(), 'proc-memory-stops-'));
    // RES is compared exactly here; the runtime account's call into the program (lldb maps 12 KiB
    // for it, once) is tested in runtimeAccount.test.ts.
    await setSetting('runtimeAccount.enabled', false);
    sessions = new DebugSessionsStarted();
    await vscode.commands.executeCommand('procMemory.debugView.focus');
  });

  after(async () => {
    await setSetting('inlineTips.enabled', undefined);
    await setSetting('runtimeAccount.enabled', undefined);
    sessions.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  afterEach(() => sessions.endAll());

  for (const testCase of CASES) {
    it(`${testCase.name}: both stops with file and line, RES change equal to /proc, the allocation under ${testCase.kind}, a tip at the line`, async () => {
      const pidFile = path.join(dir, `${testCase.name}.pid`);
      const { program, configuration, lines, breakpoints } = testCase.prepare(dir, pidFile);
      const programUri = vscode.Uri.file(program);
      if (breakpoints) {
        vscode.debug.addBreakpoints(
          lines.map(
            (line) => new vscode.SourceBreakpoint(new vscode.Location(programUri, new vscode.Position(line - 1, 0))),
          ),
        );
      }
      // Another file beside it: the tip must never show there.
      const other = path.join(dir, `${testCase.name}-other.txt`);
      writeFileSync(other, Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n'));
      const otherEditor = await vscode.window.showTextDocument(vscode.Uri.file(other), {
        viewColumn: vscode.ViewColumn.One,
        preview: false,
      });
      if (!testCase.openEditorAfterStop) {
        await vscode.window.showTextDocument(programUri, {
          viewColumn: vscode.ViewColumn.Two,
          preview: false,
          preserveFocus: true,
        });
      }

      const {
        pid,
        session: { id: sessionId },
      } = await startDebuggee(api, configuration, pidFile);
      const stopsOf = () => api.debugStops.stopsOf(sessionId);
      const settled = (stop: Stop | undefined) => (stop?.reading && stop.place && stop.mappings ? stop : undefined);

      // First stop.
      const first = await waitFor('the first stop, read and placed', () => settled(stopsOf()[0]), 60000);
      const procAtFirst = statmBytes(pid).res;
      assert.equal(first.place!.label.file, path.basename(program));
      assert.equal(first.place!.label.line, lines[0]);
      assert.ok(
        Math.abs(first.reading!.resBytes - procAtFirst) <= testCase.toleranceBytes,
        `RES at the first stop ${first.reading!.resBytes}, /proc says ${procAtFirst}`,
      );
      if (testCase.openEditorAfterStop) {
        await vscode.window.showTextDocument(programUri, {
          viewColumn: vscode.ViewColumn.Two,
          preview: false,
          preserveFocus: true,
        });
      }
      const firstTip = await waitFor(
        'the tip at the first stop',
        () => api.stopTips.shown.find((tip) => tip.uri === programUri.toString()),
        15000,
      );
      assert.equal(firstTip.line, lines[0] - 1);
      assert.match(firstTip.text, /^RES \d+(\.\d+)? [KMG]iB · /, 'the first stop shows RES itself');
      assert.ok(
        !api.stopTips.shown.some((tip) => tip.uri === otherEditor.document.uri.toString()),
        'no tip in an editor of another file',
      );

      // Second stop, after the allocation.
      await vscode.commands.executeCommand('workbench.action.debug.continue');
      const second = await waitFor('the second stop, read and placed', () => settled(stopsOf()[1]), 60000);
      const procAtSecond = statmBytes(pid).res;
      assert.equal(second.place!.label.line, lines[1]);
      assert.equal(second.previous?.id, first.id, 'the previous stop of the same process');
      const ours = second.reading!.resBytes - first.reading!.resBytes;
      const theirs = procAtSecond - procAtFirst;
      assert.ok(
        Math.abs(ours - theirs) <= 2 * testCase.toleranceBytes,
        `change between the stops: ours ${ours}, /proc ${theirs}`,
      );
      assert.ok(ours >= testCase.minGrowth, `grew ${ours} bytes between the stops`);
      const secondTip = await waitFor(
        'the tip at the second stop',
        () => api.stopTips.shown.find((tip) => tip.uri === programUri.toString() && tip.line === lines[1] - 1),
        15000,
      );
      assert.match(secondTip.text, /^RES \+\d+(\.\d+)? MiB · [\d.]+ (ms|s|min) since last stop · /);
      assert.ok(
        !api.stopTips.shown.some((tip) => tip.uri === otherEditor.document.uri.toString()),
        'no tip in an editor of another file',
      );

      // What changed between the two stops, from smaps read at each.
      const comparison = await waitFor(
        `the comparison (now ${JSON.stringify(api.debugStops.comparison(sessionId))})`,
        () => {
          const value = api.debugStops.comparison(sessionId);
          return value && 'kinds' in value ? value : undefined;
        },
      );
      assert.equal(comparison.baselineId, first.id);
      assert.equal(comparison.stopId, second.id);
      assert.equal(
        comparison.kinds[0].kind,
        testCase.kind,
        `the largest change is ${comparison.kinds[0].kind}: ${JSON.stringify(comparison.kinds)}`,
      );
      assert.ok(comparison.kinds[0].rssBytes >= testCase.minGrowth * 0.9, JSON.stringify(comparison.kinds[0]));
      assert.equal(comparison.partialPause, !testCase.name.startsWith('lldb-vscode'));

      // The view lists both, newest first; the timeline has a marker for each.
      const row = await waitFor('the stops in the view', () =>
        api.debugView.state?.rows.find((candidate) => candidate.sessionId === sessionId && candidate.stops.length >= 2),
      );
      assert.deepEqual(
        row.stops.map((stop) => [stop.id, stop.location?.line]),
        [
          [second.id, lines[1]],
          [first.id, lines[0]],
        ],
      );
      assert.equal(row.stops[0].sincePrevious?.resBytes, ours);
      const markers = api.markers.of(first.identity!).filter((marker) => marker.kind === 'stop');
      assert.deepEqual(
        markers.map((marker) => marker.label),
        [`${path.basename(program)}:${lines[0]}`, `${path.basename(program)}:${lines[1]}`],
      );

      // Stops are in the JSON export of the process's panel, with their figures.
      const panel = api.panels.show(first.identity!);
      assert.ok(panel, 'the inspect panel opens');
      const exported = vscode.Uri.file(path.join(dir, `${testCase.name}-export.json`));
      await panel.exportHistory('json', exported);
      const json = JSON.parse(readFileSync(exported.fsPath, 'utf8')) as {
        markers: {
          kind: string;
          stop?: { id: number; resBytes: number; location?: { line: number }; mappingKinds?: Record<string, number> };
        }[];
      };
      assert.deepEqual(
        json.markers
          .filter((marker) => marker.kind === 'stop')
          .map((marker) => [marker.stop?.id, marker.stop?.location?.line, marker.stop?.resBytes]),
        [
          [first.id, lines[0], first.reading!.resBytes],
          [second.id, lines[1], second.reading!.resBytes],
        ],
      );

      // With the RSS of each kind of mapping at each stop, as read from smaps there.
      const kinds = json.markers
        .filter((marker) => marker.kind === 'stop')
        .map((marker) => marker.stop?.mappingKinds ?? {});
      assert.ok(
        (kinds[1][testCase.kind] ?? 0) - (kinds[0][testCase.kind] ?? 0) >= testCase.minGrowth * 0.9,
        JSON.stringify(kinds),
      );

      // Running again: the tip goes at once (adapters send no `continued` after a continue request).
      await vscode.commands.executeCommand('workbench.action.debug.continue');
      await waitFor('the tip to go', () => !api.stopTips.shown.some((tip) => tip.uri === programUri.toString()), 5000);
      assert.equal(api.debugStops.currentStop(sessionId), undefined);
      console.log(
        `[stops] ${testCase.name}: stopped -> tip shown ${first.tipShownAfterMs?.toFixed(1)} ms (1st), ${second.tipShownAfterMs?.toFixed(1)} ms (2nd); smaps ${second.mappings?.ok ? second.mappings.costMs.toFixed(1) : '-'} ms; RES change ours ${ours} vs /proc ${theirs}`,
      );
    });
  }

  it('two sessions stopped at once: each tip in its own file, each session its own stops', async () => {
    const programs = ['left', 'right'].map((name, index) => {
      const program = path.join(dir, `${name}.js`);
      writeFileSync(
        program,
        [
          `require('fs').writeFileSync(process.argv[2], String(process.pid));`,
          ...Array.from({ length: index * 3 }, () => '// padding'),
          'debugger;',
          'setInterval(() => {}, 1000);',
        ].join('\n'),
      );
      return { program, pidFile: path.join(dir, `${name}.pid`), line: 2 + index * 3 };
    });
    await vscode.window.showTextDocument(vscode.Uri.file(programs[0].program), {
      viewColumn: vscode.ViewColumn.One,
      preview: false,
    });
    await vscode.window.showTextDocument(vscode.Uri.file(programs[1].program), {
      viewColumn: vscode.ViewColumn.Two,
      preview: false,
    });
    for (const { program, pidFile } of programs) {
      assert.ok(
        await vscode.debug.startDebugging(undefined, {
          type: 'node',
          request: 'launch',
          name: path.basename(program),
          program,
          args: [pidFile],
          console: 'internalConsole',
        }),
      );
    }
    for (const { program, pidFile } of programs) {
      const pid = await waitFor(`${program} to write its PID`, () => readPid(pidFile), 60000);
      const sessionId = await waitFor('its session', () => foundSession(api, pid)?.id, 30000);
      const stop = await waitFor(
        'its stop, read and placed',
        () => api.debugStops.stopsOf(sessionId)[0]?.place && api.debugStops.stopsOf(sessionId)[0],
        60000,
      );
      assert.equal(stop.place!.label.file, path.basename(program));
      assert.equal(stop.identity!.pid, pid);
      assert.equal(api.debugStops.stopsOf(sessionId).length, 1);
    }
    const tips = await waitFor(
      'both tips',
      () => (api.stopTips.shown.length === 2 ? api.stopTips.shown : undefined),
      15000,
    );
    assert.deepEqual(
      tips.map((tip) => [path.basename(vscode.Uri.parse(tip.uri).fsPath), tip.line]).sort(),
      programs.map(({ program, line }) => [path.basename(program), line - 1]).sort(),
    );
  });

  it('Memory: Add Marker puts a labelled marker on the timeline of the process in focus', async () => {
    const pidFile = path.join(dir, 'marked.pid');
    const { configuration } = CASES[0].prepare(dir, pidFile);
    assert.ok(await vscode.debug.startDebugging(undefined, configuration));
    const pid = await waitFor('the program to write its PID', () => readPid(pidFile), 60000);
    await waitFor('the debuggee in focus', () => api.focus.current?.identity.pid === pid, 30000);
    const marker = (await vscode.commands.executeCommand('procMemory.addMarker', 'after <b>load</b>')) as
      | { label: string; kind: string }
      | undefined;
    assert.equal(marker?.label, 'after <b>load</b>');
    const identity = api.focus.current!.identity;
    const user = api.markers.of(identity).filter((candidate) => candidate.kind === 'user');
    assert.deepEqual(
      user.map((candidate) => candidate.label),
      ['after <b>load</b>'],
    );
  });

  it('procMemory.inlineTips.enabled false: no tip, the stops are still listed', async () => {
    await setSetting('inlineTips.enabled', false);
    const pidFile = path.join(dir, 'off.pid');
    const { program, configuration } = CASES[0].prepare(dir, pidFile);
    await vscode.window.showTextDocument(vscode.Uri.file(program), { preview: false });
    const {
      session: { id: sessionId },
    } = await startDebuggee(api, configuration, pidFile);
    await waitFor(
      'the first stop, read and placed',
      () => api.debugStops.stopsOf(sessionId)[0]?.place && api.debugStops.stopsOf(sessionId)[0]?.reading,
      60000,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(api.stopTips.shown, []);
    await setSetting('inlineTips.enabled', true);
    await waitFor('the tip once turned on', () => api.stopTips.shown.length === 1);
  });
});

describe('recordings of debug sessions', function () {
  this.timeout(180000);
  let api: ProcMemoryApi;
  let dir: string;

  before(async () => {
    api = await procMemoryApi();
    dir = mkdtempSync(path.join(os.tmpdir(), 'proc-memory-recordings-'));
  });

  after(async () => {
    await closeAllEditors();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a debug session is recorded by itself and kept when it ends, with its stops; the editor opens it', async () => {
    const pidFile = path.join(dir, 'grow.pid');
    const program = writeGrowScript(dir);
    const saved = new Promise<vscode.Uri>((resolve) => {
      const listener = api.recorder.onDidSave((uri) => {
        listener.dispose();
        resolve(uri);
      });
    });
    assert.ok(
      await vscode.debug.startDebugging(undefined, {
        type: 'node',
        request: 'launch',
        name: 'recorded grow',
        program,
        args: [pidFile],
        console: 'internalConsole',
      }),
    );
    const pid = await waitFor('the program to write its PID', () => readPid(pidFile), 60000);
    const sessionId = await waitFor('its session', () => foundSession(api, pid)?.id, 30000);
    await waitFor('the first stop', () => api.debugStops.stopsOf(sessionId)[0]?.reading, 60000);
    const resAtFirst = statmBytes(pid).res;
    await new Promise((resolve) => setTimeout(resolve, 1500)); // a sample or two at the first stop
    await vscode.commands.executeCommand('workbench.action.debug.continue');
    await waitFor(
      'the second stop',
      () => api.debugStops.stopsOf(sessionId)[1]?.place && api.debugStops.stopsOf(sessionId)[1]?.reading,
      60000,
    );
    const resAtSecond = statmBytes(pid).res;
    await new Promise((resolve) => setTimeout(resolve, 1500)); // a sample or two at the second stop
    await vscode.debug.stopDebugging();
    const file = await saved;
    const recording = JSON.parse(readFileSync(file.fsPath, 'utf8'));
    assert.equal(recording.schema, 'proc-memory/recording');
    assert.equal(recording.process.pid, pid);
    assert.match(
      recording.context.debugSession,
      new RegExp(`grow\\.js \\[${pid}\\]`),
      'js-debug names the session after the program and its PID',
    );
    assert.ok(
      recording.samples.res.includes(resAtFirst) ||
        recording.samples.res.some((res: number) => Math.abs(res - resAtFirst) < MiB),
      'RES at the first stop is in the samples',
    );
    assert.ok(
      Math.max(...recording.samples.res) >= resAtSecond - MiB,
      `peak ${Math.max(...recording.samples.res)} vs RES at the second stop ${resAtSecond}`,
    );
    assert.deepEqual(
      recording.markers
        .filter((marker: { kind: string }) => marker.kind === 'stop')
        .map((marker: { label: string }) => marker.label),
      ['grow.js:3', 'grow.js:5'],
    );
    assert.ok(
      (await api.recorder.list()).some((uri) => uri.toString() === file.toString()),
      'listed among the recent recordings',
    );

    await vscode.commands.executeCommand('procMemory.openRecording', file);
    const shown = await waitFor('the editor to show it', () => api.recordings.shown.get(file.toString()));
    assert.equal(shown.type, 'recording');
    if (shown.type === 'recording') {
      assert.equal(shown.summary.stops, 2);
      assert.equal(shown.summary.peakResBytes, Math.max(...recording.samples.res));
      assert.equal(shown.history.res.length, recording.samples.res.length);
    }
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
    assert.ok(
      tab?.input instanceof vscode.TabInputCustom && tab.input.viewType === 'procMemory.recording',
      'opened in the recording editor',
    );
  });

  it("export, reopen and compare: a panel's export opens in the editor and compares with the session's recording", async () => {
    const allocator = await startAllocator(32);
    try {
      const identity = api.sampleProcess(allocator.pid);
      assert.ok(identity.ok);
      // As a user opens it: the inspected process is then the one in focus, which Add Marker marks.
      const panel = (await vscode.commands.executeCommand<InspectPanel | undefined>(
        'procMemory.inspectProcess',
        allocator.pid,
      ))!;
      await waitFor('the inspected process in focus', () => api.focus.current?.identity.pid === allocator.pid);
      await waitFor('a few samples', () => (api.sampler.history(identity.value.identity)?.length ?? 0) >= 2, 15000);
      await vscode.commands.executeCommand('procMemory.addMarker', 'before the export');
      const exported = vscode.Uri.file(path.join(dir, 'exported.procmem.json'));
      await panel.exportHistory('json', exported);
      await vscode.commands.executeCommand('procMemory.openRecording', exported);
      const shown = await waitFor('the export in the editor', () => api.recordings.shown.get(exported.toString()));
      assert.equal(shown.type, 'recording');
      if (shown.type === 'recording') {
        const json = JSON.parse(readFileSync(exported.fsPath, 'utf8'));
        assert.deepEqual(shown.history.res, json.samples.res, 'what the editor draws is what was exported');
        assert.equal(shown.process.pid, allocator.pid);
        assert.deepEqual(
          shown.markers.map((marker) => marker.label),
          ['before the export'],
        );
      }
      const recent = (await api.recorder.list())[0];
      assert.ok(recent, 'the debug session of the test before is among the recent recordings');
      const comparison = await vscode.commands.executeCommand<{ state: unknown; panel: vscode.WebviewPanel }>(
        'procMemory.compareRecordings',
        exported,
        recent,
      );
      const state = await waitFor(
        'the comparison',
        () =>
          comparison.state as { type: string; verdict?: string; a?: { pid: number }; b?: { pid: number } } | undefined,
      );
      assert.equal(state.type, 'compare');
      assert.equal(state.a?.pid, allocator.pid);
      assert.match(state.verdict ?? '', /^(Run B peaks|Both runs peak)/);
      comparison.panel.dispose();
    } finally {
      await allocator.kill();
    }
  });

  it('bad files get a clear message: not JSON, another version, truncated, 200 MB', async () => {
    const files: [string, (file: string) => void, RegExp][] = [
      ['not-json.procmem.json', (file) => writeFileSync(file, 'hello'), /not JSON/],
      [
        'version-9.procmem.json',
        (file) => writeFileSync(file, JSON.stringify({ schema: 'proc-memory/recording', version: 9 })),
        /version 9/,
      ],
      [
        'cut.procmem.json',
        (file) => writeFileSync(file, '{"schema": "proc-memory/recording", "version": 1, "samples": {"timeMs": [1, 2'),
        /truncated/,
      ],
      [
        'huge.procmem.json',
        (file) => truncateSync((writeFileSync(file, ''), file), 200 * 1024 * 1024),
        /200\.0 MiB.*at most 64 MiB/,
      ],
    ];
    for (const [name, write, reason] of files) {
      const file = vscode.Uri.file(path.join(dir, name));
      write(file.fsPath);
      await vscode.commands.executeCommand('vscode.openWith', file, 'procMemory.recording');
      const shown = await waitFor(`the message for ${name}`, () => api.recordings.shown.get(file.toString()));
      assert.equal(shown.type, 'invalid', name);
      assert.match(shown.type === 'invalid' ? shown.reason : '', reason, name);
    }
  });

  it('a bad file gets a clear message in the editor, and a fixed file reloads', async () => {
    const file = vscode.Uri.file(path.join(dir, 'broken.procmem.json'));
    writeFileSync(file.fsPath, '{"schema": "proc-memory/recording", "version": 1, "process": {"pid": 1');
    await vscode.commands.executeCommand('vscode.openWith', file, 'procMemory.recording');
    const shown = await waitFor('the message', () => api.recordings.shown.get(file.toString()));
    assert.equal(shown.type, 'invalid');
    assert.match(shown.type === 'invalid' ? shown.reason : '', /truncated/);
    writeFileSync(
      file.fsPath,
      JSON.stringify({
        schema: 'proc-memory/recording',
        version: 1,
        process: { pid: 1, startTicks: 1, name: 'fixed' },
        context: {},
        samples: { timeMs: [1, 2], res: [1, 2], virt: [1, 2], shr: [1, 1] },
        markers: [],
      }),
    );
    await waitFor('the reload', () => api.recordings.shown.get(file.toString())?.type === 'recording', 15000);
  });
});
