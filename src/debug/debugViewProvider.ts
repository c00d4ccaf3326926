import * as vscode from 'vscode';
import { Views } from '../contributions';
import { Disposable, MutableDisposable } from '../dispose';
import { WebviewChannel } from '../webviewChannel';
import { History } from '../proc/history';
import { readChildrenTotals } from '../proc/childrenTotals';
import { SubtreeChildrenFiles } from '../proc/subtreeChildrenFiles';
import { oomKillEvidence } from '../oomAlerts';
import { identityKey } from '../proc/processIdentity';
import { SampleEvent, Sampler, SamplerSettings } from '../proc/sampler';
import { statusFigure } from '../core/processSnapshot';
import { QuietReadings } from '../core/quietReadings';
import {
  DebugSessionRow,
  DebugSessionSample,
  DebugSessionSnapshot,
  FromDebugView,
  parseFromDebugView,
  SPARKLINE_POINTS,
  TerminalRow,
  ToDebugView,
} from '../../shared/protocol/debugView';
import { Figure } from '../../shared/model';
import { ProcessSample } from '../proc/sampleProcess';
import { webviewHtml, webviewOptions } from '../webviewHtml';
import { isDebuggerCommand } from './core/debuggeePid';
import { DebuggedSession, DebugSessions } from './debugSessions';
import { DebugStops } from './debugStops';
import { TimelineMarkers } from '../timelineMarkers';
import type { AllocationTracking } from './allocationTracking';
import { ShellCommandLines } from '../terminals/shellCommandLines';
import { TerminalRows } from '../terminals/terminalRows';

interface Watched {
  subscription: vscode.Disposable;
  event?: SampleEvent;
  children?: DebugSessionRow['children'];
  childrenReadAtMs: number;
  /** The children files of its subtree's threads, kept open while it is watched (read every detail interval). */
  childrenFiles?: SubtreeChildrenFiles;
  /** Which of its readings the view hears of: those that change its rows, and one every few seconds. */
  quiet: QuietReadings;
  /** The live part of its rows as the view last got them, but the reading time (JSON). */
  shownLive?: string;
  /** The time of the newest point of its history that the view has. */
  shownPointMs: number;
  /** The reading whose figures the view's rows show, and the children they show with it. */
  shownFigures?: { sample: ProcessSample; children: Watched['children'] };
}

/**
 * "Process Memory" in Run and Debug: one row per debug session with the live memory of its
 * process, and one per terminal that runs a command, with the command's process tree. Reads only
 * while the view is visible; shows its last state at once when it comes back.
 * A sample sends only the figures of the rows it changes: the stops list and the comparison of two
 * stops (up to MAX_STOPS rows) are built and sent when the sessions, stops or markers change.
 */
export class DebugViewProvider extends Disposable implements vscode.WebviewViewProvider {
  private view: vscode.WebviewView | undefined;
  private readonly watched = new Map<string, Watched>();
  private readonly histories = new Map<string, History>();
  /** The OOM-kill evidence of processes that ended so, by identity: kept after their session ends. */
  private readonly oomKills = new Map<string, string>();
  /**
   * What a process no longer read (its session ended, or the view was hidden) last showed, by
   * identity: its row keeps its last figures instead of losing them at the next refresh.
   */
  private readonly lastSeen = new Map<string, Pick<Watched, 'event' | 'children'>>();
  /** The sessions whose rows the view was last sent in full: a sample updates only those. */
  private sentSessions = new Set<string>();
  private readonly channel = this.register(new MutableDisposable<WebviewChannel<ToDebugView, FromDebugView>>());
  /** The terminals that run a command: read while the view is visible. */
  readonly terminals: TerminalRows;

  constructor(
    private readonly sessions: DebugSessions,
    private readonly stops: DebugStops,
    private readonly markers: TimelineMarkers,
    private readonly sampler: Sampler,
    private readonly allocations: AllocationTracking,
    private readonly extensionUri: vscode.Uri,
    private readonly settings: () => SamplerSettings,
    private readonly openPanel: (pid: number, startTicks: number) => void,
    private readonly pickFor: (sessionId: string) => void,
    commandLines: ShellCommandLines,
  ) {
    super();
    this.terminals = this.register(new TerminalRows(commandLines, (rows) => this.postTerminals(rows)));
    this.register(vscode.window.registerWebviewViewProvider(Views.DebugView, this));
    this.register(sessions.onDidChange(() => this.refresh()));
    this.register(stops.onDidChange(() => this.post()));
    this.register(markers.onDidChange(() => this.post()));
    this.register({ dispose: () => this.unwatchAll() });
  }

  /** Every row as a state message would send it now, for tests. */
  get state(): Extract<ToDebugView, { type: 'state' }> {
    return {
      type: 'state',
      debugging: this.sessions.isDebugging,
      rows: this.sessions.all.map((entry) => this.toRow(entry)),
    };
  }

  /** Whether the view is shown (it reads only then). */
  get visible(): boolean {
    return this.view?.visible === true;
  }

  /** For tests: the last reading the view has of this process (the rows carry only what they show). */
  lastSampleOf(pid: number): ProcessSample | undefined {
    return [...this.watched.values()].find((watched) => watched.event?.identity.pid === pid)?.event?.lastSample;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    view.webview.options = webviewOptions(this.extensionUri);
    view.webview.html = webviewHtml(view.webview, this.extensionUri, 'debugView', 'Process Memory');
    view.onDidChangeVisibility(() => this.refresh());
    view.onDidDispose(() => {
      this.view = undefined;
      this.channel.value = undefined;
      this.refresh();
    });
    // A view resolved again has a new page, which says `ready` again.
    this.channel.value = new WebviewChannel<ToDebugView, FromDebugView>(view.webview, parseFromDebugView, {
      onReady: () => this.refresh(),
      onMessage: (message) => {
        switch (message.type) {
          case 'inspect':
            this.openPanel(message.pid, message.startTicks);
            break;
          case 'pick':
            this.pickFor(message.sessionId);
            break;
          case 'revealStop':
            void this.stops.reveal(message.sessionId, message.stopId);
            break;
          case 'setBaseline':
            this.stops.setBaseline(message.sessionId, message.stopId);
            break;
          case 'readMappings':
            void this.stops.readMappingsNow(message.sessionId);
            break;
          case 'openSite':
            void this.allocations.openSite(message.sessionId, message.stopId, message.index);
            break;
        }
      },
    });
    this.refresh();
  }

  /** Subscribes to what is visible, drops the rest, and posts the new state. */
  private refresh(): void {
    const visible = this.view?.visible === true;
    if (visible) {
      this.terminals.start();
    } else {
      this.terminals.stop();
    }
    const wanted = new Map<string, DebuggedSession>();
    if (visible) {
      for (const entry of this.sessions.all) {
        const key = entry.identity && identityKey(entry.identity);
        // An ended session's process is read until the sampler has seen it end: that reading
        // carries the OOM verdict, and the debugger often notices the exit first.
        const untilEnd =
          entry.status === 'ended' && key && this.watched.has(key) && !this.watched.get(key)?.event?.ended;
        if (key && (entry.status === 'found' || untilEnd)) {
          wanted.set(key, entry);
        }
      }
    }
    for (const [key, watched] of this.watched) {
      if (!wanted.has(key)) {
        watched.subscription.dispose();
        watched.childrenFiles?.close();
        this.watched.delete(key);
        if (watched.event) {
          this.lastSeen.set(key, { event: watched.event, children: watched.children });
        }
      }
    }
    for (const [key, entry] of wanted) {
      if (!this.watched.has(key) && entry.identity) {
        const watched: Watched = {
          subscription: { dispose() {} },
          childrenReadAtMs: -Infinity,
          quiet: new QuietReadings(),
          shownPointMs: -Infinity,
        };
        this.watched.set(key, watched);
        // The cgroup's OOM counters judge how the process ends.
        const options = { cgroup: true, history: this.histories.get(key) };
        watched.subscription = this.sampler.subscribe(entry.identity, options, (event) => {
          watched.event = event;
          this.lastSeen.delete(key);
          this.histories.set(key, event.history);
          if (event.exitCause?.kind === 'oom-kill') {
            this.oomKills.set(key, oomKillEvidence(event.exitCause, event.lastSample));
          }
          this.readChildren(watched, event);
          this.postSample(key);
        });
      }
    }
    // Histories of sessions that are gone are not needed any more.
    const live = new Set(this.sessions.all.flatMap((entry) => (entry.identity ? [identityKey(entry.identity)] : [])));
    for (const key of [...this.histories.keys(), ...this.oomKills.keys(), ...this.lastSeen.keys()]) {
      if (!live.has(key)) {
        this.histories.delete(key);
        this.oomKills.delete(key);
        this.lastSeen.delete(key);
      }
    }
    this.post();
  }

  /** The debuggee's own children (worker processes), summed; PSS so shared pages count once. */
  private readChildren(watched: Watched, event: SampleEvent): void {
    if (event.ended) {
      watched.childrenFiles?.close();
    }
    const now = Date.now();
    if (!event.outcome.ok || now - watched.childrenReadAtMs < this.settings().detailIntervalMs) {
      return;
    }
    watched.childrenReadAtMs = now;
    const { pid } = event.identity;
    watched.childrenFiles ??= new SubtreeChildrenFiles();
    // From the debuggee's own subtree (the cost grows with its children, not with every process),
    // by the stops' rule, so the row and the stops list agree; the debugger's helpers left out.
    const { count, resBytes, pssBytes } = readChildrenTotals(pid, isDebuggerCommand, undefined, watched.childrenFiles);
    const pss: Figure =
      pssBytes === undefined ? { unavailable: 'PSS of a child process could not be read' } : { bytes: pssBytes };
    watched.children = count > 0 ? { count, resBytes, pss } : undefined;
  }

  /** Every row in full. */
  private post(): void {
    if (this.view?.visible && this.channel.value?.ready) {
      const state = this.state;
      this.sentSessions = new Set(state.rows.map((row) => row.sessionId));
      for (const [key, watched] of this.watched) {
        // The rows carry the last SPARKLINE_POINTS of each history, and the live part of each row.
        watched.shownPointMs = watched.event?.history.latest()?.timeMs ?? -Infinity;
        watched.shownLive = liveWords(this.liveRowsOf(key));
        const shownSample = watched.event?.lastSample;
        watched.shownFigures = shownSample && { sample: shownSample, children: watched.children };
        const sampledAtMs = watched.event?.lastSample?.timeMs;
        if (sampledAtMs !== undefined) {
          watched.quiet.told(sampledAtMs);
        }
      }
      this.channel.value.post(state);
      this.channel.value.post({ type: 'terminals', rows: this.terminals.rows });
    }
  }

  private postTerminals(rows: TerminalRow[]): void {
    if (this.view?.visible && this.channel.value?.ready) {
      this.channel.value.post({ type: 'terminals', rows });
    }
  }

  /**
   * A new sample of the process `key`: the live part of the rows of the sessions debugging it, and
   * the points of its history the view does not have. A reading that changes none of those rows
   * waits (QuietReadings): a stopped program's figures hold still for as long as it stays stopped.
   */
  private postSample(key: string): void {
    const watched = this.watched.get(key);
    const event = watched?.event;
    if (!watched || !event || !this.view?.visible || !this.channel.value?.ready) {
      return;
    }
    if (this.sessions.all.some((entry) => isOf(entry, key) && !this.sentSessions.has(entry.session.id))) {
      // A session the view has no row for yet: send every row.
      this.post();
      return;
    }
    // Where the figures the rows show stand as the view has them, so does the rest of its rows: a
    // change of the sessions, stops or markers sends every row (post). Nothing to word then, at
    // each reading of a stopped program or an idle one.
    const sample = event.lastSample;
    const shown = watched.shownFigures;
    const alike =
      !event.ended &&
      sample !== undefined &&
      shown !== undefined &&
      watched.children === shown.children &&
      sameRowFigures(sample, shown.sample);
    // Else news is any change to these rows as sent. They are few, small and flat, so their JSON
    // tells; the inspect panel's snapshot is large and some of its changes are no news (snapshotDelta.ts).
    let live = alike ? undefined : this.liveRowsOf(key);
    if (live?.length === 0) {
      return;
    }
    const shownLive = live && liveWords(live);
    const taken = watched.quiet.take(
      sample?.timeMs ?? Date.now(),
      event.ended || (shownLive !== undefined && shownLive !== watched.shownLive),
    );
    if (!taken.send) {
      return;
    }
    live ??= this.liveRowsOf(key);
    if (live.length === 0) {
      return;
    }
    const points = event.history
      .last(SPARKLINE_POINTS, watched.shownPointMs)
      .map(({ timeMs, resBytes }) => ({ timeMs, resBytes }));
    watched.shownLive = shownLive ?? liveWords(live);
    watched.shownFigures = sample && { sample, children: watched.children };
    watched.shownPointMs = points.at(-1)?.timeMs ?? watched.shownPointMs;
    this.channel.value.post({ type: 'sample', rows: live.map((row) => ({ ...row, points })) });
  }

  /** The live part of the rows of the sessions that debug the process `key`. */
  private liveRowsOf(key: string): Omit<DebugSessionSample, 'points'>[] {
    return this.sessions.all.filter((entry) => isOf(entry, key)).map((entry) => this.liveOf(entry));
  }

  private toRow(entry: DebuggedSession): DebugSessionRow {
    const history = entry.identity ? this.watched.get(identityKey(entry.identity))?.event?.history : undefined;
    const points = history?.last(SPARKLINE_POINTS) ?? [];
    return {
      ...this.liveOf(entry),
      parentSessionId: entry.session.parentSession?.id,
      name: entry.session.name,
      debugType: entry.session.type,
      sparkline: points.map((point) => point.resBytes),
      sparklineTimesMs: points.map((point) => point.timeMs),
      markers: entry.identity ? this.markers.of(entry.identity) : [],
      stops: this.stops.rows(entry.session.id),
      comparison: this.stops.comparison(entry.session.id),
      allocations: this.allocations.viewOf(entry.session.id),
    };
  }

  /** What a row shows that changes with every sample, but the sparkline. */
  private liveOf(entry: DebuggedSession): Omit<DebugSessionSample, 'points'> {
    const key = entry.identity && identityKey(entry.identity);
    const watched = key ? this.watched.get(key) : undefined;
    const last = key ? this.lastSeen.get(key) : undefined;
    const event = watched?.event ?? last?.event;
    const sample = event?.lastSample;
    const ended = event?.ended || entry.status === 'ended';
    const oomKill = key && this.oomKills.get(key);
    return {
      sessionId: entry.session.id,
      status: ended ? 'ended' : entry.status,
      message: event?.ended ? 'The process has exited.' : entry.message,
      oomKill,
      snapshot: sample ? toDebugSnapshot(sample) : undefined,
      sinceLastStop: this.stops.sinceLastStop(entry.session.id, sample?.resBytes),
      children: watched?.children ?? last?.children,
    };
  }

  private unwatchAll(): void {
    for (const watched of this.watched.values()) {
      watched.subscription.dispose();
      watched.childrenFiles?.close();
    }
    this.watched.clear();
  }
}

/** The figures a row shows, straight from the sample: the panel's whole snapshot would be built and sent for nothing. */
function toDebugSnapshot(sample: ProcessSample): DebugSessionSnapshot {
  return {
    pid: sample.identity.pid,
    startTicks: sample.identity.startTicks,
    sampledAtMs: sample.timeMs,
    memoryless: sample.memoryless,
    resBytes: sample.resBytes,
    virtBytes: sample.virtBytes,
    shrBytes: sample.shrBytes,
    peakRes: statusFigure(sample, sample.status.vmHWM),
  };
}

/** Whether two readings give a row the same figures (toDebugSnapshot's, and since the last stop's RES). */
function sameRowFigures(a: ProcessSample, b: ProcessSample): boolean {
  return (
    a.identity.pid === b.identity.pid &&
    a.identity.startTicks === b.identity.startTicks &&
    a.memoryless === b.memoryless &&
    a.resBytes === b.resBytes &&
    a.virtBytes === b.virtBytes &&
    a.shrBytes === b.shrBytes &&
    a.status.vmHWM === b.status.vmHWM
  );
}

function isOf(entry: DebuggedSession, key: string): boolean {
  return entry.identity !== undefined && identityKey(entry.identity) === key;
}

/** Live rows as the view words them: all but the reading time. */
function liveWords(live: Omit<DebugSessionSample, 'points'>[]): string {
  return JSON.stringify(live, (name, value: unknown) => (name === 'sampledAtMs' ? undefined : value));
}
