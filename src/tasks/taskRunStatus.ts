import * as vscode from 'vscode';
import { formatBytes, formatInterval } from '../../shared/format';
import { TaskRun } from '../../shared/taskRun';
import { budgetText, peakText, versusLastText } from '../../shared/taskRunText';
import { Disposable } from '../dispose';
import { RECORDING_VIEW_TYPE } from '../recordings/recordingEditor';
import { escapeIcons } from '../core/textEscapes';

/** How long the end-of-run line stays in the status bar. */
export const END_OF_RUN_MS = 10_000;

/**
 * The end of a task run in the status bar for a few seconds: `build peaked at 1.84 GiB (PSS, 23
 * processes) · +312 MiB vs the last run`, the details on hover, the recording on click.
 */
export class TaskRunStatus extends Disposable {
  private readonly item = this.register(
    vscode.window.createStatusBarItem('procMemory.taskRun', vscode.StatusBarAlignment.Left, 10),
  );
  private timer: NodeJS.Timeout | undefined;
  /** Every line shown, newest last: for tests. */
  readonly shown: { text: string; tooltip: string }[] = [];

  constructor() {
    super();
    this.item.name = 'Task Memory';
    this.register({ dispose: () => this.timer && clearTimeout(this.timer) });
  }

  get state(): { visible: boolean; text: string; tooltip: string } {
    return { visible: this.timer !== undefined, text: this.item.text, tooltip: String(this.item.tooltip ?? '') };
  }

  showRun(run: TaskRun, last: TaskRun | undefined, file: vscode.Uri | undefined): void {
    const versus = versusLastText(run, last);
    const budget = budgetText(run);
    const icon = run.oomKill ? '$(error)' : budget ? '$(warning)' : '$(pulse)';
    const text = `${icon} ${escapeIcons(peakText(run))}${run.oomKill ? ' · OOM-killed' : ''}${versus ? ` · ${versus}` : ''}`;
    const largest = run.peak.largest;
    const lines = [
      peakText(run),
      `Peak at ${formatInterval(run.peak.atMs - run.startMs)} into the run${largest ? `; largest then: ${largest.name} (PID ${largest.pid}) ${formatBytes(largest.pssBytes)} PSS` : ''}.`,
      `Exit code ${run.exitCode ?? 'unknown'} after ${formatInterval(run.durationMs)}; ${run.members.length + run.membersOmitted} processes in all.`,
      ...(versus && last ? [`${versus} (${formatBytes(last.peak.pssBytes)} PSS then).`] : []),
      ...(budget ? [budget.text] : []),
      ...(run.group?.limitBytes
        ? [`Ran in cgroup ${run.group.path} with a ${formatBytes(run.group.limitBytes)} limit.`]
        : []),
      ...(run.oomKill ? [`A member was most likely killed by the kernel's OOM killer: ${run.oomKill}`] : []),
      'Peaks are sampled PSS sums (shared pages counted once) unless the task ran in its own cgroup; a sampler misses what lived or peaked between samples.',
    ];
    this.show(text, lines.join('\n'), file);
  }

  /** A task without a process (CustomExecution) has nothing to measure: say so. */
  showNoProcess(label: string): void {
    this.show(
      `$(circle-slash) ${escapeIcons(label)}: no process to measure`,
      `"${label}" is a CustomExecution task: it runs inside an extension, with no process of its own, so its memory cannot be told apart.`,
      undefined,
    );
  }

  /** A run that could not be recorded: say so and why, rather than show nothing. */
  showNotRecorded(label: string, why: string): void {
    this.show(
      `$(circle-slash) ${escapeIcons(label)}: not recorded`,
      `The run of task "${label}" was not recorded: ${why}.`,
      undefined,
    );
  }

  private show(text: string, tooltip: string, file: vscode.Uri | undefined): void {
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.command = file
      ? { command: 'vscode.openWith', title: 'Open Recording', arguments: [file, RECORDING_VIEW_TYPE] }
      : undefined;
    this.item.show();
    this.shown.push({ text, tooltip });
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.item.hide();
    }, END_OF_RUN_MS);
  }
}
