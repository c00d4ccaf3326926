import * as vscode from 'vscode';
import { MAX_SITES, RUNTIME_GROWTH_LABEL, SessionAllocations, StopAllocations } from '../../shared/allocationSites';
import { Commands, readConfig, registerCommand } from '../contributions';
import { Disposable } from '../dispose';
import { escapeNotificationLinks } from '../core/textEscapes';
import { DebugStops, Stop, StopEvent } from './debugStops';
import { attributeSites } from './allocations/siteAttribution';
import { CdpTimeout } from './allocations/cdpConnection';
import { EVALUATION_BOUND_MS, StopContext, Tracer } from './allocations/tracer';
import { TracemallocSites } from './allocations/tracemallocSites';
import { V8Sampler } from './allocations/v8Sampler';

/** What turning tracking on costs, in the words of the setting and the command's notification. */
export const TRACKING_COST =
  "Python's tracemalloc slows the program while it runs (about 3x on average, up to 20x) and holds a record of every live block; V8's sampling heap profiler costs little while the program runs but forces a full garbage collection at every stop.";

/** debugpy's session types (and the test adapter's): tracemalloc through the helper module. */
const PYTHON_TYPES = /python|debugpy/;
/** js-debug's session types: V8's sampler through its CDP proxy. */
const V8_TYPES = /^(pwa-)?(node|chrome|msedge|extensionHost)$|^node-terminal$/;

interface SessionTracking {
  tracer: Tracer;
  started: boolean;
  /** The stop of the last read: the next read counts from there. */
  lastStopId: number | undefined;
  /** Reads run one after the other, never two at once in the same program. */
  queue: Promise<void>;
}

/**
 * The lines that allocated memory between two stops (opt in: `procMemory.allocations.enabled` for
 * every session, or Memory: Track Allocations for the session in focus). Starts the runtime's
 * tracer at the first stop where it is on, reads it at each later stop, and puts the top sites on
 * the stop. Runs after the stop's /proc reading, off the adapter's path: stepping never waits on it,
 * and a stop that ended before its answer came drops it.
 */
export class AllocationTracking extends Disposable {
  private readonly sessions = new Map<string, SessionTracking>();
  /** Sessions the command turned tracking on for. */
  private readonly chosen = new Set<string>();

  constructor(private readonly stops: DebugStops) {
    super();
    this.register(stops.onDidStop((event) => this.onStop(event)));
    this.register(vscode.debug.onDidTerminateDebugSession((session) => this.forget(session.id)));
    this.register(registerCommand(Commands.TrackAllocations, () => this.trackFocusedSession()));
    this.register({ dispose: () => [...this.sessions.keys()].forEach((id) => this.forget(id)) });
  }

  /** What the debug view shows of a session: the sites of its current stop, or of its latest stop that has any. */
  viewOf(sessionId: string): SessionAllocations | undefined {
    const current = this.stops.currentStop(sessionId);
    const stop = current?.allocations ? current : this.stops.stopsOf(sessionId).findLast((other) => other.allocations);
    return stop?.allocations && { stopId: stop.id, current: stop === current, allocations: stop.allocations };
  }

  /** Opens the source of a stop's site (the view's click). */
  async openSite(sessionId: string, stopId: number, index: number): Promise<void> {
    const stop = this.stops.stopsOf(sessionId).find((candidate) => candidate.id === stopId);
    const site = stop?.allocations?.state === 'sites' ? stop.allocations.sites[index] : undefined;
    if (!site || !site.frame.path.startsWith('/')) {
      return;
    }
    const position = new vscode.Position(Math.max(0, site.frame.line - 1), 0);
    await vscode.window.showTextDocument(vscode.Uri.file(site.frame.path), {
      selection: new vscode.Range(position, position),
      preserveFocus: false,
    });
  }

  private async trackFocusedSession(): Promise<void> {
    const session = vscode.debug.activeDebugSession;
    if (!session) {
      void vscode.window.showInformationMessage('Memory: Track Allocations needs a debug session in focus.');
      return;
    }
    this.chosen.add(session.id);
    void vscode.window.showInformationMessage(
      `Tracking the lines that allocate memory in "${escapeNotificationLinks(session.name)}" from its next stop. The cost: ${TRACKING_COST}`,
    );
  }

  private enabledFor(session: vscode.DebugSession): boolean {
    if (readConfig('allocations.enabled')) {
      return true;
    }
    // The command names the session in focus, which may be the parent of the one that stops (js-debug).
    for (let current: vscode.DebugSession | undefined = session; current; current = current.parentSession) {
      if (this.chosen.has(current.id)) {
        return true;
      }
    }
    return false;
  }

  private onStop({ stop, session }: StopEvent): void {
    if (!this.enabledFor(session)) {
      return;
    }
    let tracking = this.sessions.get(session.id);
    if (!tracking) {
      const tracer = tracerFor(session);
      if (!tracer) {
        this.settle(stop, {
          state: 'unavailable',
          reason: `Allocation sites are read for Node (js-debug) and Python (debugpy) programs, not for "${session.type}" sessions. Native programs are out of reach while the debugger holds the process.`,
        });
        return;
      }
      tracking = { tracer, started: false, lastStopId: undefined, queue: Promise.resolve() };
      this.sessions.set(session.id, tracking);
    }
    const state = tracking;
    this.settle(stop, { state: 'reading', tracer: state.tracer.kind });
    state.queue = state.queue.then(() => this.readAt(state, stop, { session, threadId: stop.threadId }));
  }

  private async readAt(tracking: SessionTracking, stop: Stop, context: StopContext): Promise<void> {
    if (!this.isCurrent(stop)) {
      this.settle(stop, { state: 'unavailable', reason: 'The program ran on before its allocations could be read.' });
      return;
    }
    const tracer = tracking.tracer;
    const started = performance.now();
    let result: StopAllocations;
    try {
      if (!tracking.started) {
        await tracer.start(context);
        tracking.started = true;
        result = { state: 'started', tracer: tracer.kind };
      } else {
        const reading = await tracer.read(context);
        const { sites, sitesBytes } = attributeSites(reading.traces, reading.libraryPrefixes);
        if (tracer instanceof V8Sampler) {
          await tracer.mapToSources(sites.slice(0, MAX_SITES));
        }
        result = {
          state: 'sites',
          tracer: tracer.kind,
          sites,
          sitesBytes,
          runtimeGrowth:
            reading.runtimeGrowthBytes === undefined
              ? undefined
              : { bytes: reading.runtimeGrowthBytes, label: RUNTIME_GROWTH_LABEL[tracer.kind] },
          partial: reading.partial,
          sinceStopId: tracking.lastStopId ?? stop.id - 1,
          costMs: performance.now() - started,
        };
      }
      tracking.lastStopId = stop.id;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      result = {
        state: 'unavailable',
        reason:
          error instanceof CdpTimeout
            ? `Reading the allocations took longer than ${EVALUATION_BOUND_MS / 1000} s (${message}): not shown at this stop.`
            : `The allocations could not be read: ${message}.`,
      };
    }
    this.settle(
      stop,
      this.isCurrent(stop)
        ? result
        : { state: 'unavailable', reason: 'The program ran on before its allocations arrived.' },
    );
  }

  private isCurrent(stop: Stop): boolean {
    return this.stops.currentStop(stop.sessionId) === stop;
  }

  private settle(stop: Stop, allocations: StopAllocations): void {
    stop.allocations = allocations;
    this.stops.stopChanged(stop);
  }

  private forget(sessionId: string): void {
    this.sessions.get(sessionId)?.tracer.dispose();
    this.sessions.delete(sessionId);
    this.chosen.delete(sessionId);
  }
}

function tracerFor(session: vscode.DebugSession): Tracer | undefined {
  if (V8_TYPES.test(session.type)) {
    return new V8Sampler(session);
  }
  if (PYTHON_TYPES.test(session.type)) {
    return new TracemallocSites(session);
  }
  return undefined;
}
