// Messages between the host and the debug view "Process Memory" (webview/debugView): its rows,
// their stops and what changed between two of them.
import { parseOpenSite, type OpenSiteIntent, type SessionAllocations } from '../allocationSites';
import { isPid } from '../pid';
import type {
  Figure,
  MappingGroupChange,
  MappingKindChange,
  ProcessSnapshot,
  StopLocation,
  TimelineMarker,
} from '../model';
import type { AccountChange, StopAccount } from '../runtimeAccount';
import { isRecord } from './validate';

/** How far finding a debug session's process got; `parent`: a launcher whose processes have sessions of their own. */
export type SessionStatus = 'waiting' | 'found' | 'parent' | 'remote' | 'not-found' | 'ended';

/** One stop of a debug session, as the stops list shows it. */
export interface StopRow {
  /** 1, 2, 3... in the order the session stopped. */
  id: number;
  atMs: number;
  /** Why it stopped, in the adapter's words: `breakpoint`, `step`, `exception`, `pause`... */
  reason: string;
  location: StopLocation | undefined;
  /** RES at the stop; undefined until read (it is read just after the stop, off the adapter's path). */
  resBytes: number | undefined;
  /** Change since the previous stop of the same process, and the wall time between the two stops. */
  sincePrevious: { resBytes: number; ms: number } | undefined;
  /** Whether /proc/PID/smaps was read at this stop, so it can be compared with another one. */
  hasMappings: boolean;
  /** The runtime's own account of RES at this stop (shared/runtimeAccount.ts); undefined where not asked. */
  account?: StopAccount;
}

/** What changed between two stops, by kind of mapping and by mapping, from /proc/PID/smaps read at each. */
export type StopComparison =
  | {
      baselineId: number;
      stopId: number;
      kinds: MappingKindChange[];
      grew: MappingGroupChange[];
      shrank: MappingGroupChange[];
      /** Interpreter adapters pause only their own thread: say that other threads may have run. */
      partialPause: boolean;
      /** How the runtime's account changed between the two stops, where both have one. */
      account?: AccountChange;
    }
  | { unavailable: string; canReadNow: boolean };

/** What a debug view row shows of its process. */
export type DebugSessionSnapshot = Pick<
  ProcessSnapshot,
  'pid' | 'startTicks' | 'sampledAtMs' | 'memoryless' | 'resBytes' | 'virtBytes' | 'shrBytes' | 'peakRes'
>;

/** One row of the debug view: a debug session and the process behind it. */
export interface DebugSessionRow {
  sessionId: string;
  parentSessionId: string | undefined;
  name: string;
  debugType: string;
  /** How far PID resolution got; `parent`: a launcher whose processes have their own sessions. */
  status: SessionStatus;
  /** A sentence for non-`found` states, and how the PID was found for `found`. */
  message: string;
  /** The figures the row shows, not the panel's whole snapshot: it is sent with every sample. */
  snapshot: DebugSessionSnapshot | undefined;
  /** Recent RES values for the sparkline, oldest first. */
  sparkline: number[];
  /** RES change since the program last stopped (breakpoint, step, pause). */
  sinceLastStop: number | undefined;
  /** RES and PSS summed over the debuggee's child processes. */
  children: { count: number; resBytes: number; pss: Figure } | undefined;
  /** Times of the sparkline's points (ms since the epoch), to place its markers. */
  sparklineTimesMs: number[];
  /** Stops and user markers of this process, oldest first (the sparkline draws those in its span). */
  markers: TimelineMarker[];
  /** The session's stops, newest first (at most MAX_STOPS). */
  stops: StopRow[];
  /** What changed between the chosen baseline stop and the latest stop; undefined before two stops. */
  comparison: StopComparison | undefined;
  /** Set when the process ended while its cgroup's OOM kill counter rose: the evidence, in one paragraph. */
  oomKill?: string;
  /** The lines that allocated memory up to the current (or latest) stop, where allocation tracking is on. */
  allocations?: SessionAllocations;
}

/** How many stops a session keeps. */
export const MAX_STOPS = 200;

/** How many of the newest points of its history a debug view row's sparkline shows. */
export const SPARKLINE_POINTS = 60;

/** The part of a debug view row that changes with every sample of its process. */
export type DebugSessionSample = Pick<
  DebugSessionRow,
  'sessionId' | 'status' | 'message' | 'snapshot' | 'sinceLastStop' | 'children' | 'oomKill'
> & {
  /**
   * The points of the history since the last sample sent, oldest first: the view appends them to the
   * sparkline, which keeps its last SPARKLINE_POINTS. More than one when readings with nothing new
   * were held back (the host sends one at least every few seconds while nothing changes).
   */
  points: { timeMs: number; resBytes: number }[];
};

/** A terminal whose shell runs a command (not one waiting at its prompt): the command and its whole process tree. */
export interface TerminalRow {
  /** 1, 2, 3... as the terminal list orders them (the picker's "the command in terminal N"). */
  index: number;
  /** The terminal's name: untrusted text. */
  terminal: string;
  /** The foreground process group's leader (the terminal's tpgid): what the row inspects. */
  pid: number;
  startTicks: number;
  /** Its name (comm): untrusted text. */
  name: string;
  /** The command line, untrusted text: as the shell reported it (shell integration), else the leader's argv from /proc. */
  commandLine: string;
  commandSource: 'shell' | 'proc';
  /** The leader and every descendant, as one walk read them. */
  processes: number;
  resBytes: number;
  pssBytes: number;
  /** Members whose PSS could not be read: the PSS sum is then a lower bound. */
  pssMissing: number;
  /** The member holding most (PSS, or RES where PSS could not be read). */
  largest: { pid: number; name: string; bytes: number; figure: 'PSS' | 'RES' } | undefined;
}

/** Host -> debug view. */
export type ToDebugView =
  /** Every row in full: when the view is ready or shown again, and when sessions, stops or markers change. */
  | { type: 'state'; debugging: boolean; rows: DebugSessionRow[] }
  /** The terminals that run a command: after each state, and each time they are read (every sample interval while the view is visible). */
  | { type: 'terminals'; rows: TerminalRow[] }
  /**
   * A new sample of one process, for the rows of the sessions debugging it: the rest of each row
   * (its stops, what changed between them) only changes with a `state`.
   */
  | { type: 'sample'; rows: DebugSessionSample[] };

/** Debug view -> host. */
export type FromDebugView =
  | { type: 'ready' }
  /** Open the inspect panel for this process. */
  | { type: 'inspect'; pid: number; startTicks: number }
  /** Let the user pick the process of a session whose PID could not be found. */
  | { type: 'pick'; sessionId: string }
  /** Show the location of a stop in an editor. */
  | { type: 'revealStop'; sessionId: string; stopId: number }
  /** Compare the latest stop with this earlier one. */
  | { type: 'setBaseline'; sessionId: string; stopId: number }
  /** Read smaps now, at the current stop, where it was too costly to read at every stop. */
  | { type: 'readMappings'; sessionId: string }
  /** Open the source of one of a stop's allocation sites. */
  | OpenSiteIntent;

function isSessionId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 200;
}

function isStopId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

/** Accepts only well-formed intents; anything else is dropped. */
export function parseFromDebugView(message: unknown): FromDebugView | undefined {
  if (!isRecord(message)) {
    return undefined;
  }
  switch (message.type) {
    case 'ready':
      return { type: 'ready' };
    case 'inspect':
      return isPid(message.pid) &&
        typeof message.startTicks === 'number' &&
        Number.isSafeInteger(message.startTicks) &&
        message.startTicks >= 0
        ? { type: 'inspect', pid: message.pid, startTicks: message.startTicks }
        : undefined;
    case 'pick':
    case 'readMappings':
      return isSessionId(message.sessionId) ? { type: message.type, sessionId: message.sessionId } : undefined;
    case 'revealStop':
    case 'setBaseline':
      return isSessionId(message.sessionId) && isStopId(message.stopId)
        ? { type: message.type, sessionId: message.sessionId, stopId: message.stopId }
        : undefined;
    case 'openSite':
      return parseOpenSite(message);
    default:
      return undefined;
  }
}
