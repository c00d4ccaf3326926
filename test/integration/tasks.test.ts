// Task runs in a real extension host: a shell task runs a C program (test/programs/taskTree.c) that
// forks 8 children allocating known amounts at known times, one grandchild orphaned before it
// allocates. The recording is compared with the test's own 50 ms sampling of smaps_rollup of every
// PID the program wrote down itself, and the end-of-run line, the comparison with the last run
// and the budget warning are checked against the recording.
import * as assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ProcMemoryApi } from '../../src/extension';
import { formatBytes, formatDelta } from '../../shared/format';
import { readRecordingFile } from '../../src/recordings/readRecording';
import { MiB } from '../../shared/units';
import { procMemoryApi, setSetting, shellTask, waitFor } from './helpers';
import { compileTaskTree, programTree, runTreeTask } from './taskTree';

/** Resolves when the task labelled `label` ends. */
function endOf(label: string): Promise<void> {
  return new Promise((resolve) => {
    const listener = vscode.tasks.onDidEndTask((event) => {
      if (event.execution.task.name === label) {
        listener.dispose();
        resolve();
      }
    });
  });
}

describe('task runs', function () {
  this.timeout(180000);
  let api: ProcMemoryApi;
  let binary: string;
  const dirs: string[] = [];

  before(async () => {
    api = await procMemoryApi();
    binary = compileTaskTree();
    await setSetting('tasks.sampleIntervalMs', 100);
  });

  after(async () => {
    // Task terminals stay open; the status bar would follow them in later tests.
    vscode.window.terminals.forEach((terminal) => terminal.dispose());
    await setSetting('tasks.sampleIntervalMs', undefined);
    await setSetting('tasks.memoryBudgetMiB', undefined);
    rmSync(path.dirname(binary), { recursive: true, force: true });
    for (const dir of dirs) {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("records the whole tree: its PSS peak within 5 % of the test's own, every member named, the orphan too, the exit code", async () => {
    const { finished, dir, measuredPeak } = await runTreeTask(api, binary, 'tree build', { exitCode: 3 });
    dirs.push(dir);
    const run = finished.run;
    // The program's own figures: 40 x 8 MiB allocated and held together, plus small baselines.
    assert.ok(
      measuredPeak > 44 * 8 * MiB && measuredPeak < 44 * 8 * MiB * 1.05,
      `the test's own peak ${formatBytes(measuredPeak)}`,
    );
    const error = Math.abs(run.peak.pssBytes - measuredPeak) / measuredPeak;
    assert.ok(
      error < 0.05,
      `recorded peak ${formatBytes(run.peak.pssBytes)} vs measured ${formatBytes(measuredPeak)} (${(error * 100).toFixed(1)} %)`,
    );
    assert.equal(run.peak.source, 'sampled-pss');
    assert.equal(run.exitCode, 3);
    assert.equal(run.label, 'tree build');
    const tree = programTree(dir);
    assert.equal(tree.size, 10);
    const members = new Map(run.members.map((member) => [member.pid, member]));
    for (const [pid, role] of tree) {
      assert.ok(members.has(pid), `${role} (PID ${pid}) is a member: ${[...members.keys()].join(' ')}`);
    }
    const orphan = [...tree].find(([, role]) => role === 'grandchild')?.[0] as number;
    assert.ok(members.get(orphan)?.reparentedTo, 'the orphaned grandchild is named as re-parented');
    // The member that held most at the peak is child-7 (64 MiB), by the program's own roles.
    assert.equal(tree.get(run.peak.largest?.pid ?? -1), 'child-7');
    assert.ok(run.peak.largest && run.peak.largest.pssBytes >= 64 * MiB);
    // Each member's VmHWM: child-7's peak RES covers its 64 MiB.
    const child7 = [...tree].find(([, role]) => role === 'child-7')?.[0] as number;
    assert.ok((members.get(child7)?.hwmBytes ?? 0) >= 64 * MiB);
    assert.ok(run.durationMs >= 2500, `duration ${run.durationMs} ms`);
    // The file holds the same run.
    assert.ok(finished.file);
    const parsed = await readRecordingFile(finished.file);
    assert.ok(parsed.ok && parsed.recording.task);
    assert.equal(parsed.recording.task.peak.pssBytes, run.peak.pssBytes);
    assert.equal(Math.max(...parsed.recording.task.pss), run.peak.pssBytes);
    // The 32 MiB shared mapping is in the RES of the 9 processes that read it, and once in the PSS sum.
    const resPeak = Math.max(...parsed.recording.samples.res);
    assert.ok(
      resPeak > run.peak.pssBytes + 7 * 32 * MiB,
      `RES summed ${formatBytes(resPeak)} counts the shared pages again and again; PSS summed ${formatBytes(run.peak.pssBytes)} once`,
    );
  });

  it('ends with the peak in the status bar, and the difference with the last run of the same task', async () => {
    const first = await runTreeTask(api, binary, 'tree compare', { scaleMiB: 4 });
    dirs.push(first.dir);
    const second = await runTreeTask(api, binary, 'tree compare', { scaleMiB: 8 });
    dirs.push(second.dir);
    assert.equal(second.finished.last?.peak.pssBytes, first.finished.run.peak.pssBytes);
    const run = second.finished.run;
    const expected = `tree compare peaked at ${formatBytes(run.peak.pssBytes)} (PSS, ${run.peak.processes} processes) · ${formatDelta(run.peak.pssBytes - first.finished.run.peak.pssBytes)} vs the last run`;
    const shown = api.taskRunStatus.shown.at(-1)?.text ?? '';
    assert.ok(shown.endsWith(expected), `${shown} ends with ${expected}`);
    // Twice the memory: the difference is about 44 x 4 MiB.
    const delta = run.peak.pssBytes - first.finished.run.peak.pssBytes;
    assert.ok(Math.abs(delta - 44 * 4 * MiB) < 44 * 4 * MiB * 0.1, `delta ${formatBytes(delta)}`);
    assert.ok(api.taskRunStatus.state.visible);
    // Memory: Compare Recordings works on task runs: their trees' PSS summed (shared pages once),
    // with RES summed beside, as each recording holds them.
    assert.ok(first.finished.file && second.finished.file);
    const comparison = await api.recordings.compare(first.finished.file, second.finished.file);
    const state = await waitFor('the comparison', () => comparison.state);
    comparison.panel.dispose();
    assert.ok(state.type === 'compare', JSON.stringify(state).slice(0, 200));
    const [a, b] = await Promise.all([readRecordingFile(first.finished.file), readRecordingFile(second.finished.file)]);
    assert.ok(a.ok && b.ok);
    assert.ok(a.recording.task && b.recording.task);
    assert.equal(state.figure, 'PSS summed');
    assert.equal(state.a.peakBytes, a.recording.task.peak.pssBytes);
    assert.equal(state.b.peakBytes, b.recording.task.peak.pssBytes);
    assert.deepEqual(state.b.values, b.recording.task.pss);
    assert.equal(state.a.peakResBytes, Math.max(...a.recording.samples.res));
    assert.equal(state.b.peakResBytes, Math.max(...b.recording.samples.res));
    // RES summed counts the 32 MiB every child shares once per process: well above PSS summed.
    assert.ok(state.b.peakResBytes > state.b.peakBytes + 7 * 32 * MiB, JSON.stringify(state.b).slice(0, 300));
    const said = `Run B peaks ${formatBytes(state.b.peakBytes - state.a.peakBytes)} higher than run A in PSS summed (${formatBytes(state.b.peakBytes)} against ${formatBytes(state.a.peakBytes)}; RES summed ${formatBytes(state.b.peakResBytes)} against ${formatBytes(state.a.peakResBytes)});`;
    assert.ok(state.verdict.startsWith(said), `${state.verdict} starts with ${said}`);
    assert.ok(first.finished.last === undefined || first.finished.last.label === 'tree compare');
  });

  it('warns when a run goes over its budget, or comes within 10 % of it, with the figures', async () => {
    await setSetting('tasks.memoryBudgetMiB', { 'tree budget': 200 });
    const over = await runTreeTask(api, binary, 'tree budget');
    dirs.push(over.dir);
    const peak = over.finished.run.peak.pssBytes;
    assert.equal(
      api.tasks.warnings.at(-1),
      `Memory: tree budget went over its memory budget: its peak PSS summed over the tree was ${formatBytes(peak)}, ${formatBytes(peak - 200 * MiB)} more than the ${formatBytes(200 * MiB)} budget (${Math.round((peak / (200 * MiB)) * 100)} %).`,
    );
    const budgetMiB = Math.ceil(peak / MiB / 0.95);
    await setSetting('tasks.memoryBudgetMiB', budgetMiB);
    const warningsBefore = api.tasks.warnings.length;
    const near = await runTreeTask(api, binary, 'tree budget');
    dirs.push(near.dir);
    // The same program holds the same memory: its peak lands near 95 % of that budget again.
    const nearPeak = near.finished.run.peak.pssBytes;
    assert.equal(
      api.tasks.warnings.at(-1),
      `Memory: tree budget came within 10 % of its memory budget: its peak PSS summed over the tree was ${formatBytes(nearPeak)} of the ${formatBytes(budgetMiB * MiB)} budget (${Math.round((nearPeak / (budgetMiB * MiB)) * 100)} %, ${formatBytes(budgetMiB * MiB - nearPeak)} left).`,
    );
    assert.equal(api.tasks.warnings.length, warningsBefore + 1);
    await setSetting('tasks.memoryBudgetMiB', 100000);
    const fine = api.tasks.warnings.length;
    dirs.push((await runTreeTask(api, binary, 'tree budget')).dir);
    assert.equal(api.tasks.warnings.length, fine, 'no warning far below the budget');
  });

  it('says a CustomExecution task has no process to measure', async () => {
    const before = api.tasks.withoutProcess.length;
    const task = new vscode.Task(
      { type: 'proc-memory-custom' },
      vscode.TaskScope.Workspace,
      'in-extension [task](command:evil)',
      'proc-memory-test',
      new vscode.CustomExecution(async () => {
        const closed = new vscode.EventEmitter<number>();
        const written = new vscode.EventEmitter<string>();
        return {
          onDidWrite: written.event,
          onDidClose: closed.event,
          open: () => setTimeout(() => closed.fire(0), 50),
          close: () => undefined,
        };
      }),
    );
    const notRecorded = api.tasks.notRecorded.length;
    const ended = endOf(task.name);
    await vscode.tasks.executeTask(task);
    await waitFor('the task without a process', () => api.tasks.withoutProcess.length > before);
    assert.match(api.taskRunStatus.state.text, /no process to measure$/);
    assert.match(api.taskRunStatus.state.tooltip, /CustomExecution/);
    // Its end (with the process events VS Code may send for its pseudoterminal) is no failed recording.
    await ended;
    assert.equal(api.tasks.notRecorded.length, notRecorded);
    assert.match(api.taskRunStatus.state.text, /no process to measure$/);
  });

  it('says when a run cannot be recorded, and why, rather than nothing', async () => {
    // A shell that exits at once: gone before VS Code tells us its PID, or before a walk sees it.
    const label = 'quick $(zap) [x](command:evil)';
    const finished = api.tasks.finished.length;
    const notRecorded = api.tasks.notRecorded.length;
    const task = shellTask(label, 'exit 0', 'quick');
    task.presentationOptions = { reveal: vscode.TaskRevealKind.Never };
    const ended = endOf(label);
    await vscode.tasks.executeTask(task);
    await ended;
    await waitFor(
      'an answer: the run recorded, or why not',
      () => api.tasks.finished.length > finished || api.tasks.notRecorded.length > notRecorded,
    );
    if (api.tasks.finished.length > finished) {
      console.log('      (a walk saw the shell alive: recorded; the other tests check recorded runs)');
      return;
    }
    console.log(`      not recorded: ${api.tasks.notRecorded.at(-1)?.why}`);
    const why = api.tasks.notRecorded.at(-1);
    assert.ok(why);
    assert.equal(why.label, label);
    assert.match(
      why.why,
      /^its process \(PID \d+\) cannot be read: The process has exited$|^no walk of its tree found a process/,
    );
    // Said in the status bar, its label shown as text (no icon, no link).
    assert.equal(api.taskRunStatus.state.text, '$(circle-slash) quick \\$(zap) [x](command:evil): not recorded');
    assert.equal(api.taskRunStatus.state.tooltip, `The run of task "${label}" was not recorded: ${why.why}.`);
  });
});
