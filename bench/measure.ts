/**
 * Timing helpers for the benchmark: warm up, then time repeated batches with
 * process.hrtime.bigint() and keep the cost per operation of each batch. Summaries use the median
 * (robust against a GC pause or a noisy neighbour in one batch) and the 90th percentile.
 */

export interface Plan {
  /** Untimed calls first: JIT, page cache, dentry cache, lazy module state. */
  warmup: number;
  /** Timed batches; one sample per batch. */
  batches: number;
  /** Calls per batch; the sample is the batch time divided by this. */
  perBatch: number;
  /**
   * Stop adding batches once the timed batches have taken this long (but never before
   * MIN_BATCHES), so that a loaded machine stretches the bench less. Absent: no limit.
   */
  budgetMs?: number;
}

export const MIN_BATCHES = 5;

function overBudget(plan: Plan, batchesDone: number, start: bigint): boolean {
  return (
    plan.budgetMs !== undefined &&
    batchesDone >= MIN_BATCHES &&
    Number(process.hrtime.bigint() - start) / 1e6 > plan.budgetMs
  );
}

export interface Summary {
  /** Nanoseconds per operation, one per batch. */
  samples: number[];
  medianNs: number;
  p90Ns: number;
  minNs: number;
  /** Operations timed in all (batches x perBatch). */
  operations: number;
}

/** Keeps results reachable so that no call can be optimised away. */
let sink = 0;
export function consume(value: unknown): void {
  if (value !== undefined && value !== null) {
    sink = (sink + 1) | 0;
  }
}
export function sinkValue(): number {
  return sink;
}

export function timeSync(plan: Plan, operation: () => unknown): number[] {
  for (let i = 0; i < plan.warmup; i++) {
    consume(operation());
  }
  const samples: number[] = [];
  const begun = process.hrtime.bigint();
  for (let b = 0; b < plan.batches && !overBudget(plan, b, begun); b++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < plan.perBatch; i++) {
      consume(operation());
    }
    samples.push(Number(process.hrtime.bigint() - start) / plan.perBatch);
  }
  return samples;
}

export async function timeAsync(plan: Plan, operation: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < plan.warmup; i++) {
    consume(await operation());
  }
  const samples: number[] = [];
  const begun = process.hrtime.bigint();
  for (let b = 0; b < plan.batches && !overBudget(plan, b, begun); b++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < plan.perBatch; i++) {
      consume(await operation());
    }
    samples.push(Number(process.hrtime.bigint() - start) / plan.perBatch);
  }
  return samples;
}

export function summarize(samples: number[], perBatch: number): Summary {
  if (samples.length === 0) {
    throw new Error('no samples');
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const medianNs = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  // Nearest-rank percentile.
  const p90Ns = sorted[Math.min(sorted.length - 1, Math.ceil(0.9 * sorted.length) - 1)];
  return { samples, medianNs, p90Ns, minNs: sorted[0], operations: samples.length * perBatch };
}

/** 1234 -> "1.23 us", 12345678 -> "12.3 ms". */
export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) {
    return '-';
  }
  const [value, unit] =
    ns >= 1e9 ? [ns / 1e9, 's'] : ns >= 1e6 ? [ns / 1e6, 'ms'] : ns >= 1e3 ? [ns / 1e3, 'us'] : [ns, 'ns'];
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${unit}`;
}

export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) {
    return '-';
  }
  return ratio >= 100 ? `${ratio.toFixed(0)}x` : ratio >= 10 ? `${ratio.toFixed(1)}x` : `${ratio.toFixed(2)}x`;
}
