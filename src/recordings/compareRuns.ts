// Comparing two recordings: curves aligned in time, stops matched across the runs, and the
// difference in words. No `vscode`: unit-tested on synthetic runs.
import { formatBytes, formatDelta, formatInterval, formatRate } from '../../shared/format';
import { Alignment, ComparedFigure } from '../../shared/protocol/compare';
import { TimelineMarker } from '../../shared/model';
import { MiB } from '../../shared/units';
import { accountChange, accountChangeText, RuntimeAccount } from '../../shared/runtimeAccount';
import { compareSites, RecordedSite } from '../../shared/allocationSites';
import { Recording } from './recordingFile';

/** Where each run's time zero is (ms since the epoch), and whether the choice could be honoured. */
export function alignmentOrigins(
  a: Recording,
  b: Recording,
  alignment: Alignment,
): { a: number; b: number; alignment: Alignment } {
  const firstStop = (recording: Recording) => recording.markers.find((marker) => marker.kind === 'stop')?.timeMs;
  const start = (recording: Recording) => recording.samples.timeMs[0] ?? 0;
  if (alignment === 'first-stop') {
    const stopA = firstStop(a);
    const stopB = firstStop(b);
    if (stopA !== undefined && stopB !== undefined) {
      return { a: stopA, b: stopB, alignment };
    }
  }
  return { a: start(a), b: start(b), alignment: 'start' };
}

/** A stop of one run as the comparison lists it. */
export interface ComparedStop {
  label: string;
  /** Seconds from the run's aligned origin. */
  atS: number;
  resBytes: number | undefined;
  sincePreviousBytes: number | undefined;
  /** The runtime's own account at the stop, where the recording has one. */
  account?: RuntimeAccount;
  /** The lines that allocated memory since the previous stop, where allocation tracking was on. */
  sites?: RecordedSite[];
}

/** One line of the stops table: the same place in both runs, or a place only one run stopped at. */
export interface StopPair {
  /** `function (file)`: line numbers move when code changes, so they are not part of the key. */
  place: string;
  a: ComparedStop | undefined;
  b: ComparedStop | undefined;
}

/**
 * Pairs the stops of two runs by function and file, in order: the first stop in `handle (server.js)`
 * of run A with the first there in run B, the second with the second, and so on.
 */
export function matchStops(
  a: readonly TimelineMarker[],
  b: readonly TimelineMarker[],
  originA: number,
  originB: number,
): StopPair[] {
  const keyed = (markers: readonly TimelineMarker[], origin: number) => {
    const seen = new Map<string, number>();
    return markers
      .filter((marker) => marker.kind === 'stop')
      .map((marker) => {
        const location = marker.stop?.location;
        const place = location ? `${location.functionName} (${location.file})` : marker.label;
        const occurrence = seen.get(place) ?? 0;
        seen.set(place, occurrence + 1);
        const stop: ComparedStop = {
          label: marker.label,
          atS: (marker.timeMs - origin) / 1000,
          resBytes: marker.stop?.resBytes,
          sincePreviousBytes: marker.stop?.sincePrevious?.resBytes,
          account: marker.stop?.account,
          sites: marker.stop?.sites,
        };
        return { key: `${place}\u0000${occurrence}`, place, stop };
      });
  };
  const fromB = new Map(keyed(b, originB).map((entry) => [entry.key, entry]));
  const pairs: StopPair[] = [];
  for (const entry of keyed(a, originA)) {
    const match = fromB.get(entry.key);
    fromB.delete(entry.key);
    pairs.push({ place: entry.place, a: entry.stop, b: match?.stop });
  }
  for (const entry of fromB.values()) {
    pairs.push({ place: entry.place, a: undefined, b: entry.stop });
  }
  return pairs;
}

/** Two task runs compare by PSS summed over their trees; anything else by RES. */
export function comparedFigure(a: Recording, b: Recording): ComparedFigure {
  return a.task && b.task ? 'PSS summed' : 'RES';
}

/** A run's compared figure at each sample: a task run's PSS summed, else RES. */
export function comparedValues(recording: Recording, figure: ComparedFigure): number[] {
  return figure === 'PSS summed' && recording.task ? recording.task.pss : recording.samples.res;
}

/** How a run's compared figure behaves: its peak, and whether it keeps growing at the end. */
export interface RunShape {
  /** The peak of the compared figure. */
  peakBytes: number;
  /** The peak of RES (of the tree summed, for a task run). */
  resPeakBytes: number;
  /**
   * Growth at the end of the run, bytes per minute: the lowest RES of its last third against the
   * lowest of the third before, so a garbage collector's sawtooth (which returns to its base) is
   * not growth, and a leak under a sawtooth still is.
   */
  endSlopePerMinute: number;
  /** Seconds from the origin after which RES stays within 1 % of its final trough; undefined while it keeps growing. */
  levelsOffAtS: number | undefined;
}

/** Growth below this over the last third of a run is not growth (allocator noise, GC). */
const FLAT_BYTES_PER_MINUTE = MiB;

export function runShape(recording: Recording, origin: number, figure: ComparedFigure = 'RES'): RunShape {
  const timeMs = recording.samples.timeMs;
  const res = comparedValues(recording, figure);
  const peak = res.reduce((max, value) => Math.max(max, value), 0);
  const resPeakBytes = recording.samples.res.reduce((max, value) => Math.max(max, value), 0);
  const third = Math.floor(res.length / 3);
  if (third < 1) {
    return { peakBytes: peak, resPeakBytes, endSlopePerMinute: 0, levelsOffAtS: undefined };
  }
  const lowest = (from: number, to: number) =>
    res.slice(from, to).reduce((min, value) => Math.min(min, value), Infinity);
  const last = lowest(res.length - third, res.length);
  const before = lowest(res.length - 2 * third, res.length - third);
  const span = timeMs[res.length - 1] - timeMs[res.length - third - 1];
  const slope = span > 0 ? ((last - before) / span) * 60000 : 0;
  if (slope > FLAT_BYTES_PER_MINUTE) {
    return { peakBytes: peak, resPeakBytes, endSlopePerMinute: slope, levelsOffAtS: undefined };
  }
  // Where it levelled off: the first sample from which RES stays within 1 % of the final trough.
  let settled = res.length - 1;
  while (settled > 0 && res[settled - 1] >= last * 0.99) {
    settled--;
  }
  return {
    peakBytes: peak,
    resPeakBytes,
    endSlopePerMinute: slope,
    levelsOffAtS: Math.max(0, (timeMs[settled] - origin) / 1000),
  };
}

/**
 * The difference in one sentence, e.g. "Run B peaks 120.0 MiB lower (280.0 MiB) and levels off
 * after 30 s; run A keeps growing at +12.0 MiB/min." Task runs: by PSS summed, RES summed beside.
 */
export function verdict(a: RunShape, b: RunShape, figure: ComparedFigure = 'RES'): string {
  const diff = b.peakBytes - a.peakBytes;
  const by = figure === 'RES' ? '' : ` in ${figure}`;
  const resBeside =
    figure === 'RES' ? '' : `; RES summed ${formatBytes(b.resPeakBytes)} against ${formatBytes(a.resPeakBytes)}`;
  const peak =
    Math.abs(diff) < Math.max(a.peakBytes, b.peakBytes) * 0.01
      ? `Both runs peak at about ${formatBytes(Math.max(a.peakBytes, b.peakBytes))}${by}${resBeside ? ` (${resBeside.slice(2)})` : ''}`
      : `Run B peaks ${formatBytes(Math.abs(diff))} ${diff < 0 ? 'lower' : 'higher'} than run A${by} (${formatBytes(b.peakBytes)} against ${formatBytes(a.peakBytes)}${resBeside})`;
  const growth = (name: string, shape: RunShape) =>
    shape.levelsOffAtS === undefined
      ? `run ${name} keeps growing at ${formatRate(shape.endSlopePerMinute)} at its end`
      : `run ${name} levels off after ${formatInterval(shape.levelsOffAtS * 1000)}`;
  return `${peak}; ${growth('A', a)}, ${growth('B', b)}.`;
}

/** The change of a stop between the runs, in words for a table cell. */
export function stopChange(pair: StopPair): string {
  if (!pair.a || !pair.b) {
    return pair.a ? 'only in run A' : 'only in run B';
  }
  const sites = compareSites(pair.a.sites, pair.b.sites);
  const accounts = pair.a.account && pair.b.account ? accountChange(pair.a.account, pair.b.account) : undefined;
  // With both runs' accounts, which part of RES made the difference.
  const res =
    pair.a.resBytes === undefined || pair.b.resBytes === undefined
      ? '–'
      : accounts
        ? `${accountChangeText(accounts)} in run B`
        : `${formatDelta(pair.b.resBytes - pair.a.resBytes)} RES in run B`;
  return sites ? `${res}; ${sites}` : res;
}
