// Messages between the extension host and its webviews. Shared by both sides: no `vscode`, no DOM.
// Data flows one way (host -> webview); the webview only sends user intents back, and the host
// validates each of them, because the page renders untrusted process names.

import { isPid } from './pid';
import type { TaskRun } from './taskRun';

/** The window the host fits the RES trend over; the panel says how much of it the slope rests on. */
export const TREND_WINDOW_MS = 5 * 60000;

/** Why a live process has no memory figures at all (statm all zeros). */
export type MemorylessReason = 'kernel-thread' | 'zombie';

/** How far finding a debug session's process got; `parent`: a launcher whose processes have sessions of their own. */
export type SessionStatus = 'waiting' | 'found' | 'parent' | 'remote' | 'not-found' | 'ended';

/** A figure that may be unknown, with the reason shown instead of a misleading 0. */
export type Figure = { bytes: number } | { unavailable: string };

/** What a mapping holds, by its path in /proc/PID/smaps (same keys as MAPPING_DOCS in memoryDocs.ts). */
export type MappingKind = 'heap' | 'stack' | 'program' | 'libraries' | 'files' | 'shmem' | 'anonymous' | 'kernel';

/** The mappings of one kind, summed. */
export interface MappingKindRow {
  kind: MappingKind;
  /** Number of mappings. */
  count: number;
  rssBytes: number;
  pssBytes: number;
  /** Private_Clean + Private_Dirty. */
  privateBytes: number;
  swapBytes: number;
}

/** One of the largest mappings. `name` is a path from the process's own files: untrusted text. */
export interface MappingRow {
  name: string;
  kind: MappingKind;
  perms: string;
  rssBytes: number;
  pssBytes: number;
  privateBytes: number;
}

/**
 * How often smaps is read for a process, and why: at the setting's pace, or slower because one
 * read costs so much (its cost stays under 0.5 % of wall time). `reading`: a read is under way.
 */
export interface MappingsPace {
  everyMs: number;
  byCost: boolean;
  /** What the last read took, ms. */
  costMs: number | undefined;
  reading: boolean;
}

/** Where RES lives: kinds with at least one mapping, largest RSS first, and the largest mappings. */
/** `readAtMs`: smaps is read less often than the rest, so its total can lag RES; say when. */
export type MappingsFigure =
  | { kinds: MappingKindRow[]; top: MappingRow[]; readAtMs: number; pace?: MappingsPace }
  | { unavailable: string; pace?: MappingsPace };

/** One level from the process's cgroup up to the root that has a memory limit. */
export interface CgroupLevelRow {
  path: string;
  limitBytes: number;
  /** memory.max, memory.high, memory.limit_in_bytes or hierarchical_memory_limit. */
  limitFile: string;
  usage: Figure;
  workingSet: Figure;
  /** limit − this level's working set. */
  headroom: Figure;
}

/** The OOM counters the kernel keeps for a group (same keys as MEMORY_DOCS). */
export type OomCounterKey = 'eventsHigh' | 'eventsMax' | 'eventsOom' | 'oomKill' | 'failcnt';

/** The process's cgroup as views show it. */
export type CgroupFigure =
  | {
      version: 1 | 2;
      path: string;
      /** Everything charged to the group, page cache included. */
      usageBytes: number;
      /** usage − inactive file, clamped at 0. */
      workingSet: Figure;
      /** Levels with a limit, the group's own first. */
      levels: CgroupLevelRow[];
      /** The level with the least headroom; unavailable without a limit, or when no level's working set is known. */
      tightest:
        | { path: string; limitBytes: number; limitFile: string; workingSetBytes: number; headroomBytes: number }
        | { unavailable: string };
      /** The group's OOM counters, each with the file it comes from. */
      oom: { path: string; counters: { key: OomCounterKey; value: number; file: string }[] } | { unavailable: string };
    }
  | { unavailable: string };

/** Memory pressure: the share of time (percent) some or all tasks waited for memory, over 10 and 60 s. */
export type PressureFigure =
  | {
      /** The file it was read from. */
      file: string;
      /** The group in the unified (v2) hierarchy; absent for the system. */
      group?: string;
      someAvg10: number;
      someAvg60: number;
      fullAvg10: number;
      fullAvg60: number;
    }
  | { unavailable: string };

/** The leak forecast looks this far back: long enough for several GC cycles, short enough to follow a change. */
export const FORECAST_WINDOW_MS = 10 * 60000;
/** The first 30 s of a process (loading code, filling caches) say nothing about a leak. */
export const FORECAST_WARM_UP_MS = 30_000;
/** Less than a minute of readings past the warm-up is too little to call anything a trend. */
export const FORECAST_MIN_SPAN_MS = 60_000;
/** Below this R² the troughs do not follow a line well enough to forecast from. */
export const FORECAST_MIN_R2 = 0.8;

/** What RES would run into if it kept growing: the tighter of the cgroup's headroom and the system's MemAvailable. */
export type ForecastLimit =
  | { kind: 'cgroup'; path: string; limitFile: string; limitBytes: number; headroomBytes: number }
  | { kind: 'memAvailable'; headroomBytes: number };

/**
 * Is RES leaking? A line fitted to the troughs of RES (so a garbage collector's sawtooth counts by
 * its base, not its peaks) over the last minutes, past the process's warm-up. `spanMs`: how much
 * history the fit rests on; `r2`: how well the line fits the troughs (1 = perfectly).
 */
export type LeakForecast =
  /** Not enough readings past the warm-up yet; `needMs`: about how much longer. */
  | { verdict: 'collecting'; needMs: number }
  /** No sustained growth: level, a sawtooth back to its base, or growth that stopped. */
  | { verdict: 'steady'; reason: 'flat' | 'sawtooth' | 'settled'; spanMs: number; bytesPerMinute: number; r2: number }
  | { verdict: 'shrinking'; spanMs: number; bytesPerMinute: number; r2: number }
  /** Growth seen, but too uneven or too recent to forecast from. */
  | { verdict: 'uncertain'; reason: 'poor-fit' | 'recent'; spanMs: number; bytesPerMinute: number; r2: number }
  /** Sustained growth that fits a line: when it meets the limit, if one is known. */
  | {
      verdict: 'growing';
      spanMs: number;
      bytesPerMinute: number;
      r2: number;
      limit: (ForecastLimit & { timeToLimitMs: number }) | undefined;
    };

/** Everything a view shows about one process at one moment. Sizes in bytes. */
export interface ProcessSnapshot {
  pid: number;
  startTicks: number;
  name: string;
  commandLine: string;
  user: string;
  /** ps state letter, and the word for it. */
  state: string;
  stateText: string;
  /** ms since the epoch; NaN when unknown. */
  startTimeMs: number;
  sampledAtMs: number;
  threads: number;
  /** Set for kernel threads and zombies: they have no memory of their own. */
  memoryless?: MemorylessReason;
  resBytes: number;
  virtBytes: number;
  shrBytes: number;
  anon: Figure;
  file: Figure;
  shmem: Figure;
  swap: Figure;
  peakRes: Figure;
  pss: Figure;
  uss: Figure;
  /** The process's cgroup: usage and working set, the limits on the way up, and its OOM counters. */
  cgroup: CgroupFigure;
  /** How the OOM killer ranks it (/proc/PID/oom_score, oom_score_adj). */
  oomScore: { score: number; adj: number } | { unavailable: string };
  /** Memory pressure (PSI) of the whole system and of the process's group in the v2 hierarchy. */
  pressure: { system: PressureFigure; group: PressureFigure };
  /** Page faults per second since the previous reading, and in total (/proc/PID/stat). */
  faults:
    | { minorPerSecond: number; majorPerSecond: number; overMs: number; minorTotal: number; majorTotal: number }
    | { unavailable: string };
  /** RES by kind of mapping (/proc/PID/smaps); only the inspect panel asks for it. */
  mappings: MappingsFigure;
}

/**
 * The snapshot of a `sample` message. `mappings` and `commandLine` are left out when they are the
 * same as in the previous message: they change on smaps reads (seconds to minutes apart) and never,
 * and they are most of a snapshot's bytes, which the host serialises for every panel on every tick.
 */
export type SampleSnapshot = Omit<ProcessSnapshot, 'mappings' | 'commandLine'> &
  Partial<Pick<ProcessSnapshot, 'mappings' | 'commandLine'>>;

/** History as parallel arrays, oldest first (compact to post, and what the chart library wants). */
export interface HistorySeries {
  timesMs: number[];
  res: number[];
  shr: number[];
}

/** Host -> inspect panel. */
export type ToInspectPanel =
  /** The full state, sent after `ready` (and after the panel is restored). */
  | {
      type: 'init';
      /** Which process this panel is for; the webview keeps it in its state for restoring. */
      process: { pid: number; startTicks: number; name: string };
      snapshot: ProcessSnapshot | undefined;
      history: HistorySeries;
      trendPerMinute: number | undefined;
      forecast: LeakForecast | undefined;
      ended: EndedInfo | undefined;
      /** A problem that is not the end of the process (e.g. a malformed file). */
      problem: string | undefined;
      markers: TimelineMarker[];
    }
  /** One new reading (fields left out of the snapshot are unchanged: see SampleSnapshot). */
  | {
      type: 'sample';
      snapshot: SampleSnapshot;
      timeMs: number;
      trendPerMinute: number | undefined;
      /** Left out while unchanged: it is refitted every few seconds, not every reading. */
      forecast?: LeakForecast;
    }
  /** The process exited or its PID was reused: figures freeze, history stays. */
  | { type: 'ended'; ended: EndedInfo }
  /** A reading failed without the process ending (permission, malformed file). */
  | { type: 'problem'; message: string }
  /** The stops and user markers of this process, oldest first (all of them, each time they change). */
  | { type: 'markers'; markers: TimelineMarker[] };

export interface EndedInfo {
  atMs: number;
  message: string;
  /** Set when its cgroup's OOM kill counter rose as it ended: the evidence, in one sentence. */
  oomKill?: string;
}

/** Inspect panel -> host. */
export type FromInspectPanel =
  /** The page has loaded and wants the full state. */
  | { type: 'ready' }
  /** Save the history as a file (the host shows the save dialog). */
  | { type: 'export'; format: 'csv' | 'json' }
  /** Copy the current figures as text to the clipboard. */
  | { type: 'copySnapshot' }
  /** Read /proc/PID/smaps now ("Where RES lives"), where its cost makes it come rarely. */
  | { type: 'readMappings' };

/** Where a program stopped: the frame VS Code reveals. `file` is a name from the debugger: untrusted text. */
export interface StopLocation {
  /** The file name (or the debugger's name for a source without a file). */
  file: string;
  /** 1-based, as editors show it. */
  line: number;
  functionName: string;
}

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
}

/** How one kind or group of mappings changed between two stops (bytes, after − before). */
export interface MappingChangeRow {
  name: string;
  kind: MappingKind;
  perms: string;
  rssBytes: number;
  rssAfterBytes: number;
  appeared: boolean;
  vanished: boolean;
}

/** What changed between two stops, by kind of mapping and by mapping, from /proc/PID/smaps read at each. */
export type StopComparison =
  | {
      baselineId: number;
      stopId: number;
      kinds: { kind: MappingKind; rssBytes: number; pssBytes: number; privateBytes: number; rssAfterBytes: number }[];
      grew: MappingChangeRow[];
      shrank: MappingChangeRow[];
      /** Interpreter adapters pause only their own thread: say that other threads may have run. */
      partialPause: boolean;
    }
  | { unavailable: string; canReadNow: boolean };

/** A mark on a timeline: a debug stop, or one the user added. Label and detail: untrusted text. */
export interface TimelineMarker {
  timeMs: number;
  kind: 'stop' | 'user';
  label: string;
  detail: string;
  /** For a stop: its figures, so an export can be read by a program too. */
  stop?: {
    id: number;
    reason: string;
    location: StopLocation | undefined;
    resBytes: number;
    sincePrevious: { resBytes: number; ms: number } | undefined;
    /** RSS by kind of mapping at the stop, where /proc/PID/smaps was read there (the kinds with any). */
    mappingKinds?: Partial<Record<MappingKind, number>>;
  };
}

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
  /** The newest point of the history: the view appends it to the sparkline, which keeps its last SPARKLINE_POINTS. */
  point: { timeMs: number; resBytes: number } | undefined;
};

/** Host -> debug view. */
export type ToDebugView =
  /** Every row in full: when the view is ready or shown again, and when sessions, stops or markers change. */
  | { type: 'state'; debugging: boolean; rows: DebugSessionRow[] }
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
  | { type: 'readMappings'; sessionId: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSessionId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 200;
}

function isStopId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

/** Accepts only well-formed intents; anything else is dropped. */
export function parseFromInspectPanel(message: unknown): FromInspectPanel | undefined {
  if (!isRecord(message)) {
    return undefined;
  }
  switch (message.type) {
    case 'ready':
    case 'copySnapshot':
    case 'readMappings':
      return { type: message.type };
    case 'export':
      return message.format === 'csv' || message.format === 'json'
        ? { type: 'export', format: message.format }
        : undefined;
    default:
      return undefined;
  }
}

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
    default:
      return undefined;
  }
}

/** A recording at a glance: when, how long, its peak RES and when, how many samples and stops. */
export interface RecordingSummary {
  startMs: number;
  durationMs: number;
  peakResBytes: number;
  peakAtMs: number;
  samples: number;
  stops: number;
}

/** Host -> recording editor: a recording opened from a `*.procmem.json` file, or why it cannot be shown. */
export type ToRecordingView =
  | {
      type: 'recording';
      /** The file's name (untrusted text). */
      fileName: string;
      process: { pid: number; name: string; commandLine: string | undefined };
      context: {
        kernel: string;
        totalRamBytes: number;
        cgroupLimitBytes: number | undefined;
        sampleIntervalMs: number;
        debugSession: string | undefined;
      };
      summary: RecordingSummary;
      history: HistorySeries;
      markers: TimelineMarker[];
      /** Set when the file was written by an older version (an export without a schema). */
      note: string | undefined;
      /** A task run: the samples are its tree's sums, and this is the rest of it. */
      task?: TaskRun;
    }
  | { type: 'invalid'; fileName: string; reason: string };

/** Recording editor -> host. */
export type FromRecordingView =
  | { type: 'ready' }
  /** Compare this recording with another one the user picks. */
  | { type: 'compareWith' };

export function parseFromRecordingView(message: unknown): FromRecordingView | undefined {
  return isRecord(message) && (message.type === 'ready' || message.type === 'compareWith')
    ? { type: message.type }
    : undefined;
}

/** One run in a comparison. Names: untrusted text. */
export interface ComparedRun {
  fileName: string;
  name: string;
  pid: number;
  startMs: number;
  durationMs: number;
  peakBytes: number;
  /** Seconds from the run's aligned origin, and RES at each. */
  timesS: number[];
  res: number[];
}

/** Host -> comparison panel. */
export type ToCompareView =
  | {
      type: 'compare';
      a: ComparedRun;
      b: ComparedRun;
      alignment: 'start' | 'first-stop';
      /** Both runs have stops, so they can be aligned at their first. */
      canAlignAtStops: boolean;
      /** Stops matched by function and file, in order; `change` says what differs, in words. */
      stops: {
        place: string;
        a: { label: string; atS: number; resBytes: number | undefined } | undefined;
        b: { label: string; atS: number; resBytes: number | undefined } | undefined;
        change: string;
      }[];
      verdict: string;
    }
  | { type: 'invalid'; reason: string };

/** Comparison panel -> host. */
export type FromCompareView = { type: 'ready' } | { type: 'align'; alignment: 'start' | 'first-stop' };

export function parseFromCompareView(message: unknown): FromCompareView | undefined {
  if (!isRecord(message)) return undefined;
  if (message.type === 'ready') return { type: 'ready' };
  if (message.type === 'align' && (message.alignment === 'start' || message.alignment === 'first-stop'))
    return { type: 'align', alignment: message.alignment };
  return undefined;
}
