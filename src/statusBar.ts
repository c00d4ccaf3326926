import * as vscode from 'vscode';
import { Commands, readConfig } from './contributions';
import { Disposable, MutableDisposable } from './dispose';
import { FocusTarget, FocusTracker, UnreadableTerminal } from './focusTracker';
import { formatBytes } from '../shared/format';
import { memoryWarning } from './core/memoryWarning';
import { oomKillEvidence, OomAlerts } from './oomAlerts';
import { CgroupMemory } from './proc/cgroup';
import { describeProcError, ok } from './proc/outcome';
import { ProcessSample, sampleCopy } from './proc/sampleProcess';
import { QUIET_MESSAGE_MS } from '../shared/protocol/quietMessages';
import { SampleEvent, Sampler } from './proc/sampler';
import { buildTooltip } from './statusBarTooltip';
import { escapeIcons, visibleText } from './core/textEscapes';

/** How long "exited" stays on screen before the entry falls back. */
export const EXIT_LINGER_MS = 5000;
/**
 * While the entry's text stays the same, its tooltip is rebuilt at most this often, and set only
 * when it reads differently. Nobody hovers most ticks, and every item property set sends the whole
 * entry (tooltip included) to the workbench: so figures the text does not show (VIRT, SHR, swap, the
 * last minute's change) may be up to this old in the hover, the group's sizes up to QUIET_MESSAGE_MS
 * (withShownGroup), while RES and the warning always match the text.
 */
export const TOOLTIP_REFRESH_MS = 5000;

/** The same group with the same limits and the same tightest level: only its sizes may differ. */
function sameLimits(a: CgroupMemory, b: CgroupMemory): boolean {
  return (
    a.path === b.path &&
    a.limitBytes === b.limitBytes &&
    a.workingSet.ok === b.workingSet.ok &&
    a.tightest?.level.path === b.tightest?.level.path &&
    a.tightest?.level.limitBytes === b.tightest?.level.limitBytes
  );
}

/** The status bar entry: RES of the process in focus, with a tooltip that explains it. */
export class StatusBar extends Disposable {
  private readonly item = this.register(
    vscode.window.createStatusBarItem('procMemory.status', vscode.StatusBarAlignment.Right, 100),
  );
  /** The sampler's readings of the process in focus. */
  private readonly subscription = this.register(new MutableDisposable());
  private lingerTimer: NodeJS.Timeout | undefined;
  private warning: string | undefined;
  private visible = false;
  /** What the last tooltip built from a sample showed in the text, and when it was built. */
  private tooltipKey: string | undefined;
  private tooltipBuiltAtMs = 0;
  /** The reading the entry was last built from, for the process it follows (sameAsShown). */
  private shownFrom: { target: FocusTarget; sample: ProcessSample } | undefined;
  /** The group whose figures the tooltip shows, and since when (withShownGroup). */
  private shownGroup: { group: CgroupMemory; atMs: number } | undefined;
  private background: 'warning' | 'error' | undefined;
  /** The label without the stop, and what the stop tip says while the process shown is stopped. */
  private baseLabel = '';
  private stopLabel: string | undefined;

  constructor(
    private readonly sampler: Sampler,
    private readonly focus: FocusTracker,
    private readonly alerts: OomAlerts = new OomAlerts(),
  ) {
    super();
    this.item.name = 'Process Memory';
    this.register(focus.onDidChange(() => this.follow()));
    this.register(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('procMemory.statusBar')) {
          this.follow();
        }
      }),
    );
    this.register({ dispose: () => this.unsubscribe() });
    this.follow();
  }

  /** What the entry shows now, and when its tooltip was last built from a sample; for tests. */
  get state(): {
    visible: boolean;
    text: string;
    tooltip: string;
    tooltipBuiltAtMs: number;
    warning: string | undefined;
  } {
    const tooltip = this.item.tooltip;
    return {
      visible: this.visible,
      text: this.item.text,
      tooltip: typeof tooltip === 'string' ? tooltip : (tooltip?.value ?? ''),
      tooltipBuiltAtMs: this.tooltipBuiltAtMs,
      warning: this.warning,
    };
  }

  private follow(): void {
    this.unsubscribe();
    const target = this.focus.current;
    if (!readConfig('statusBar.enabled')) {
      this.hide();
    } else if (target) {
      this.showLoading(target);
      // The cgroup (every detailIntervalMs) brings the limit the warning compares against.
      this.subscription.value = this.sampler.subscribe(target.identity, { cgroup: true }, (event) =>
        this.onSample(target, event),
      );
    } else if (this.focus.unreadableTerminal) {
      this.showUnreadableTerminal(this.focus.unreadableTerminal);
    } else if (readConfig('statusBar.showWhenIdle')) {
      this.showIdle();
    } else {
      this.hide();
    }
  }

  private onSample(target: FocusTarget, event: SampleEvent): void {
    if (event.outcome.ok) {
      this.showSample(target, event);
    } else if (event.ended) {
      this.showEnded(target, event, describeProcError(event.outcome.error));
    } else {
      // Readable again next time, perhaps: say what went wrong, keep watching.
      this.setText(`$(pulse) ${escapeIcons(event.lastSample?.name ?? String(target.identity.pid))} ?`);
      this.setTooltip(describeProcError(event.outcome.error));
      this.show();
    }
  }

  private showSample(target: FocusTarget, event: SampleEvent): void {
    const sample = event.lastSample as ProcessSample;
    const now = Date.now();
    if (this.sameAsShown(target, sample, now)) {
      return; // most ticks of a quiet process: nothing the entry shows moved, its tooltip is not due
    }
    this.warning = memoryWarning(sample, {
      aboveMiB: readConfig('statusBar.warnAboveMiB'),
      aboveCgroupPercent: readConfig('statusBar.warnAboveCgroupPercent'),
    });
    // Each property set costs a timer and a message with the whole entry: set only what changed.
    this.setText(
      `${this.warning ? '$(warning)' : '$(pulse)'} ${escapeIcons(sample.name)} ${sample.memoryless ? '–' : formatBytes(sample.resBytes)}`,
    );
    const key = `${this.item.text}\u0000${this.warning}\u0000${target.reason}\u0000${target.sessionName}`;
    const keyChanged = key !== this.tooltipKey;
    if (keyChanged || now - this.tooltipBuiltAtMs >= TOOLTIP_REFRESH_MS) {
      const reading = keyChanged ? this.showGroup(sample, now) : this.withShownGroup(sample, now);
      const tooltip = buildTooltip(target, reading, event.history, this.warning);
      // Set, it goes to the workbench with the whole entry: not when it says what it said.
      const shown = this.item.tooltip;
      if (typeof shown === 'string' || shown?.value !== tooltip.value) {
        this.item.tooltip = tooltip;
      }
      this.tooltipKey = key;
      this.tooltipBuiltAtMs = now;
    }
    this.setBackground(this.warning ? 'warning' : undefined);
    if (this.item.command === undefined || (this.item.command as vscode.Command).command !== Commands.InspectFocused) {
      this.item.command = { command: Commands.InspectFocused, title: 'Inspect Process' };
    }
    this.setAccessibilityLabel(
      `${sample.name}, process ${sample.identity.pid}, resident memory ${formatBytes(sample.resBytes)}${this.warning ? `, warning: ${this.warning}` : ''}`,
    );
    this.show();
    this.shownFrom = { target, sample };
  }

  /**
   * Whether `sample` would build the entry as it stands: the text, warning and label come from its
   * name, RES and cgroup (the same object until the next detail read), and its tooltip is not due.
   */
  private sameAsShown(target: FocusTarget, sample: ProcessSample, now: number): boolean {
    const shown = this.shownFrom;
    return (
      shown !== undefined &&
      shown.target === target &&
      this.tooltipKey !== undefined &&
      now - this.tooltipBuiltAtMs < TOOLTIP_REFRESH_MS &&
      shown.sample.name === sample.name &&
      shown.sample.memoryless === sample.memoryless &&
      shown.sample.resBytes === sample.resBytes &&
      shown.sample.cgroup === sample.cgroup
    );
  }

  private showEnded(target: FocusTarget, event: SampleEvent, reason: string): void {
    this.unsubscribe();
    const last = event.lastSample;
    const name = last?.name ?? String(target.identity.pid);
    this.warning = undefined;
    if (event.exitCause?.kind === 'oom-kill') {
      // Only with a counter that rose: a plain SIGKILL (exit 137) is no proof of an OOM kill.
      const evidence = oomKillEvidence(event.exitCause, last);
      this.setText(`$(error) ${escapeIcons(name)} OOM-killed?`);
      this.setTooltip(`Most likely killed by the kernel's OOM killer (PID ${target.identity.pid}). ${evidence}`);
      this.setBackground('error');
      this.setAccessibilityLabel(`${name}, process ${target.identity.pid}, most likely killed by the OOM killer`);
      this.alerts.notify(target.identity, name, evidence);
    } else {
      this.setText(`$(circle-slash) ${escapeIcons(name)} exited`);
      this.setTooltip(`${reason} (PID ${target.identity.pid})`);
      this.setBackground(undefined);
    }
    this.show();
    this.lingerTimer = setTimeout(() => {
      this.lingerTimer = undefined;
      this.focus.forget(target.identity);
    }, EXIT_LINGER_MS);
  }

  private showLoading(target: FocusTarget): void {
    this.setText(`$(loading~spin) ${target.identity.pid}`);
    this.setTooltip('Reading /proc…');
    this.show();
  }

  /**
   * The active terminal has no process to show: its shell cannot be read here, or it has exited.
   * Say so and why, rather than show nothing or another process.
   */
  private showUnreadableTerminal(terminal: UnreadableTerminal): void {
    this.warning = undefined;
    if (terminal.ended) {
      this.setText('$(terminal) $(circle-slash) exited');
      this.setTooltip(`Terminal "${visibleText(terminal.name)}": ${terminal.why}.`);
      this.setAccessibilityLabel(`Process memory: the terminal's process has exited`);
    } else {
      this.setText('$(terminal) $(circle-slash) not readable');
      this.setTooltip(`Proc Memory cannot follow terminal "${visibleText(terminal.name)}": ${terminal.why}.`);
      this.setAccessibilityLabel(`Process memory: the terminal's process cannot be read: ${terminal.why}`);
    }
    this.setBackground(undefined);
    this.item.command = { command: Commands.WatchProcess, title: 'Watch Process' };
    this.show();
  }

  private showIdle(): void {
    this.warning = undefined;
    this.setText('$(pulse) Memory');
    this.setTooltip('Proc Memory: choose a process to watch here');
    this.setBackground(undefined);
    this.item.command = { command: Commands.WatchProcess, title: 'Watch Process' };
    this.setAccessibilityLabel('Process memory: choose a process to watch');
    this.show();
  }

  /**
   * The reading with its group's sizes as the tooltip last showed them, up to QUIET_MESSAGE_MS old,
   * where nothing else of the group it shows moved. Every process in a busy group moves its working
   * set at every read, and each tooltip set sends the whole entry to the workbench, whose extension
   * host parses the markdown again (~70 KB of garbage each). A quiet inspect panel waits as long.
   */
  private withShownGroup(sample: ProcessSample, now: number): ProcessSample {
    const group = sample.cgroup?.ok ? sample.cgroup.value : undefined;
    const shown = this.shownGroup;
    if (!group || !shown || now - shown.atMs >= QUIET_MESSAGE_MS || !sameLimits(group, shown.group)) {
      return this.showGroup(sample, now);
    }
    const reading = sampleCopy(sample, sample.timeMs);
    reading.cgroup = ok(shown.group);
    return reading;
  }

  /** The reading as it is: its group's figures are the ones shown from now on. */
  private showGroup(sample: ProcessSample, now: number): ProcessSample {
    const group = sample.cgroup?.ok ? sample.cgroup.value : undefined;
    this.shownGroup = group && { group, atMs: now };
    return sample;
  }

  private setText(text: string): void {
    if (this.item.text !== text) {
      this.item.text = text;
    }
  }

  /** A plain tooltip; the next sample builds its own again. */
  private setTooltip(text: string): void {
    this.tooltipKey = undefined;
    this.shownFrom = undefined;
    if (this.item.tooltip !== text) {
      this.item.tooltip = text;
    }
  }

  private setBackground(background: 'warning' | 'error' | undefined): void {
    if (this.background !== background) {
      this.background = background;
      this.item.backgroundColor = background
        ? new vscode.ThemeColor(`statusBarItem.${background}Background`)
        : undefined;
    }
  }

  /** What a screen reader hears of the stop tip while the process shown is stopped (StopTipAccess). */
  setStopLabel(text: string | undefined): void {
    this.stopLabel = text;
    this.setAccessibilityLabel(this.baseLabel);
  }

  /** The accessibility label now: for tests. */
  get accessibilityLabel(): string | undefined {
    return this.item.accessibilityInformation?.label;
  }

  private setAccessibilityLabel(base: string): void {
    this.baseLabel = base;
    const label = this.stopLabel ? [base, this.stopLabel].filter(Boolean).join('; ') : base;
    if (this.item.accessibilityInformation?.label !== label) {
      this.item.accessibilityInformation = { label };
    }
  }

  private show(): void {
    if (!this.visible) {
      this.visible = true;
      this.item.show();
    }
  }

  private hide(): void {
    this.visible = false;
    this.shownFrom = undefined;
    this.warning = undefined;
    this.item.hide();
  }

  private unsubscribe(): void {
    this.subscription.clear();
    if (this.lingerTimer) {
      clearTimeout(this.lingerTimer);
      this.lingerTimer = undefined;
    }
  }
}
