/** One point of a process's history. */
export interface HistoryPoint {
  timeMs: number;
  resBytes: number;
  shrBytes: number;
  virtBytes: number;
}

/**
 * A bounded history of RES/SHR/VIRT for one process: a ring buffer over typed arrays, so an hour at
 * one sample a second is 4 x 3600 doubles (~115 KB) and pushing never allocates.
 */
export class History {
  private readonly times: Float64Array;
  private readonly res: Float64Array;
  private readonly shr: Float64Array;
  private readonly virt: Float64Array;
  private start = 0;
  private count = 0;
  /** How many of the newest points have the same RES: a window within them has a trend of exactly 0. */
  private flat = 0;
  /** The last trend computed, until the next push: every view of a process asks for the same one. */
  private trend: { windowMs: number; value: number | undefined } | undefined;

  constructor(readonly capacity: number) {
    const size = Math.max(2, Math.floor(capacity));
    this.times = new Float64Array(size);
    this.res = new Float64Array(size);
    this.shr = new Float64Array(size);
    this.virt = new Float64Array(size);
  }

  get length(): number {
    return this.count;
  }

  push(point: HistoryPoint): void {
    const size = this.times.length;
    const index = (this.start + this.count) % size;
    const newest = (this.start + this.count - 1 + size) % size;
    this.flat = this.count > 0 && this.res[newest] === point.resBytes ? this.flat + 1 : 1;
    this.times[index] = point.timeMs;
    this.res[index] = point.resBytes;
    this.shr[index] = point.shrBytes;
    this.virt[index] = point.virtBytes;
    if (this.count < size) {
      this.count++;
    } else {
      this.start = (this.start + 1) % size;
    }
    this.trend = undefined;
  }

  /** The i-th oldest point (0 = oldest). */
  at(i: number): HistoryPoint {
    const index = (this.start + i) % this.times.length;
    return {
      timeMs: this.times[index],
      resBytes: this.res[index],
      shrBytes: this.shr[index],
      virtBytes: this.virt[index],
    };
  }

  latest(): HistoryPoint | undefined {
    return this.count > 0 ? this.at(this.count - 1) : undefined;
  }

  /**
   * Points from oldest to newest, optionally only those at or after `sinceMs`. A window is found
   * from the newest end, so asking for the last minute of a full hour costs the minute, not the hour.
   */
  points(sinceMs = -Infinity): HistoryPoint[] {
    const first = this.firstSince(sinceMs);
    const result: HistoryPoint[] = [];
    for (let i = first; i < this.count; i++) {
      const point = this.at(i);
      if (point.timeMs >= sinceMs) {
        result.push(point);
      }
    }
    return result;
  }

  /**
   * The last `n` points (fewer while the history is shorter), oldest first: a sparkline's worth
   * without the hour. With `afterMs`, only those of them newer than it: what a view has not been sent.
   */
  last(n: number, afterMs = -Infinity): HistoryPoint[] {
    const size = this.times.length;
    let first = this.count;
    while (first > Math.max(0, this.count - n) && this.times[(this.start + first - 1) % size] > afterMs) {
      first--;
    }
    const result: HistoryPoint[] = [];
    for (let i = first; i < this.count; i++) {
      result.push(this.at(i));
    }
    return result;
  }

  /**
   * Whether the history reaches back before `sinceMs` and every point from then on has the newest
   * RES: a window of it that starts there is full and level.
   */
  levelSince(sinceMs: number): boolean {
    const first = this.firstSince(sinceMs);
    return first > 0 && this.flat >= this.count - first;
  }

  /** The oldest point at or after `sinceMs` (of the run that ends at the newest), without the others. */
  oldestSince(sinceMs: number): HistoryPoint | undefined {
    const first = this.firstSince(sinceMs);
    return first < this.count ? this.at(first) : undefined;
  }

  /**
   * RES and its times from `sinceMs` on, oldest first, as two arrays: what a fit wants. They are
   * views of the history (good until the next push) unless the window wraps around the ring; a
   * copy of a 10-minute window was 19 KB of garbage per refit.
   */
  resSince(sinceMs: number): { timesMs: Float64Array; res: Float64Array } {
    const size = this.times.length;
    const from = this.start + this.firstSince(sinceMs);
    const to = this.start + this.count;
    if (to <= size || from >= size) {
      const begin = from % size;
      const end = begin + (to - from);
      return { timesMs: this.times.subarray(begin, end), res: this.res.subarray(begin, end) };
    }
    const wrapped = (array: Float64Array) => {
      const copy = new Float64Array(to - from);
      copy.set(array.subarray(from, size));
      copy.set(array.subarray(0, to - size), size - from);
      return copy;
    };
    return { timesMs: wrapped(this.times), res: wrapped(this.res) };
  }

  /** Index of the oldest point of the run of points at or after `sinceMs` that ends at the newest. */
  private firstSince(sinceMs: number): number {
    if (sinceMs === -Infinity) {
      return 0;
    }
    const size = this.times.length;
    let i = this.count;
    while (i > 0 && this.times[(this.start + i - 1) % size] >= sinceMs) {
      i--;
    }
    return i;
  }

  /**
   * The trend of RES in bytes per minute over the last `windowMs`: the least-squares slope, so
   * one noisy sample does not swing it. Undefined until the window holds two points 5 s apart.
   */
  resTrendPerMinute(windowMs: number): number | undefined {
    if (this.trend?.windowMs !== windowMs) {
      this.trend = { windowMs, value: this.fitTrend(windowMs) };
    }
    return this.trend.value;
  }

  /** The least-squares slope over the window, straight from the arrays: no point objects. */
  private fitTrend(windowMs: number): number | undefined {
    if (this.count === 0) {
      return undefined;
    }
    const size = this.times.length;
    const latestMs = this.times[(this.start + this.count - 1) % size];
    const first = this.firstSince(latestMs - windowMs);
    const n = this.count - first;
    const firstMs = this.times[(this.start + first) % size];
    if (n < 2 || latestMs - firstMs < 5000) {
      return undefined;
    }
    if (this.flat >= n) {
      return 0; // what the fit below gives for a level RES, without the loop (a sleeping process's every reading)
    }
    // Both axes from the first point: the sums stay small, so a flat RES gives exactly 0 (in bytes
    // since the epoch, rounding left a slope of ±1e-8 B/min that changed at every reading).
    const firstRes = this.res[(this.start + first) % size];
    let sumT = 0,
      sumR = 0,
      sumTT = 0,
      sumTR = 0;
    for (let i = first; i < this.count; i++) {
      const index = (this.start + i) % size;
      const t = (this.times[index] - firstMs) / 60000;
      const r = this.res[index] - firstRes;
      sumT += t;
      sumR += r;
      sumTT += t * t;
      sumTR += t * r;
    }
    const denominator = n * sumTT - sumT * sumT;
    return denominator === 0 ? undefined : (n * sumTR - sumT * sumR) / denominator;
  }
}
