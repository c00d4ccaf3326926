import * as vscode from 'vscode';
import { Disposable } from '../dispose';
import { formatBytes, formatDelta, formatInterval } from '../../shared/format';
import { describeProcError } from '../proc/outcome';
import { identityKey, ProcessIdentity } from '../proc/processIdentity';
import { diffMappings, MappingsAtStop } from '../proc/smapsDiff';
import { MappingKind, StopLocation, TimelineMarker } from '../../shared/model';
import { MAX_STOPS, StopComparison, StopRow } from '../../shared/protocol/debugView';
import { TimelineMarkers } from '../timelineMarkers';
import { recordedSites, StopAllocations } from '../../shared/allocationSites';
import { DebugSessions } from './debugSessions';
import { DapFrame, framesOf, revealedFrame, sourceLabel } from './core/revealedFrame';
import { readStopMappings, readStopReading, StopMappings, StopReading } from './core/stopReading';
import { rowAccount, RuntimeAnswer, stopAccount } from './runtime/runtimeAnswer';
import { accountChange } from '../../shared/runtimeAccount';

/**
 * Requests after which the program runs again. Adapters send no `continued` event for them (the
 * DAP says so), so the stop ends when VS Code sends one.
 */
const RUN_REQUESTS = new Set([
  'continue',
  'next',
  'stepIn',
  'stepOut',
  'stepBack',
  'reverseContinue',
  'goto',
  'restartFrame',
]);

/**
 * Above this many mappings smaps is read on demand only ("Read mappings now"), not at every stop.
 * Its cost grows with the mappings (the kernel prints ~25 lines each): measured here ~4 ms for a
 * Node process (~1 000 mappings) and ~170 ms for 40 000 (see the bench). The count, not the time of
 * one read, decides: one read slowed by a busy machine must not turn the comparison off.
 */
export const MAPPINGS_AT_EVERY_STOP_MAX_COUNT = 20000;
/** Only the newest stops keep their mappings (a Node process has ~300 groups): older ones drop them. */
const STOPS_WITH_MAPPINGS = 50;
/** How long to wait for more frames (or VS Code's focus) when the frames seen do not settle the rule. */
const FOCUS_WAIT_MS = 300;
/** How long to wait for VS Code's own stackTrace request before asking the adapter ourselves. */
const OWN_REQUEST_AFTER_MS = 1500;

/** Debuggers that stop every thread of the program (native ones); interpreters pause only their own. */
const ALL_STOP_TYPES = /lldb|cppdbg|cppvsdbg|gdb|native|go|delve|rust/i;

/** Where a stop is, for editors (0-based line) and for people. */
export interface StopPlace {
  uri: vscode.Uri;
  line: number;
  label: StopLocation;
}

/** One stop of one debug session. */
export interface Stop {
  id: number;
  sessionId: string;
  identity: ProcessIdentity | undefined;
  atMs: number;
  /** performance.now() at the `stopped` event: the start of the "stopped to tip" measurement. */
  stoppedAtPerfMs: number;
  reason: string;
  threadId: number | undefined;
  place?: StopPlace;
  reading?: StopReading;
  /** Why there is no reading (the process could not be read). */
  readingError?: string;
  /**
   * The previous stop of the same process that has a reading: a copy of what the comparison needs,
   * not the stop itself, so that stops dropped from the list are not kept alive through a chain.
   */
  previous?: { id: number; atMs: number; reading: StopReading };
  mappings?: StopMappings;
  marker?: TimelineMarker;
  /** ms from the `stopped` event until the tip was first drawn in an editor. */
  tipShownAfterMs?: number;
  /** The lines that allocated memory since the previous stop, where allocation tracking is on. */
  allocations?: StopAllocations;
  /** What the program's runtime said of its memory at this stop (RuntimeAccounts). */
  runtime?: RuntimeAnswer;
}

/** A stop together with the session it belongs to: what features that ask the stopped program need. */
export interface StopEvent {
  stop: Stop;
  session: vscode.DebugSession;
}

interface SessionStops {
  session: vscode.DebugSession;
  /** Oldest first, at most MAX_STOPS. */
  stops: Stop[];
  /** The stop the program is in now; undefined while it runs. */
  current: Stop | undefined;
  /** Frames of the current stop's thread, by position, from the stackTrace responses seen. */
  frames: DapFrame[];
  /** True once a response said the stack has no more frames. */
  framesComplete: boolean;
  stackRequests: Map<number, { threadId: number; startFrame: number; levels: number }>;
  baselineId: number | undefined;
  comparisonCache?: { key: string; value: StopComparison | undefined };
  timers: Set<NodeJS.Timeout>;
}

/**
 * Every stop of every debug session: where the program stopped (the frame VS Code reveals), its
 * memory at that moment, smaps for "what changed between two stops", and a marker on the timeline.
 * The adapter tracker only notes what happened; every /proc read runs after it returns, so stepping
 * never waits on us.
 */
export class DebugStops extends Disposable {
  private readonly sessions = new Map<string, SessionStops>();
  private readonly changed = this.register(new vscode.EventEmitter<string>());
  /** Fires with the session id whose stops changed (a stop, its reading, its place, a resume). */
  readonly onDidChange = this.changed.event;
  private readonly stoppedEmitter = this.register(new vscode.EventEmitter<StopEvent>());
  /**
   * Fires once per stop, after its /proc reading and outside the adapter tracker (so a listener may
   * send requests to the adapter without holding up the stop), before its place is known.
   */
  readonly onDidStop = this.stoppedEmitter.event;
  private readonly resumedEmitter = this.register(new vscode.EventEmitter<StopEvent>());
  /** Fires when a stop ends: the program runs again (a run request or `continued`) or its session ended. */
  readonly onDidResume = this.resumedEmitter.event;
  /** How many mappings the last smaps read of each process had: what one more read will cost. */
  private readonly mappingsCount = new Map<string, number>();

  constructor(
    private readonly debugSessions: DebugSessions,
    private readonly markers: TimelineMarkers,
  ) {
    super();
    this.register(
      vscode.debug.registerDebugAdapterTrackerFactory('*', {
        createDebugAdapterTracker: (session) => ({
          onWillReceiveMessage: (message: unknown) => this.onRequest(session, message),
          onDidSendMessage: (message: unknown) => this.onAdapterMessage(session, message),
        }),
      }),
    );
    this.register(vscode.debug.onDidChangeActiveStackItem((item) => this.onFocusedFrame(item)));
    this.register(vscode.debug.onDidTerminateDebugSession((session) => this.onTerminate(session)));
    this.register({ dispose: () => [...this.sessions.values()].forEach((state) => this.clearTimers(state)) });
  }

  /** Stops of a session, oldest first. */
  stopsOf(sessionId: string): readonly Stop[] {
    return this.sessions.get(sessionId)?.stops ?? [];
  }

  /** The stop a session is in now, if it is stopped. */
  currentStop(sessionId: string): Stop | undefined {
    return this.sessions.get(sessionId)?.current;
  }

  /** Every session's current stop: what the tips show. */
  get currentStops(): Stop[] {
    return [...this.sessions.values()].flatMap((state) => (state.current ? [state.current] : []));
  }

  /** The stops list of the debug view, newest first. */
  rows(sessionId: string): StopRow[] {
    const stops = this.sessions.get(sessionId)?.stops ?? [];
    return stops
      .slice()
      .reverse()
      .map((stop) => ({
        id: stop.id,
        atMs: stop.atMs,
        reason: stop.reason,
        location: stop.place?.label,
        resBytes: stop.reading?.resBytes,
        sincePrevious: sincePrevious(stop),
        hasMappings: stop.mappings?.ok === true,
        account: rowAccount(stop),
      }));
  }

  /** RES change since the last stop: at a stop, since the one before; while running, since the last one. */
  sinceLastStop(sessionId: string, currentRes: number | undefined): number | undefined {
    const state = this.sessions.get(sessionId);
    const last = state?.stops.findLast((stop) => stop.reading);
    if (!state || !last?.reading) {
      return undefined;
    }
    if (state.current === last) {
      return sincePrevious(last)?.resBytes;
    }
    return currentRes !== undefined ? currentRes - last.reading.resBytes : undefined;
  }

  /** What changed between the baseline (the previous stop with mappings, or the one chosen) and the latest stop. */
  comparison(sessionId: string): StopComparison | undefined {
    const state = this.sessions.get(sessionId);
    const latest = state?.stops.at(-1);
    if (!state || !latest || state.stops.length < 2) {
      return undefined;
    }
    const chosen =
      state.baselineId !== undefined
        ? state.stops.find((stop) => stop.id === state.baselineId && stop !== latest)
        : undefined;
    const baseline =
      chosen ?? state.stops.findLast((stop) => stop !== latest && stop.mappings?.ok && sameProcess(stop, latest));
    const key = `${baseline?.id}:${latest.id}:${baseline?.mappings?.ok}:${latest.mappings?.ok}:${state.current === latest}:${baseline?.runtime?.status}:${latest.runtime?.status}`;
    if (state.comparisonCache?.key !== key) {
      state.comparisonCache = { key, value: this.compare(state, baseline, latest) };
    }
    return state.comparisonCache.value;
  }

  /** Compare the latest stop with this one from now on. */
  setBaseline(sessionId: string, stopId: number): void {
    const state = this.sessions.get(sessionId);
    if (state?.stops.some((stop) => stop.id === stopId)) {
      state.baselineId = stopId;
      this.changed.fire(sessionId);
    }
  }

  /** Reads smaps at the current stop now (where it was too costly to read at every stop). */
  async readMappingsNow(sessionId: string): Promise<void> {
    const stop = this.sessions.get(sessionId)?.current;
    if (stop?.identity) {
      await this.readMappings(stop, stop.identity);
    }
  }

  /** Opens the editor at a stop's location (the stops list's click). */
  async reveal(sessionId: string, stopId: number): Promise<void> {
    const place = this.sessions.get(sessionId)?.stops.find((stop) => stop.id === stopId)?.place;
    if (place) {
      const position = new vscode.Position(place.line, 0);
      await vscode.window.showTextDocument(place.uri, {
        selection: new vscode.Range(position, position),
        preserveFocus: false,
      });
    }
  }

  /** Something a feature keeps on a stop changed (its runtime's answer): redraw, and update its marker. */
  stopChanged(stop: Stop): void {
    this.updateMarker(stop);
    this.changed.fire(stop.sessionId);
  }

  private stateFor(session: vscode.DebugSession): SessionStops {
    let state = this.sessions.get(session.id);
    if (!state) {
      state = {
        session,
        stops: [],
        current: undefined,
        frames: [],
        framesComplete: false,
        stackRequests: new Map(),
        baselineId: undefined,
        timers: new Set(),
      };
      this.sessions.set(session.id, state);
    }
    return state;
  }

  private onRequest(session: vscode.DebugSession, raw: unknown): void {
    const message = raw as
      | {
          type?: string;
          command?: string;
          seq?: number;
          arguments?: { threadId?: unknown; startFrame?: unknown; levels?: unknown };
        }
      | undefined;
    if (message?.type !== 'request' || typeof message.command !== 'string') {
      return;
    }
    const state = this.sessions.get(session.id);
    if (!state) {
      return;
    }
    if (RUN_REQUESTS.has(message.command)) {
      this.resumed(state);
    } else if (
      message.command === 'stackTrace' &&
      typeof message.seq === 'number' &&
      typeof message.arguments?.threadId === 'number'
    ) {
      const { threadId, startFrame, levels } = message.arguments;
      state.stackRequests.set(message.seq, {
        threadId,
        startFrame: typeof startFrame === 'number' ? startFrame : 0,
        levels: typeof levels === 'number' ? levels : 0,
      });
    }
  }

  private onAdapterMessage(session: vscode.DebugSession, raw: unknown): void {
    const message = raw as
      | {
          type?: string;
          event?: string;
          command?: string;
          request_seq?: number;
          success?: boolean;
          body?: Record<string, unknown>;
        }
      | undefined;
    if (message?.type === 'event') {
      if (message.event === 'stopped') {
        this.stopped(session, message.body ?? {});
      } else if (message.event === 'continued') {
        const state = this.sessions.get(session.id);
        if (state) {
          this.resumed(state);
        }
      }
    } else if (
      message?.type === 'response' &&
      message.command === 'stackTrace' &&
      typeof message.request_seq === 'number'
    ) {
      const state = this.sessions.get(session.id);
      const request = state?.stackRequests.get(message.request_seq);
      if (state && request) {
        state.stackRequests.delete(message.request_seq);
        if (message.success) {
          this.framesArrived(state, request, message.body);
        }
      }
    }
  }

  private stopped(session: vscode.DebugSession, body: Record<string, unknown>): void {
    const state = this.stateFor(session);
    const threadId = typeof body.threadId === 'number' ? body.threadId : undefined;
    if (state.current) {
      // Another thread reporting the same stop (all-stop debuggers), not a new one.
      state.current.threadId ??= threadId;
      return;
    }
    const previousId = state.stops.at(-1)?.id ?? 0;
    const stop: Stop = {
      id: previousId + 1,
      sessionId: session.id,
      identity: undefined,
      atMs: Date.now(),
      stoppedAtPerfMs: performance.now(),
      reason: stopReason(body),
      threadId,
    };
    state.current = stop;
    state.frames = [];
    state.framesComplete = false;
    state.stops.push(stop);
    if (state.stops.length > MAX_STOPS) {
      state.stops.splice(0, state.stops.length - MAX_STOPS);
    }
    // The tracker runs before VS Code passes the event on: read /proc after, never here.
    this.later(
      state,
      () => {
        this.read(state, stop);
        if (state.current === stop) {
          this.stoppedEmitter.fire({ stop, session });
        }
      },
      0,
    );
    this.later(state, () => void this.askForFrames(state, stop), OWN_REQUEST_AFTER_MS);
  }

  private resumed(state: SessionStops): void {
    const stop = state.current;
    if (!stop) {
      return;
    }
    state.current = undefined;
    state.frames = [];
    this.changed.fire(state.session.id);
    this.resumedEmitter.fire({ stop, session: state.session });
  }

  private read(state: SessionStops, stop: Stop): void {
    const identity = this.debugSessions.identityOf(state.session.id);
    if (!identity) {
      stop.readingError = 'The process of this session is not known yet.';
      this.changed.fire(state.session.id);
      return;
    }
    stop.identity = identity;
    const reading = readStopReading(identity);
    if (!reading.ok) {
      stop.readingError = describeProcError(reading.error);
      this.changed.fire(state.session.id);
      return;
    }
    stop.reading = reading.value;
    // "Since the last stop" starts over when the session's process is a new one (a restart).
    const previous = state.stops.findLast((other) => other.id < stop.id && other.reading && sameProcess(other, stop));
    stop.previous = previous?.reading && { id: previous.id, atMs: previous.atMs, reading: previous.reading };
    this.updateMarker(stop);
    this.changed.fire(state.session.id);
    const count = this.mappingsCount.get(identityKey(identity)) ?? 0;
    if (count <= MAPPINGS_AT_EVERY_STOP_MAX_COUNT) {
      void this.readMappings(stop, identity);
    } else {
      stop.mappings = {
        ok: false,
        reason: `this process has ${count} mappings, so /proc/PID/smaps is read on demand only`,
      };
    }
  }

  private async readMappings(stop: Stop, identity: ProcessIdentity): Promise<void> {
    const mappings = await readStopMappings(identity);
    if (mappings.ok) {
      this.mappingsCount.set(identityKey(identity), mappings.count);
    }
    stop.mappings = mappings;
    this.updateMarker(stop); // the marker (and so recordings and exports) carries the kind totals
    const state = this.sessions.get(stop.sessionId);
    if (state) {
      // Keep the groups of the newest stops only: a long stepping session must not grow without bound.
      const withMappings = state.stops.filter((other) => other.mappings?.ok);
      for (const old of withMappings.slice(0, Math.max(0, withMappings.length - STOPS_WITH_MAPPINGS))) {
        old.mappings = { ok: false, reason: `only the last ${STOPS_WITH_MAPPINGS} stops keep their mappings` };
      }
      this.changed.fire(stop.sessionId);
    }
  }

  private framesArrived(
    state: SessionStops,
    request: { threadId: number; startFrame: number; levels: number },
    body: unknown,
  ): void {
    const stop = state.current;
    if (!stop || stop.place) {
      return;
    }
    if (stop.threadId !== undefined && request.threadId !== stop.threadId) {
      return;
    }
    // A stop without a thread (some adapters): the thread VS Code asks about first is the one it shows.
    stop.threadId ??= request.threadId;
    const frames = framesOf(body);
    frames.forEach((frame, index) => (state.frames[request.startFrame + index] = frame));
    const total = (body as { totalFrames?: unknown } | undefined)?.totalFrames;
    if (
      frames.length === 0 ||
      (request.levels > 0 && frames.length < request.levels) ||
      (typeof total === 'number' && request.startFrame + frames.length >= total)
    ) {
      state.framesComplete = true;
    }
    // VS Code's rule, as soon as the frames seen settle it; if they do not yet (the top frames are
    // de-emphasised and more are coming), VS Code's own focus (onFocusedFrame) or a later response
    // settles it, and after a short wait the frames seen so far do.
    this.placeByRule(state, stop, false);
    this.later(state, () => this.placeByRule(state, stop, true), FOCUS_WAIT_MS);
  }

  private onFocusedFrame(item: vscode.DebugThread | vscode.DebugStackFrame | undefined): void {
    if (!(item instanceof vscode.DebugStackFrame)) {
      return;
    }
    const state = this.sessions.get(item.session.id);
    const stop = state?.current;
    const frame = state?.frames.find((candidate) => candidate?.id === item.frameId);
    if (state && stop && !stop.place && frame) {
      this.place(state, stop, frame);
    }
  }

  /** VS Code's rule, over the frames seen so far: only when they settle it, unless `force`. */
  private placeByRule(state: SessionStops, stop: Stop, force: boolean): void {
    if (stop.place || state.current !== stop) {
      return;
    }
    const frames = [...state.frames].filter((frame): frame is DapFrame => frame !== undefined);
    const chosen = revealedFrame(frames);
    const settled =
      chosen !== undefined &&
      (chosen !== frames[0] || frames[0].source?.presentationHint !== 'deemphasize' || state.framesComplete);
    if (chosen && (settled || force)) {
      this.place(state, stop, chosen);
    }
  }

  /** Nobody asked for the stack (no UI showing it): ask the adapter for the top frames ourselves. */
  private async askForFrames(state: SessionStops, stop: Stop): Promise<void> {
    if (stop.place || state.current !== stop) {
      return;
    }
    try {
      if (state.frames.length === 0) {
        let threadId = stop.threadId;
        if (threadId === undefined) {
          const threads = (await state.session.customRequest('threads')) as
            | { threads?: { id?: unknown }[] }
            | undefined;
          const first = threads?.threads?.[0]?.id;
          threadId = typeof first === 'number' ? first : undefined;
        }
        if (threadId === undefined || state.current !== stop) {
          return;
        }
        stop.threadId ??= threadId;
        const body = await state.session.customRequest('stackTrace', { threadId, startFrame: 0, levels: 20 });
        if (state.current !== stop || stop.place) {
          return;
        }
        framesOf(body).forEach((frame, index) => (state.frames[index] = frame));
        state.framesComplete = true;
      }
      this.placeByRule(state, stop, true);
    } catch {
      // The adapter refused (it ended, or it resumed meanwhile): the stop stays without a place.
    }
  }

  private place(state: SessionStops, stop: Stop, frame: DapFrame): void {
    const uri = sourceUri(frame, state.session.id);
    if (!uri) {
      return;
    }
    stop.place = {
      uri,
      line: Math.max(0, frame.line - 1),
      label: { file: sourceLabel(frame.source), line: frame.line, functionName: frame.name },
    };
    this.updateMarker(stop);
    this.changed.fire(state.session.id);
  }

  private updateMarker(stop: Stop): void {
    if (!stop.identity || !stop.reading) {
      return;
    }
    const where = stop.place ? `${stop.place.label.file}:${stop.place.label.line}` : `stop ${stop.id}`;
    const since = sincePrevious(stop);
    const change = since
      ? `RES ${formatDelta(since.resBytes)} in ${formatInterval(since.ms)} since the previous stop`
      : `RES ${formatBytes(stop.reading.resBytes)} at the first stop`;
    const marker: TimelineMarker = {
      timeMs: stop.atMs,
      kind: 'stop',
      label: where,
      detail: `${stop.place ? `${stop.place.label.functionName} · ` : ''}${stop.reason} · ${change}`,
      stop: {
        id: stop.id,
        reason: stop.reason,
        location: stop.place?.label,
        resBytes: stop.reading.resBytes,
        sincePrevious: since,
        mappingKinds: stop.mappings?.ok ? kindTotals(stop.mappings) : undefined,
        sites: recordedSites(stop.allocations),
        account: accountOfMarker(stop),
      },
    };
    if (stop.marker) {
      this.markers.replace(stop.identity, stop.marker, marker);
    } else {
      this.markers.add(stop.identity, marker);
    }
    stop.marker = marker;
  }

  private compare(state: SessionStops, baseline: Stop | undefined, latest: Stop): StopComparison {
    const canReadNow = state.current === latest && latest.identity !== undefined;
    if (!latest.mappings) {
      return { unavailable: 'Reading the mappings at this stop…', canReadNow: false };
    }
    if (!latest.mappings.ok) {
      return { unavailable: `No mappings at stop ${latest.id}: ${latest.mappings.reason}.`, canReadNow };
    }
    if (!baseline?.mappings?.ok) {
      return {
        unavailable: baseline
          ? `No mappings at stop ${baseline.id} to compare with.`
          : 'No earlier stop of this process has its mappings to compare with.',
        canReadNow: false,
      };
    }
    const change = diffMappings(baseline.mappings, latest.mappings);
    const row = (group: (typeof change.grew)[number]) => ({ ...group });
    return {
      baselineId: baseline.id,
      stopId: latest.id,
      kinds: change.kinds,
      grew: change.grew.map(row),
      shrank: change.shrank.map(row),
      partialPause: !ALL_STOP_TYPES.test(state.session.type),
      account: accountsChange(baseline, latest),
    };
  }

  private onTerminate(session: vscode.DebugSession): void {
    const state = this.sessions.get(session.id);
    if (!state) {
      return;
    }
    this.clearTimers(state);
    this.resumed(state);
    this.changed.fire(session.id);
    // The debug view keeps ended sessions for a few seconds (DebugSessions); then forget them.
    const timer = setTimeout(() => this.sessions.delete(session.id), 15000);
    state.timers.add(timer);
  }

  private later(state: SessionStops, callback: () => void, ms: number): void {
    const timer = setTimeout(() => {
      state.timers.delete(timer);
      callback();
    }, ms);
    state.timers.add(timer);
  }

  private clearTimers(state: SessionStops): void {
    state.timers.forEach((timer) => clearTimeout(timer));
    state.timers.clear();
  }
}

/** How the runtime's account changed between two stops, where both have one. */
function accountsChange(before: Stop, after: Stop) {
  const a = accountOfMarker(before);
  const b = accountOfMarker(after);
  return a && b ? accountChange(a, b) : undefined;
}

/** The account a stop's marker (and so a recording) keeps: only a whole one. */
function accountOfMarker(stop: Stop) {
  const account = stopAccount(stop);
  return account?.status === 'ok' ? account.account : undefined;
}

/** RSS per kind of mapping, leaving out the kinds the process has none of. */
function kindTotals(mappings: MappingsAtStop): Partial<Record<MappingKind, number>> {
  return Object.fromEntries(
    Object.entries(mappings.categories)
      .filter(([, totals]) => totals.count > 0)
      .map(([kind, totals]) => [kind, totals.rssBytes]),
  );
}

/** RES change and wall time since the previous stop of the same process. */
function sincePrevious(stop: Stop): { resBytes: number; ms: number } | undefined {
  return stop.reading && stop.previous
    ? { resBytes: stop.reading.resBytes - stop.previous.reading.resBytes, ms: stop.atMs - stop.previous.atMs }
    : undefined;
}

/**
 * Why it stopped, in words: the adapter's own sentence when it gives a short one (js-debug: "Paused
 * on debugger statement"), else the DAP reason (`breakpoint`, `step`, `exception`...).
 */
function stopReason(body: Record<string, unknown>): string {
  const description = typeof body.description === 'string' ? body.description.trim() : '';
  if (description.length > 0 && description.length <= 40) {
    return description.charAt(0).toLowerCase() + description.slice(1);
  }
  return typeof body.reason === 'string' && body.reason.length > 0 ? body.reason : 'stopped';
}

function sameProcess(a: Stop, b: Stop): boolean {
  return a.identity !== undefined && b.identity !== undefined && identityKey(a.identity) === identityKey(b.identity);
}

/** The URI VS Code opens for a frame's source: `debug:` for sources the adapter serves, else the file. */
function sourceUri(frame: DapFrame, sessionId: string): vscode.Uri | undefined {
  const source = frame.source;
  if (!source) {
    return undefined;
  }
  const reference = source.sourceReference;
  if (typeof reference === 'number' && reference > 0) {
    return vscode.Uri.from({
      scheme: 'debug',
      path: source.path || source.name || 'source',
      query: `session=${sessionId}&ref=${reference}`,
    });
  }
  if (typeof source.path !== 'string' || source.path.length === 0) {
    return undefined;
  }
  return /^[a-z][\w+.-]+:\/\//i.test(source.path) ? vscode.Uri.parse(source.path) : vscode.Uri.file(source.path);
}
