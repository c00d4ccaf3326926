import { isPid } from '../shared/pid';
import * as vscode from 'vscode';
import { INSPECT_PANEL_TYPE } from './contributions';
import { Disposable } from './dispose';
import { InspectPanel } from './inspectPanel';
import { describeProcError } from './proc/outcome';
import { identityKey, ProcessIdentity, readIdentity, sameProcess } from './proc/processIdentity';
import { sampleProcess } from './proc/sampleProcess';
import { OomAlerts } from './oomAlerts';
import { Sampler } from './proc/sampler';
import { TimelineMarkers } from './timelineMarkers';

/**
 * All open inspect panels, one per process: opening a process that already has a panel reveals
 * it. Restores panels after a window reload, but only for the very same process.
 */
export class InspectPanelRegistry extends Disposable implements vscode.WebviewPanelSerializer {
  private readonly panels = new Map<string, InspectPanel>();

  constructor(
    private readonly sampler: Sampler,
    private readonly markers: TimelineMarkers,
    private readonly extensionUri: vscode.Uri,
    private readonly alerts: OomAlerts = new OomAlerts(),
  ) {
    super();
    this.register(vscode.window.registerWebviewPanelSerializer(INSPECT_PANEL_TYPE, this));
    this.register({ dispose: () => [...this.panels.values()].forEach((panel) => panel.dispose()) });
  }

  /** Open panels, for tests and the debug view. */
  get open(): readonly InspectPanel[] {
    return [...this.panels.values()];
  }

  /** Opens (or reveals) the panel of a process. Returns undefined if it cannot be read. */
  show(identity: ProcessIdentity): InspectPanel | undefined {
    const existing = this.panels.get(identityKey(identity));
    if (existing) {
      existing.reveal();
      return existing;
    }
    const sample = sampleProcess(identity.pid, { expected: identity });
    if (!sample.ok) {
      void vscode.window.showWarningMessage(`Cannot inspect PID ${identity.pid}: ${describeProcError(sample.error)}`);
      return undefined;
    }
    const panel = vscode.window.createWebviewPanel(INSPECT_PANEL_TYPE, '', vscode.ViewColumn.Active, {
      retainContextWhenHidden: false,
    });
    return this.adopt(
      new InspectPanel(
        panel,
        identity,
        this.sampler,
        this.markers,
        this.extensionUri,
        sample.value.name,
        undefined,
        this.alerts,
      ),
    );
  }

  /** Opens the panel of whatever process holds this PID now. */
  showPid(pid: number): InspectPanel | undefined {
    const identity = readIdentity(pid);
    if (!identity.ok) {
      void vscode.window.showWarningMessage(`Cannot inspect PID ${pid}: ${describeProcError(identity.error)}`);
      return undefined;
    }
    return this.show(identity.value);
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const saved = savedIdentity(state);
    if (!saved) {
      panel.dispose(); // a state we did not write: nothing trustworthy to restore
      return;
    }
    const now = readIdentity(saved.pid);
    const alive = now.ok && sameProcess(now.value, saved);
    const ended = alive
      ? undefined
      : {
          atMs: Date.now(),
          message: now.ok
            ? `PID ${saved.pid} now belongs to another process; this panel was for ${saved.name || 'a process'} that has exited.`
            : `${describeProcError(now.error)} It ended while the window was closed.`,
        };
    this.adopt(
      new InspectPanel(
        panel,
        saved,
        this.sampler,
        this.markers,
        this.extensionUri,
        saved.name || String(saved.pid),
        ended,
        this.alerts,
      ),
    );
  }

  private adopt(panel: InspectPanel): InspectPanel {
    const key = identityKey(panel.identity);
    this.panels.set(key, panel);
    panel.onDidClose(() => this.panels.delete(key));
    return panel;
  }
}

/** The state the inspect webview saves: `{ process: { pid, startTicks, name } }`. */
function savedIdentity(state: unknown): (ProcessIdentity & { name: string }) | undefined {
  const process = (state as { process?: { pid?: unknown; startTicks?: unknown; name?: unknown } } | undefined)?.process;
  if (!process || !isPid(process.pid) || !Number.isSafeInteger(process.startTicks)) {
    return undefined;
  }
  return {
    pid: process.pid as number,
    startTicks: process.startTicks as number,
    name: typeof process.name === 'string' ? process.name.slice(0, 64) : '',
  };
}
