// Pacing of the costly reads of one process: each read's cost, measured, keeps it at most
// READ_SHARE of wall time (shared/readPace.ts); between reads the last figures are carried over.
import { CgroupMemory } from './cgroup';
import { fail, Outcome } from './outcome';
import { OomScore, ProcessSample } from './sampleProcess';
import { MappingSummary } from './smaps';
import { Timed } from './smapsOffThread';
import { SmapsRollup } from './smapsRollup';
import { paceMs, ReadPace } from '../../shared/readPace';
import { KiB, MiB } from '../../shared/units';

/**
 * Below this cost a costly read is done in the tick itself: a read off it costs the host more than
 * that (a thread-pool round trip, ~0.3 ms of CPU; a worker's message both ways, ~2 ms), and its
 * figures come in an event of their own, which every view of the process handles again.
 */
export const IN_TICK_MAX_MS = 1;

/**
 * An async read's measured cost is its whole round trip through the thread pool: 0.7 to 1 ms or
 * more on a busy machine, however cheap the kernel's part. Below this round trip one read is tried
 * in the tick, the only place where that part can be measured alone.
 */
export const ROLLUP_TRY_IN_TICK_MAX_MS = 5;

/** One costly read of one process: its last value, what it cost, and when it may run again. */
export interface CostlyRead<T> {
  value?: T;
  readAtMs?: number;
  /** What the last read took; the pace follows the median of the last three (one slow read on a busy machine does not slow it for long). */
  costMs?: number;
  costs: number[];
  everyMs: number;
  byCost: boolean;
  /** No read before this (ms since the epoch); 0: at the next tick. */
  nextAtMs: number;
  reading: boolean;
}

/** The costly figures of one process; kept a while after its last subscriber leaves (see RECENT_DETAILS). */
export interface Detail {
  rollup: CostlyRead<Outcome<SmapsRollup>>;
  smaps: CostlyRead<Outcome<MappingSummary>>;
  cgroup?: Outcome<CgroupMemory | undefined>;
  oomScore?: Outcome<OomScore>;
  pressure?: ProcessSample['pressure'];
  cgroupNextAtMs: number;
  /** What the last (up to three) rollup reads in the tick cost, and how many reads went off it since. */
  rollupInTick: { costs: number[]; offTickSince: number };
}

/**
 * A rollup off the tick for its cost in it is tried there again after this many reads: on a busy
 * machine one slow read (a preemption) would otherwise send a cheap process's rollup to the thread
 * pool for good, each read then costing a round trip and an event of its own.
 */
export const ROLLUP_RETRY_IN_TICK_AFTER = 6;

/**
 * Whether the next rollup is read in the tick: while the median of the last three reads there cost
 * under IN_TICK_MAX_MS. A first read, of unknown cost, goes to the thread pool; its round trip
 * decides whether one is tried in the tick, and so does every ROLLUP_RETRY_IN_TICK_AFTER-th read
 * of one the tick found costly (a truly costly one then blocks a tick that often, no more).
 */
export function rollupInTick(detail: Detail): boolean {
  const { costs, offTickSince } = detail.rollupInTick;
  if (costs.length > 0 && medianOf(costs) < IN_TICK_MAX_MS) {
    return true;
  }
  const roundTripMs = detail.rollup.costMs;
  const tryNow = costs.length === 0 || offTickSince >= ROLLUP_RETRY_IN_TICK_AFTER;
  return tryNow && roundTripMs !== undefined && roundTripMs < ROLLUP_TRY_IN_TICK_MAX_MS;
}

/** Keeps what a rollup read in the tick cost (its last three), or counts one read off it. */
export function rolledUp(detail: Detail, inTickMs: number | undefined): void {
  const state = detail.rollupInTick;
  if (inTickMs === undefined) {
    state.offTickSince++;
    return;
  }
  keepCost(state.costs, inTickMs);
  state.offTickSince = 0;
}

/**
 * Whether the next smaps read is done in the tick: where the last read succeeded and the median of
 * the last three cost under IN_TICK_MAX_MS (one slow read on a busy machine does not send it to the
 * worker and back). The worker measures its read and parse alone, so its cost tells what one in
 * the tick would cost; a read that failed says nothing of that.
 */
export function smapsInTick(smaps: CostlyRead<Outcome<unknown>>): boolean {
  return smaps.value?.ok === true && smaps.costs.length > 0 && medianCost(smaps) < IN_TICK_MAX_MS;
}

/**
 * A first smaps read, of unknown cost, is tried in the tick for a process with at most this much
 * RES (the kernel's walk of its page tables is then short) ...
 */
export const FIRST_SMAPS_IN_TICK_MAX_RES = 64 * MiB;

/**
 * ... and kept there while its text is at most this long: about 50 mappings, which the kernel
 * prints and we parse in under IN_TICK_MAX_MS. A longer one is left unparsed and read by the
 * worker, as every read of a process too costly for the tick is; a small process then never
 * starts the worker (about 100 ms of CPU and 15 MiB of RSS, for a read of 0.3 ms).
 */
export const FIRST_SMAPS_IN_TICK_MAX_BYTES = 64 * KiB;

/** Whether a process's first smaps read is tried in the tick (see FIRST_SMAPS_IN_TICK_MAX_RES). */
export function firstSmapsInTick(smaps: CostlyRead<unknown>, resBytes: number): boolean {
  return smaps.costs.length === 0 && resBytes <= FIRST_SMAPS_IN_TICK_MAX_RES;
}

/** Adds a cost to the last three kept (medianOf reads them). */
function keepCost(costs: number[], costMs: number): void {
  if (costs.length === 3) {
    costs.shift();
  }
  costs.push(costMs);
}

/** The median of a read's last costs. */
function medianCost<T>(read: CostlyRead<T>): number {
  return medianOf(read.costs);
}

/** The median of up to three costs: of three, the middle one; of two, the lower. */
function medianOf(costs: number[]): number {
  const a = costs[0],
    b = costs[1],
    c = costs[2];
  if (c === undefined) {
    return b === undefined ? a : Math.min(a, b);
  }
  return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
}

/** Keeps what a read returned and when it started, and paces the next one by its cost. */
export function landed<T>(read: CostlyRead<T>, startedMs: number, result: Timed<T>, settingMs: number): void {
  read.value = result.value;
  read.readAtMs = startedMs;
  read.costMs = result.costMs;
  keepCost(read.costs, result.costMs);
  read.reading = false;
  repace(read, settingMs);
}

/** The next read: at the setting's pace (`settingMs`), or slower where the median of the last costs asks. */
export function repace<T>(read: CostlyRead<T>, settingMs: number): void {
  if (read.costMs === undefined || read.readAtMs === undefined) {
    return;
  }
  const pace = paceMs(medianCost(read), settingMs);
  read.everyMs = pace.everyMs;
  read.byCost = pace.byCost;
  read.nextAtMs = read.readAtMs + pace.everyMs;
}

/** A reader that threw (it should not): an error to show, and the read is retried at the setting's pace. */
export function failedRead<T>(error: unknown): Timed<Outcome<T>> {
  return {
    value: fail({ kind: 'io-error', detail: error instanceof Error ? error.message : String(error) }),
    costMs: 0,
  };
}

export function newDetail(): Detail {
  const read = () => ({ costs: [], everyMs: 0, byCost: false, nextAtMs: 0, reading: false });
  return { rollup: read(), smaps: read(), cgroupNextAtMs: 0, rollupInTick: { costs: [], offTickSince: 0 } };
}

/** Puts the last costly figures on a sample: between reads they are carried over, not "unknown". */
export function withDetail(sample: ProcessSample, detail: Detail): ProcessSample {
  if (sample.memoryless) {
    return sample;
  }
  sample.rollup = detail.rollup.value;
  sample.rollupTimeMs = detail.rollup.readAtMs;
  sample.cgroup = detail.cgroup;
  sample.oomScore = detail.oomScore;
  sample.pressure = detail.pressure;
  const smaps = detail.smaps;
  if (smaps.value || smaps.reading) {
    sample.mappings = smaps.value;
    sample.mappingsTimeMs = smaps.readAtMs;
    sample.mappingsPace = pace(smaps);
  }
  return sample;
}

function pace<T>(read: CostlyRead<T>): ReadPace {
  return {
    readAtMs: read.readAtMs,
    costMs: read.costMs,
    everyMs: read.everyMs,
    byCost: read.byCost,
    reading: read.reading,
  };
}
