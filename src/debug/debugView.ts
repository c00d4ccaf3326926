import * as vscode from 'vscode';
import { Views } from '../contributions';
import { Disposable } from '../dispose';
import { History } from '../proc/history';
import { identityKey } from '../proc/processIdentity';
import { scanProcessTable } from '../proc/processTable';
import { sampleProcess } from '../proc/sampleProcess';
import { SampleEvent, Sampler, SamplerSettings } from '../proc/sampler';
import { toSnapshot } from '../processSnapshot';
import { DebugSessionRow, Figure, parseFromDebugView, ToDebugView } from '../protocol';
import { webviewHtml, webviewOptions } from '../webviewHtml';
import { isDebuggerCommand } from './debuggeePid';
import { DebuggedSession, DebugSessions } from './debugSessions';
import { descendants } from '../proc/processTree';

const SPARKLINE_POINTS = 60;

interface Watched {
  subscription: vscode.Disposable;
  event?: SampleEvent;
  children?: DebugSessionRow['children'];
  childrenReadAtMs: number;
}

/**
 * "Process Memory" in Run and Debug: one row per debug session with the live memory of its
 * process. Reads only while the view is visible; shows its last state at once when it comes back.
 */
export class DebugView extends Disposable implements vscode.WebviewViewProvider {
  private view: vscode.WebviewView | undefined;
  private readonly watched = new Map<string, Watched>();
  private readonly histories = new Map<string, History>();
  private lastState: ToDebugView | undefined;
  private ready = false;

  constructor(
    private readonly sessions: DebugSessions,
    private readonly sampler: Sampler,
    private readonly extensionUri: vscode.Uri,
    private readonly settings: () => SamplerSettings,
    private readonly openPanel: (pid: number, startTicks: number) => void,
    private readonly pickFor: (sessionId: string) => void,
  ) {
    super();
    this.register(vscode.window.registerWebviewViewProvider(Views.DebugView, this));
    this.register(sessions.onDidChange(() => this.refresh()));
    this.register({ dispose: () => this.unwatchAll() });
  }

  /** The state last sent to the view, for tests. */
  get state(): ToDebugView | undefined {
    return this.lastState;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    view.webview.options = webviewOptions(this.extensionUri);
    view.webview.html = webviewHtml(view.webview, this.extensionUri, 'debugView', 'Process Memory');
    view.onDidChangeVisibility(() => this.refresh());
    view.onDidDispose(() => {
      this.view = undefined;
      this.refresh();
    });
    view.webview.onDidReceiveMessage((raw) => {
      const message = parseFromDebugView(raw);
      if (!message) {
        return;
      }
      switch (message.type) {
        case 'ready':
          this.ready = true;
          this.refresh();
          break;
        case 'inspect':
          this.openPanel(message.pid, message.startTicks);
          break;
        case 'pick':
          this.pickFor(message.sessionId);
          break;
      }
    });
    this.refresh();
  }

  /** Subscribes to what is visible, drops the rest, and posts the new state. */
  private refresh(): void {
    const visible = this.view?.visible === true;
    const wanted = new Map<string, DebuggedSession>();
    if (visible) {
      for (const entry of this.sessions.all) {
        if (entry.identity && entry.status === 'found') {
          wanted.set(identityKey(entry.identity), entry);
        }
      }
    }
    for (const [key, watched] of this.watched) {
      if (!wanted.has(key)) {
        watched.subscription.dispose();
        this.watched.delete(key);
      }
    }
    for (const [key, entry] of wanted) {
      if (!this.watched.has(key) && entry.identity) {
        const watched: Watched = { subscription: { dispose() {} }, childrenReadAtMs: -Infinity };
        this.watched.set(key, watched);
        watched.subscription = this.sampler.watch(entry.identity, { history: this.histories.get(key) }, (event) => {
          watched.event = event;
          this.histories.set(key, event.history);
          this.readChildren(watched, event);
          this.post();
        });
      }
    }
    // Histories of sessions that are gone are not needed any more.
    const live = new Set(this.sessions.all.flatMap((entry) => (entry.identity ? [identityKey(entry.identity)] : [])));
    for (const key of this.histories.keys()) {
      if (!live.has(key)) {
        this.histories.delete(key);
      }
    }
    this.post();
  }

  /** The debuggee's own children (worker processes), summed; PSS so shared pages count once. */
  private readChildren(watched: Watched, event: SampleEvent): void {
    const now = Date.now();
    if (!event.outcome.ok || now - watched.childrenReadAtMs < this.settings().detailIntervalMs) {
      return;
    }
    watched.childrenReadAtMs = now;
    const table = scanProcessTable();
    if (!table.ok) {
      return;
    }
    // js-debug starts a watchdog below each Node program: the debugger's, not the program's.
    const children = descendants(table.value, event.identity.pid).filter((row) => !row.kernelThread && !isDebuggerCommand(row.name, row.commandLine));
    if (children.length === 0) {
      watched.children = undefined;
      return;
    }
    let pss: Figure = { bytes: 0 };
    for (const child of children) {
      const sample = sampleProcess(child.identity.pid, { expected: child.identity, detail: true });
      const rollup = sample.ok ? sample.value.rollup : undefined;
      if ('bytes' in pss && rollup?.ok) {
        pss = { bytes: pss.bytes + rollup.value.pss };
      } else if (rollup && !rollup.ok) {
        pss = { unavailable: 'PSS of a child process could not be read' };
      }
    }
    watched.children = { count: children.length, resBytes: children.reduce((sum, row) => sum + row.resBytes, 0), pss };
  }

  private post(): void {
    const rows = this.sessions.all.map((entry) => this.toRow(entry));
    this.lastState = { type: 'state', debugging: this.sessions.isDebugging, rows };
    if (this.view?.visible && this.ready) {
      void this.view.webview.postMessage(this.lastState);
    }
  }

  private toRow(entry: DebuggedSession): DebugSessionRow {
    const watched = entry.identity ? this.watched.get(identityKey(entry.identity)) : undefined;
    const event = watched?.event;
    const sample = event?.lastSample;
    const ended = event?.ended || entry.status === 'ended';
    const points = event?.history.points() ?? [];
    const baseline = entry.stopped ? entry.previousStopRes : entry.lastStopRes;
    const currentRes = entry.stopped ? entry.lastStopRes : sample?.resBytes;
    return {
      sessionId: entry.session.id,
      parentSessionId: entry.session.parentSession?.id,
      name: entry.session.name,
      debugType: entry.session.type,
      status: ended ? 'ended' : entry.status,
      message: event?.ended ? 'The process has exited.' : entry.message,
      snapshot: sample ? toSnapshot(sample) : undefined,
      sparkline: points.slice(-SPARKLINE_POINTS).map((point) => point.resBytes),
      sinceLastStop: baseline !== undefined && currentRes !== undefined ? currentRes - baseline : undefined,
      children: watched?.children,
    };
  }

  private unwatchAll(): void {
    for (const watched of this.watched.values()) {
      watched.subscription.dispose();
    }
    this.watched.clear();
  }
}
