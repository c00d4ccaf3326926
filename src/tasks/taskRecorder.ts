import * as os from 'os';
import * as vscode from 'vscode';
import { formatBytes } from '../../shared/format';
import { TaskRun, TaskRunGroup } from '../../shared/taskRun';
import { budgetText } from '../../shared/taskRunText';
import { readConfig } from '../contributions';
import { SessionRecorder } from '../debug/sessionRecorder';
import { Disposable } from '../dispose';
import { oomKillEvidence, OomAlerts } from '../oomAlerts';
import { isOwnGroup, memoryGroupOf, MemoryGroup, readCgroupPeak } from '../proc/cgroupPeak';
import { readCommandLine } from '../proc/commandLine';
import { judgeExit, OomBaseline, readOomBaseline } from '../proc/oomKill';
import { describeProcError } from '../proc/outcome';
import { ProcessIdentity, readIdentity } from '../proc/processIdentity';
import { ProcessTreeWalk } from '../proc/processTreeWalk';
import { readRecordingFile } from '../recordings/readRecording';
import { makeRecording, RECORDING_SUFFIX, recordingToJson } from '../recordings/recordingFile';
import { escapeNotificationLinks } from '../core/textEscapes';
import { taskBudgetBytes } from './taskBudget';
import { TaskRunRecording } from './taskRunRecording';
import { TaskRunStatus } from './taskRunStatus';

/** A group a run with a memory limit will run in, waiting for its task to start. */
export interface ExpectedGroup {
  /** Undefined for a systemd scope, whose path is known once it runs (found as the tree's own group). */
  group?: MemoryGroup;
  limitBytes: number;
  /** Called once the run is recorded (or could not be): the group may go. */
  release(): void;
}

interface ActiveRun {
  execution: vscode.TaskExecution;
  root: ProcessIdentity;
  walk: ProcessTreeWalk;
  recording: TaskRunRecording;
  timer: NodeJS.Timeout;
  /** The group the run has to itself: a limit run's, or one found holding the tree alone. */
  group: MemoryGroup | undefined;
  limit: ExpectedGroup | undefined;
  /** The last peak read of that group (a systemd scope goes with its last process). */
  groupPeak: { bytes: number; file: string } | undefined;
  oomBaseline: OomBaseline | undefined;
  commandLine: string;
}

/** A run that could not be recorded, and why: said in the status bar and the log. */
export interface UnrecordedTaskRun {
  label: string;
  /** What VS Code gave as the task's process (the shell of a shell task). */
  processId: number | undefined;
  why: string;
}

/** A run recorded and saved: for the status bar, the tests, and other extensions. */
export interface FinishedTaskRun {
  run: TaskRun;
  last: TaskRun | undefined;
  file: vscode.Uri | undefined;
}

/**
 * Records every task run with a process (on by default, `procMemory.tasks.record`): its whole tree
 * walked every `procMemory.tasks.sampleIntervalMs`, RES and PSS summed, the peak and who held most
 * at it, the exit code and duration; saved beside the debug sessions' recordings. This is the one
 * thing polled while nothing shows it: one subtree walk per interval, for as long as the task runs.
 */
export class TaskRecorder extends Disposable {
  private readonly active = new Map<vscode.TaskExecution, ActiveRun>();
  /** Runs whose process start was seen (recorded or not). */
  private readonly started = new WeakSet<vscode.TaskExecution>();
  /** Runs already going when the recorder began: their start could not be seen. */
  private readonly startedBefore = new WeakSet<vscode.TaskExecution>();
  private readonly expected = new Map<string, ExpectedGroup>();
  private readonly finishedEmitter = this.register(new vscode.EventEmitter<FinishedTaskRun>());
  /** Fires when a run has been saved (or could not be: `file` undefined). */
  readonly onDidFinish = this.finishedEmitter.event;
  /** Runs finished, newest last; for tests. */
  readonly finished: FinishedTaskRun[] = [];
  /** Budget and OOM warnings shown; for tests. */
  readonly warnings: string[] = [];
  /** Labels of tasks that ran without a process (CustomExecution); for tests. */
  readonly withoutProcess: string[] = [];
  /** Runs that could not be recorded, newest last; for tests. */
  readonly notRecorded: UnrecordedTaskRun[] = [];
  private readonly hostGroup = memoryGroupOf(process.pid);

  constructor(
    private readonly recordings: SessionRecorder,
    private readonly status: TaskRunStatus,
    private readonly oomAlerts: OomAlerts,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this.register(
      vscode.tasks.onDidStartTask((event) => {
        const task = event.execution.task;
        if (task.execution instanceof vscode.CustomExecution && readConfig('tasks.record')) {
          this.withoutProcess.push(task.name);
          this.log.info(`Task "${task.name}": a CustomExecution, with no process to record.`);
          this.status.showNoProcess(task.name);
        }
      }),
    );
    this.register(vscode.tasks.onDidStartTaskProcess((event) => this.start(event.execution, event.processId)));
    // VS Code waits for us before it lists tasks to run (activation event onCommand:
    // workbench.action.tasks.runTask), but a task run on folder open, or by another extension, can
    // start before we are active: its end says so.
    for (const execution of vscode.tasks.taskExecutions) {
      this.startedBefore.add(execution);
      this.log.info(`Task "${execution.task.name}": already running when Proc Memory started, so not recorded.`);
    }
    this.register(vscode.tasks.onDidEndTaskProcess((event) => void this.end(event.execution, event.exitCode)));
    this.register({ dispose: () => this.active.forEach((run) => clearInterval(run.timer)) });
  }

  /** The runs being recorded now. */
  get running(): { label: string; root: ProcessIdentity; walk: ProcessTreeWalk; points: number }[] {
    return [...this.active.values()].map((run) => ({
      label: run.recording.label,
      root: run.root,
      walk: run.walk,
      points: run.recording.points.length,
    }));
  }

  /** The next run of the task labelled `label` runs in `group`: its limit and exact peak go with it. */
  expectGroup(label: string, group: ExpectedGroup): void {
    this.expected.get(label)?.release();
    this.expected.set(label, group);
  }

  private start(execution: vscode.TaskExecution, processId: number): void {
    this.started.add(execution);
    const task = execution.task;
    if (task.execution instanceof vscode.CustomExecution) {
      return; // no process of its own: onDidStartTask said so
    }
    const limit = this.expected.get(task.name);
    this.expected.delete(task.name);
    if (!readConfig('tasks.record')) {
      limit?.release();
      return;
    }
    const root = readIdentity(processId);
    if (!root.ok) {
      limit?.release();
      this.cannotRecord(
        task.name,
        processId,
        `its process (PID ${String(processId)}) cannot be read: ${describeProcError(root.error).replace(/\.$/, '')}`,
      );
      return;
    }
    this.log.info(`Task "${task.name}": recording the tree of PID ${processId}.`);
    const walk = new ProcessTreeWalk(root.value);
    const group = limit?.group ?? memoryGroupOf(processId);
    const run: ActiveRun = {
      execution,
      root: root.value,
      walk,
      recording: new TaskRunRecording(task.name, task.source, Date.now()),
      timer: setInterval(() => this.sample(run), readConfig('tasks.sampleIntervalMs')),
      group: limit?.group,
      limit,
      groupPeak: undefined,
      oomBaseline: group ? readOomBaseline(group.version, group.path) : undefined,
      commandLine: readCommandLine(`/proc/${processId}`),
    };
    this.active.set(execution, run);
    this.sample(run);
  }

  private sample(run: ActiveRun): void {
    const reading = run.walk.walk();
    run.recording.add(reading);
    if (!run.group && reading.members.length > 0) {
      // A task started in a group of its own (systemd-run, a CI wrapper): its peak is exact.
      const group = memoryGroupOf(run.root.pid);
      const pids = new Set(reading.members.map((member) => member.identity.pid));
      if (group && isOwnGroup(group, pids, this.hostGroup)) {
        run.group = group;
      }
    }
    if (run.group) {
      const peak = readCgroupPeak(run.group);
      if (peak.ok) {
        run.groupPeak = { bytes: peak.value.bytes, file: peak.value.file };
      }
    }
  }

  private async end(execution: vscode.TaskExecution, exitCode: number | undefined): Promise<void> {
    const run = this.active.get(execution);
    if (!run) {
      const custom = execution.task.execution instanceof vscode.CustomExecution;
      if (!this.started.has(execution) && !custom && readConfig('tasks.record')) {
        this.cannotRecord(
          execution.task.name,
          undefined,
          this.startedBefore.has(execution)
            ? 'it started before Proc Memory was active'
            : 'VS Code reported its end, but never the start of its process',
        );
      }
      return;
    }
    this.active.delete(execution);
    clearInterval(run.timer);
    this.sample(run); // members that outlive the task, and the group's final peak
    const endMs = Date.now();
    const cause = judgeExit(run.oomBaseline);
    const oomKill = cause.kind === 'oom-kill' ? oomKillEvidence(cause, undefined) : undefined;
    const group: TaskRunGroup | undefined = run.group
      ? {
          version: run.group.version,
          path: run.group.path,
          limitBytes: run.limit?.limitBytes,
          peakBytes: run.groupPeak?.bytes,
          peakFile: run.groupPeak?.file,
        }
      : undefined;
    run.limit?.release();
    const label = run.recording.label;
    const finished = run.recording.finish(endMs, exitCode, run.walk.members, readConfig('tasks.sampleIntervalMs'), {
      group,
      budgetBytes: run.limit?.limitBytes ?? taskBudgetBytes(label),
      oomKill,
    });
    if (!finished) {
      this.cannotRecord(
        label,
        run.root.pid,
        `no walk of its tree found a process (it ended within ${readConfig('tasks.sampleIntervalMs')} ms, the sample interval)`,
      );
      return;
    }
    this.log.info(
      `Task "${label}": ended with exit code ${exitCode ?? 'unknown'}; ${run.recording.points.length} samples, peak ${formatBytes(finished.peak.bytes)} (${finished.peak.processes} processes) at +${finished.peak.atMs - finished.startMs} ms.`,
    );
    const last = await this.lastRunOf(label);
    const file = await this.save(run, finished);
    const result = { run: finished, last, file };
    this.finished.push(result);
    this.status.showRun(finished, last, file);
    const budget = budgetText(finished);
    if (oomKill) {
      this.oomAlerts.notify(run.root, label, oomKill);
      this.warnings.push(`OOM: ${oomKill}`);
    }
    if (budget) {
      const message = `Memory: ${escapeNotificationLinks(budget.text)}`;
      this.warnings.push(message);
      void (budget.level === 'over'
        ? vscode.window.showErrorMessage(message)
        : vscode.window.showWarningMessage(message));
    }
    this.finishedEmitter.fire(result);
  }

  /** Not silence: the status bar and the log say which run was not recorded, and why. */
  private cannotRecord(label: string, processId: number | undefined, why: string): void {
    this.notRecorded.push({ label, processId, why });
    this.log.warn(`Task "${label}": not recorded: ${why}.`);
    this.status.showNotRecorded(label, why);
  }

  /** The newest saved run of the same task, if any. */
  private async lastRunOf(label: string): Promise<TaskRun | undefined> {
    try {
      await vscode.workspace.fs.createDirectory(this.recordings.folder); // list() of a missing folder logs a warning
    } catch {
      return undefined;
    }
    for (const uri of await this.recordings.list()) {
      if (!uri.path.includes('-task-')) {
        continue;
      }
      const parsed = await readRecordingFile(uri);
      if (parsed.ok && parsed.recording.task?.label === label) {
        return parsed.recording.task;
      }
    }
    return undefined;
  }

  private async save(run: ActiveRun, finished: TaskRun): Promise<vscode.Uri | undefined> {
    const folder = this.recordings.folder;
    const name = finished.label.replace(/[^\w.-]+/g, '_').slice(0, 60) || 'task';
    const stamp = new Date(finished.startMs).toISOString().replace(/[:.]/g, '-');
    const file = vscode.Uri.joinPath(folder, `${stamp}-task-${name}-${run.root.pid}${RECORDING_SUFFIX}`);
    const recording = makeRecording(
      { ...run.root, name: finished.label, commandLine: run.commandLine },
      run.recording.points,
      [
        {
          timeMs: finished.peak.atMs,
          kind: 'user',
          label: 'peak',
          detail: `PSS summed over ${finished.peak.processes} processes: ${formatBytes(finished.peak.pssBytes)}`,
        },
      ],
      {
        kernel: os.release(),
        totalRamBytes: os.totalmem(),
        cgroupLimitBytes: finished.group?.limitBytes,
        sampleIntervalMs: finished.sampleIntervalMs,
      },
    );
    recording.task = finished;
    try {
      await vscode.workspace.fs.createDirectory(folder);
      await vscode.workspace.fs.writeFile(
        file,
        Buffer.from(recordingToJson(recording, readConfig('recordings.includeCommandLine')), 'utf8'),
      );
      await this.recordings.prune();
      return file;
    } catch (error) {
      void vscode.window.showWarningMessage(
        `Memory: the recording of task "${finished.label}" could not be saved: ${error instanceof Error ? error.message : String(error)}`,
      );
      return undefined;
    }
  }
}
