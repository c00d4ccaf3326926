/**
 * How often a costly read (smaps, smaps_rollup) may run: its cost, measured each time, stays at
 * most READ_SHARE of wall time. /proc/PID/smaps of a process with 40 000 mappings takes a few
 * hundred ms to print and parse (and holds the target's mmap lock while the kernel prints it), so
 * it is read about once a minute; a small process's smaps costs ~1 ms and follows the setting.
 */

/** The largest share of wall time one process's costly read may take. */
export const READ_SHARE = 0.005;

/**
 * Paces above the setting round up to one of these, so that a cost that wobbles from read to read
 * does not make the pace wobble, and the panel can say it in round words ("once a minute").
 */
const STEPS_MS = [5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600, 900, 1800, 3600].map((seconds) => seconds * 1000);

/** How one costly read of one process is paced, as views show it. */
export interface ReadPace {
  /** When the last read started (ms since the epoch); undefined before the first. */
  readAtMs: number | undefined;
  /** What the last read took, ms (wall time of the read and the parse). */
  costMs: number | undefined;
  /** The time between two reads now. */
  everyMs: number;
  /** True when the cost sets the pace (it is slower than the setting asks). */
  byCost: boolean;
  /** A read is under way. */
  reading: boolean;
}

/** The time between two reads that cost `costMs`: at least `settingMs`, and cost / READ_SHARE. */
export function paceMs(costMs: number, settingMs: number): { everyMs: number; byCost: boolean } {
  const needed = costMs / READ_SHARE;
  if (!(needed > settingMs)) {
    return { everyMs: settingMs, byCost: false };
  }
  const step = STEPS_MS.find((candidate) => candidate >= needed);
  return { everyMs: step ?? Math.ceil(needed / 60000) * 60000, byCost: true };
}

/** "once a minute", "every 2 min", "every 45 s": for the panel's sentence. */
export function describeEvery(ms: number): string {
  if (ms === 60000) {
    return 'once a minute';
  }
  if (ms === 3600000) {
    return 'once an hour';
  }
  if (ms >= 60000 && ms % 60000 === 0) {
    return `every ${ms / 60000} min`;
  }
  if (ms >= 60000) {
    return `every ${(ms / 60000).toFixed(1)} min`;
  }
  return `every ${Math.round(ms / 1000)} s`;
}
