// Files that several watched processes read alike: their cgroup's, the system's pressure,
// mountinfo. Ten panels of one project (or the status bar and a panel) read them once.
import { BoundedMap } from '../../shared/boundedMap';

/** Reads kept for one tick: every process read in the same tick shares them, the next tick reads again. */
export const SAME_TICK_MS = 100;

/** Groups, files and the like that one host watches at once, at most. */
const KEPT = 64;

/** The latest result of each read, by what it reads, for as long as its caller allows. */
export class SharedReads {
  private readonly kept = new BoundedMap<string, { atMs: number; value: unknown }>(KEPT);

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** `read()`, or its result for `key` if that is at most `maxAgeMs` old (which may depend on the result). */
  get<T>(key: string, maxAgeMs: number | ((value: T) => number), read: () => T): T {
    const now = this.now();
    const kept = this.kept.get(key) as { atMs: number; value: T } | undefined;
    if (kept && now - kept.atMs <= (typeof maxAgeMs === 'number' ? maxAgeMs : maxAgeMs(kept.value))) {
      return kept.value;
    }
    const value = read();
    this.kept.set(key, { atMs: now, value });
    return value;
  }
}
