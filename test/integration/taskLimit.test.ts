// `Memory: Run Task with Memory Limit` in a real extension host, in a real cgroup: the same task
// under a limit below its peak is OOM-killed and says so with the counter; above its peak it
// passes, with the group's exact peak as the test reads it from the group's own file.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ProcMemoryApi } from '../../src/extension';
import type { LimitedRunStart } from '../../src/tasks/limitedTaskRun';
import { formatBytes } from '../../shared/format';
import { skipBecause } from '../skip';
import { compileTaskTree } from './taskTree';
import { MiB } from '../../shared/units';
import { ownV1MemoryGroup, procMemoryApi, setSetting, shellTask, V1_MEMORY, waitFor } from './helpers';

function treeTask(binary: string, dir: string, label: string): vscode.Task {
  const task = shellTask(label, `'${binary}' '${dir}' 8 0`);
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Never };
  return task;
}

describe('task runs with a memory limit', function () {
  this.timeout(180000);
  let api: ProcMemoryApi;
  let binary: string;
  const dirs: string[] = [];

  before(async function () {
    api = await procMemoryApi();
    if (process.getuid?.() !== 0) {
      skipBecause(this, 'no-root', 'a child memory cgroup');
    } else if (ownV1MemoryGroup() === undefined) {
      skipBecause(this, 'no-cgroup-v1-memory', 'a child memory cgroup');
    }
    binary = compileTaskTree();
    await setSetting('tasks.sampleIntervalMs', 100);
  });

  after(async () => {
    // Task terminals stay open; the status bar would follow them in later tests.
    vscode.window.terminals.forEach((terminal) => terminal.dispose());
    await setSetting('tasks.sampleIntervalMs', undefined);
    for (const dir of dirs) {
      rmSync(dir, { recursive: true, force: true });
    }
    if (binary) {
      rmSync(path.dirname(binary), { recursive: true, force: true });
    }
  });

  async function run(label: string, limitMiB: number) {
    const dir = mkdtempSync(path.join(tmpdir(), 'task-limit-'));
    dirs.push(dir);
    mkdirSync(path.join(dir, 'pids'));
    mkdirSync(path.join(dir, 'roles'));
    mkdirSync(path.join(dir, 'allocated'));
    const before = api.tasks.finished.length;
    const started = (await vscode.commands.executeCommand(
      'procMemory.runTaskWithMemoryLimit',
      treeTask(binary, dir, label),
      limitMiB,
    )) as LimitedRunStart;
    assert.ok(started.ok && started.how === 'child-group' && started.groupPath, JSON.stringify(started));
    // The test's own reading of the group's peak, until the group goes.
    const file = `${V1_MEMORY}${started.groupPath}/memory.max_usage_in_bytes`;
    let groupPeak = 0;
    let inGroup = new Set<number>();
    const timer = setInterval(() => {
      try {
        groupPeak = Number(readFileSync(file, 'utf8'));
        const procs = readFileSync(`${V1_MEMORY}${started.groupPath}/cgroup.procs`, 'utf8').split('\n').filter(Boolean);
        inGroup = new Set([...inGroup, ...procs.map(Number)]);
      } catch {
        // gone
      }
    }, 50);
    const finished = await waitFor('the limited run to be recorded', () => api.tasks.finished[before], 60000);
    clearInterval(timer);
    return { finished, groupPeak, started, inGroup, dir };
  }

  it('under a limit below its peak: OOM-killed, and says so with the counter', async () => {
    const oomBefore = api.oomAlerts.shown.length;
    const { finished, started, inGroup } = await run('tree limited low', 200);
    const run200 = finished.run;
    assert.ok(started.ok);
    assert.ok(inGroup.size >= 9, `the tree ran in the group (${inGroup.size} processes seen there)`);
    assert.equal(run200.group?.path, started.ok ? started.groupPath : '');
    assert.equal(run200.group?.limitBytes, 200 * MiB);
    assert.match(run200.oomKill ?? '', /memory\.oom_control oom_kill of cgroup .*proc-memory-task-.* rose by \d+/);
    assert.match(api.taskRunStatus.shown.at(-1)?.text ?? '', /OOM-killed/);
    assert.ok(api.oomAlerts.shown.length > oomBefore, 'the OOM notification');
    assert.match(api.oomAlerts.shown.at(-1) ?? '', /tree limited low .* most likely killed by the kernel's OOM killer/);
    // The group's charge never went over the limit: that is what the limit means.
    assert.ok((run200.group?.peakBytes ?? Infinity) <= 200 * MiB);
  });

  it("above its peak: passes, with the group's exact peak as the group's own file says", async () => {
    const { finished, groupPeak, started, inGroup, dir } = await run('tree limited high', 512);
    const run512 = finished.run;
    assert.ok(started.ok);
    assert.equal(run512.oomKill, undefined);
    assert.equal(run512.peak.source, 'cgroup');
    assert.equal(run512.group?.peakFile, 'memory.max_usage_in_bytes');
    assert.equal(run512.group?.peakBytes, groupPeak, `recorded ${run512.group?.peakBytes}, the file said ${groupPeak}`);
    assert.equal(run512.peak.bytes, groupPeak);
    // The charge holds the 352 MiB the program touched (its shared mapping once); the PSS peak is the tree's, sampled.
    const tree = readdirSync(path.join(dir, 'pids')).map(Number);
    assert.ok(
      groupPeak >= 352 * MiB && groupPeak < 512 * MiB,
      `group peak ${formatBytes(groupPeak)}, PSS peak ${formatBytes(run512.peak.pssBytes)}; in the group: ${[...inGroup].join(' ')}; the tree: ${tree.join(' ')}`,
    );
    assert.ok(
      Math.abs(run512.peak.pssBytes - 352 * MiB) < 352 * MiB * 0.05,
      `PSS peak ${formatBytes(run512.peak.pssBytes)}`,
    );
    assert.match(
      api.taskRunStatus.shown.at(-1)?.text ?? '',
      /its cgroup's exact peak .* \(memory\.max_usage_in_bytes, page cache included\)/,
    );
    assert.doesNotMatch(api.taskRunStatus.shown.at(-1)?.text ?? '', /OOM/);
  });

  it('says why not for a task without a process', async () => {
    const result = (await vscode.commands.executeCommand(
      'procMemory.runTaskWithMemoryLimit',
      new vscode.Task(
        { type: 'proc-memory-custom' },
        vscode.TaskScope.Workspace,
        'custom',
        'proc-memory-test',
        new vscode.CustomExecution(async () => ({
          onDidWrite: new vscode.EventEmitter<string>().event,
          open: () => undefined,
          close: () => undefined,
        })),
      ),
      100,
    )) as LimitedRunStart;
    assert.deepEqual(result, { ok: false, why: 'it is a CustomExecution task, with no process to put in a cgroup' });
  });
});
