// The domain model: what views show about a process, shared by the host and every webview (no
// `vscode`, no DOM). The messages of each view are in shared/protocol/, one module per view.
import type { ReadPace } from './readPace';
import type { RecordedSite } from './allocationSites';
import type { RuntimeAccount } from './runtimeAccount';

/** The window the host fits the RES trend over; the panel says how much of it the slope rests on. */
export const TREND_WINDOW_MS = 5 * 60000;

/** Why a live process has no memory figures at all (statm all zeros). */
export type MemorylessReason = 'kernel-thread' | 'zombie';

/** A figure that may be unknown, with the reason shown instead of a misleading 0. */
export type Figure = { bytes: number } | { unavailable: string };

/** What a mapping holds, by its path in /proc/PID/smaps (same keys as MAPPING_DOCS in memoryDocs.ts). */
export type MappingKind = 'heap' | 'stack' | 'program' | 'libraries' | 'files' | 'shmem' | 'anonymous' | 'kernel';

/** Every kind, in the order views list them when sizes tie. */
export const MAPPING_KINDS: readonly MappingKind[] = [
  'heap',
  'stack',
  'program',
  'libraries',
  'files',
  'shmem',
  'anonymous',
  'kernel',
];

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
 * Where RES lives: kinds with at least one mapping, largest RSS first, and the largest mappings.
 * `readAtMs`: smaps is read less often than the rest, so its total can lag RES; say when.
 */
export type MappingsFigure =
  | { kinds: MappingKindRow[]; top: MappingRow[]; readAtMs: number; pace?: ReadPace }
  | { unavailable: string; pace?: ReadPace };

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
  /**
   * When PSS and USS were read (smaps_rollup, every few seconds or as its cost allows): older than
   * `sampledAtMs` between those reads. Absent until the first read.
   */
  rollupReadAtMs?: number;
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
 * The snapshot of a `sample` message: only the fields that differ from the snapshot the page has
 * (its `init`, then each sample merged in). Most are the same from one reading to the next (the
 * mappings and the cgroup change on detail reads, the command line never), and the host serialises
 * every byte for every panel on every tick. The first sample after an `init` without a snapshot is whole.
 */
export type SampleSnapshot = Partial<ProcessSnapshot>;

/** History as parallel arrays, oldest first (compact to post, and what the chart library wants). */
export interface HistorySeries {
  timesMs: number[];
  res: number[];
  shr: number[];
}

/** Where a program stopped: the frame VS Code reveals. `file` is a name from the debugger: untrusted text. */
export interface StopLocation {
  /** The file name (or the debugger's name for a source without a file). */
  file: string;
  /** 1-based, as editors show it. */
  line: number;
  functionName: string;
}

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
    /** The lines that allocated memory since the previous stop (largest first), where allocation tracking was on. */
    sites?: RecordedSite[];
    /** The runtime's own account of RES at the stop, where it answered. */
    account?: RuntimeAccount;
  };
}

/** How one kind of mapping changed between two reads, in bytes (after − before). */
export interface MappingKindChange {
  kind: MappingKind;
  rssBytes: number;
  pssBytes: number;
  privateBytes: number;
  /** RSS at the later read. */
  rssAfterBytes: number;
}

/** How one group of mappings changed (a file with its permissions, a named region, or all anonymous memory). */
export interface MappingGroupChange {
  name: string;
  kind: MappingKind;
  perms: string;
  rssBytes: number;
  rssAfterBytes: number;
  /** Only in the later read (a file mapped between the two), or only in the earlier one. */
  appeared: boolean;
  vanished: boolean;
}
