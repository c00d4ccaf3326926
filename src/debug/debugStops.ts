import * as vscode from 'vscode';
import { Disposable } from '../dispose';
import { describeProcError } from '../proc/outcome';
import { identityKey, ProcessIdentity } from '../proc/processIdentity';
import { StopLocation, TimelineMarker } from '../../shared/model';
import { MAX_STOPS, StopComparison, StopRow } from '../../shared/protocol/debugView';
import { TimelineMarkers } from '../timelineMarkers';
import { AdapterMessages } from './adapterMessages';
import { DebugSessions } from './debugSessions';
import { threadForRequest } from './core/dapRequester';
import {
  adapterMeaning,
  continuedEndsStop,
  noFrames,
  requestMeaning,
  revealedOfSeen,
  seenFrame,
  StopFrames,
  withRequest,
  withResponse,
} from './core/frameTracking';
import { DapFrame, framesOf, sourceLabel } from './core/revealedFrame';
import { readStopMappings, readStopReading } from './core/stopReading';
import {
  compareStops,
  comparisonBaseline,
  sameProcessStops,
  stopMarker,
  StopFacts,
  stopRow,
  sincePrevious,
} from './core/stopSummaries';

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

/** Where a stop is, for editors (0-based line) and for people. */
export interface StopPlace {
  uri: vscode.Uri;
  line: number;
  label: StopLocation;
}

/** One stop of one debug session: what the summaries read (StopFacts), and where it is for editors. */
export interface Stop extends StopFacts {
  sessionId: string;
  /** performance.now() at the `stopped` event: the start of the "stopped to tip" measurement. */
  stoppedAtPerfMs: number;
  /** The stopped thread (core/frameTracking.ts): what requests at this stop name. */
  threadId: number | undefined;
  place?: StopPlace;
  /** Why there is no reading (the process could not be read). */
  readingError?: string;
  marker?: TimelineMarker;
  /** ms from the `stopped` event until the tip was first drawn in an editor. */
  tipShownAfterMs?: number;
}

/** What a request to pause a debuggee did. */
export type PauseOutcome =
  | { status: 'paused' }
  | { status: 'already stopped' }
  | { status: 'no thread' }
  | { status: 'failed'; reason: string };

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
  /** The current stop's thread, its frames seen so far and VS Code's requests for them (core/frameTracking.ts). */
  frames: StopFrames;
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
    adapterMessages: AdapterMessages,
    private readonly debugSessions: DebugSessions,
    private readonly markers: TimelineMarkers,
  ) {
    super();
    this.register(adapterMessages.onWillSendToAdapter(({ session, message }) => this.onRequest(session, message)));
    this.register(
      adapterMessages.onDidReceiveFromAdapter(({ session, message }) => this.onAdapterMessage(session, message)),
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
    return stops.slice().reverse().map(stopRow);
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
    const baseline = comparisonBaseline(state.stops, latest, state.baselineId);
    const key = `${baseline?.id}:${latest.id}:${baseline?.mappings?.ok}:${latest.mappings?.ok}:${state.current === latest}:${baseline?.runtime?.status}:${latest.runtime?.status}`;
    if (state.comparisonCache?.key !== key) {
      const canReadNow = state.current === latest && latest.identity !== undefined;
      state.comparisonCache = { key, value: compareStops(baseline, latest, canReadNow, state.session.type) };
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

  /**
   * Pauses a session that runs (the memory alerts' `pauseDebuggee`). DAP `pause` names a thread: the
   * one of the last stop, else the first the adapter lists.
   */
  async pause(session: vscode.DebugSession): Promise<PauseOutcome> {
    if (this.currentStop(session.id)) {
      return { status: 'already stopped' };
    }
    try {
      const threadId = await threadForRequest(session, this.stopsOf(session.id).at(-1)?.threadId);
      if (threadId === undefined) {
        return { status: 'no thread' };
      }
      await session.customRequest('pause', { threadId });
      return { status: 'paused' };
    } catch (error) {
      return { status: 'failed', reason: error instanceof Error ? error.message : String(error) };
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
        frames: noFrames(undefined),
        baselineId: undefined,
        timers: new Set(),
      };
      this.sessions.set(session.id, state);
    }
    return state;
  }

  private onRequest(session: vscode.DebugSession, message: unknown): void {
    const meaning = requestMeaning(message);
    const state = this.sessions.get(session.id);
    if (!meaning || !state) {
      return;
    }
    if (meaning.kind === 'run') {
      this.resumed(state);
    } else if (state.current) {
      state.frames = withRequest(state.frames, meaning.seq, meaning.request);
    }
  }

  private onAdapterMessage(session: vscode.DebugSession, message: unknown): void {
    const meaning = adapterMeaning(message);
    if (meaning?.kind === 'stopped') {
      this.stopped(session, meaning.threadId, meaning.reason);
      return;
    }
    const state = this.sessions.get(session.id);
    if (!meaning || !state) {
      return;
    }
    if (meaning.kind === 'continued') {
      if (continuedEndsStop(meaning, state.frames.threadId)) {
        this.resumed(state);
      }
      return;
    }
    const stop = state.current;
    if (stop) {
      this.framesArrived(state, stop, withResponse(state.frames, meaning.requestSeq, meaning.success, meaning.body));
    }
  }

  private stopped(session: vscode.DebugSession, threadId: number | undefined, reason: string): void {
    const state = this.stateFor(session);
    if (state.current) {
      // Another thread reporting the same stop (all-stop debuggers), not a new one.
      this.setFrames(state, state.current, { ...state.frames, threadId: state.frames.threadId ?? threadId });
      return;
    }
    const previousId = state.stops.at(-1)?.id ?? 0;
    const stop: Stop = {
      id: previousId + 1,
      sessionId: session.id,
      identity: undefined,
      atMs: Date.now(),
      stoppedAtPerfMs: performance.now(),
      reason,
      threadId,
    };
    state.current = stop;
    state.frames = noFrames(threadId);
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
    state.frames = noFrames(undefined);
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
    const previous = state.stops.findLast(
      (other) => other.id < stop.id && other.reading && sameProcessStops(other, stop),
    );
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

  private framesArrived(state: SessionStops, stop: Stop, seen: StopFrames): void {
    const arrived = seen.frames !== state.frames.frames;
    this.setFrames(state, stop, seen);
    if (!arrived || stop.place) {
      return;
    }
    // VS Code's rule, as soon as the frames seen settle it; if they do not yet (the top frames are
    // de-emphasised and more are coming), VS Code's own focus (onFocusedFrame) or a later response
    // settles it, and after a short wait the frames seen so far do.
    this.placeByRule(state, stop, false);
    this.later(state, () => this.placeByRule(state, stop, true), FOCUS_WAIT_MS);
  }

  /** The current stop's frames, and its thread with them. */
  private setFrames(state: SessionStops, stop: Stop, seen: StopFrames): void {
    state.frames = seen;
    stop.threadId = seen.threadId;
  }

  private onFocusedFrame(item: vscode.DebugThread | vscode.DebugStackFrame | undefined): void {
    if (!(item instanceof vscode.DebugStackFrame)) {
      return;
    }
    const state = this.sessions.get(item.session.id);
    const stop = state?.current;
    const frame = state && seenFrame(state.frames, item.frameId);
    if (state && stop && !stop.place && frame) {
      this.place(state, stop, frame);
    }
  }

  /** VS Code's rule, over the frames seen so far: only when they settle it, unless `force`. */
  private placeByRule(state: SessionStops, stop: Stop, force: boolean): void {
    if (stop.place || state.current !== stop) {
      return;
    }
    const chosen = revealedOfSeen(state.frames, force);
    if (chosen) {
      this.place(state, stop, chosen);
    }
  }

  /** Nobody asked for the stack (no UI showing it): ask the adapter for the top frames ourselves. */
  private async askForFrames(state: SessionStops, stop: Stop): Promise<void> {
    if (stop.place || state.current !== stop) {
      return;
    }
    try {
      if (state.frames.frames[0] === undefined) {
        const threadId = await threadForRequest(state.session, state.frames.threadId);
        if (threadId === undefined || state.current !== stop) {
          return;
        }
        this.setFrames(state, stop, { ...state.frames, threadId });
        const body = await state.session.customRequest('stackTrace', { threadId, startFrame: 0, levels: 20 });
        if (state.current !== stop || stop.place) {
          return;
        }
        this.setFrames(state, stop, { ...state.frames, threadId, frames: framesOf(body), complete: true });
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
    const marker = stopMarker(stop);
    if (!marker || !stop.identity) {
      return;
    }
    if (stop.marker) {
      this.markers.replace(stop.identity, stop.marker, marker);
    } else {
      this.markers.add(stop.identity, marker);
    }
    stop.marker = marker;
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
