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
    this.times[index] = point.timeMs;
    this.res[index] = point.resBytes;
    this.shr[index] = point.shrBytes;
    this.virt[index] = point.virtBytes;
    if (this.count < size) {
      this.count++;
    } else {
      this.start = (this.start + 1) % size;
    }
  }

  /** The i-th oldest point (0 = oldest). */
  at(i: number): HistoryPoint {
    const index = (this.start + i) % this.times.length;
    return { timeMs: this.times[index], resBytes: this.res[index], shrBytes: this.shr[index], virtBytes: this.virt[index] };
  }

  latest(): HistoryPoint | undefined {
    return this.count > 0 ? this.at(this.count - 1) : undefined;
  }

  /** Points from oldest to newest, optionally only those at or after `sinceMs`. */
  points(sinceMs = -Infinity): HistoryPoint[] {
    const result: HistoryPoint[] = [];
    for (let i = 0; i < this.count; i++) {
      const point = this.at(i);
      if (point.timeMs >= sinceMs) {
        result.push(point);
      }
    }
    return result;
  }

  /**
   * The trend of RES in bytes per minute over the last `windowMs`: the least-squares slope, so
   * one noisy sample does not swing it. Undefined until the window holds two points 5 s apart.
   */
  resTrendPerMinute(windowMs: number): number | undefined {
    const latest = this.latest();
    if (!latest) {
      return undefined;
    }
    const points = this.points(latest.timeMs - windowMs);
    if (points.length < 2 || latest.timeMs - points[0].timeMs < 5000) {
      return undefined;
    }
    const t0 = points[0].timeMs;
    let sumT = 0, sumR = 0, sumTT = 0, sumTR = 0;
    for (const point of points) {
      const t = (point.timeMs - t0) / 60000;
      sumT += t;
      sumR += point.resBytes;
      sumTT += t * t;
      sumTR += t * point.resBytes;
    }
    const n = points.length;
    const denominator = n * sumTT - sumT * sumT;
    return denominator === 0 ? undefined : (n * sumTR - sumT * sumR) / denominator;
  }
}
