import {
  FORECAST_MIN_R2,
  FORECAST_MIN_SPAN_MS,
  FORECAST_WARM_UP_MS,
  FORECAST_WINDOW_MS,
  type ForecastLimit,
  type LeakForecast,
} from '../../shared/model';
import { MiB } from '../../shared/units';
const MIN_POINTS = 12;
/** The window is cut into this many bins; the lowest reading of each is a trough. */
const BINS = 12;

/** RES readings, oldest first. */
export interface ResSeries {
  timesMs: ArrayLike<number>;
  res: ArrayLike<number>;
}

/**
 * Judges whether RES leaks, from its readings: see LeakForecast for the verdicts.
 *
 * - Warm-up: readings from the first FORECAST_WARM_UP_MS of the process are left out.
 * - Troughs: the line is fitted to the lowest reading of each of BINS equal slices of the window,
 *   so a sawtooth is judged by the base it returns to and noise by its floor.
 * - Sustained: the lowest reading must rise from each third of the window to the next (by a third
 *   of 1 MiB and 1 % of RES, and half of what the line predicts), so a step at start, or once, that
 *   then stays level is no leak, and neither is a sawtooth: its thirds share one base.
 */
export function forecastLeak(
  series: ResSeries,
  processStartMs: number,
  /** Or how to find it: only a growing RES needs a limit, and finding it reads /proc/meminfo. */
  limit: ForecastLimit | undefined | (() => ForecastLimit | undefined),
): LeakForecast {
  const { timesMs, res } = series;
  const n = timesMs.length;
  const latestMs = n > 0 ? timesMs[n - 1] : 0;
  const warmedUpMs = Number.isFinite(processStartMs) ? processStartMs + FORECAST_WARM_UP_MS : -Infinity;
  const fromMs = Math.max(latestMs - FORECAST_WINDOW_MS, warmedUpMs);
  let first = n;
  while (first > 0 && timesMs[first - 1] >= fromMs) {
    first--;
  }
  const count = n - first;
  const startMs = count > 0 ? timesMs[first] : Math.max(fromMs, latestMs);
  const spanMs = latestMs - startMs;
  if (count < MIN_POINTS || spanMs < FORECAST_MIN_SPAN_MS) {
    return { verdict: 'collecting', needMs: Math.max(0, startMs + FORECAST_MIN_SPAN_MS - latestMs) };
  }

  const scan = scanWindow(series, first, startMs, spanMs);
  const { troughs } = scan;
  const { slopePerMs, r2 } = fitLine(troughs.timesMs, troughs.res);
  const fit = { spanMs, bytesPerMinute: slopePerMs * 60000, r2 };
  const [m1, m2, m3] = scan.thirdMinima;
  // A change under 1 MiB and 1 % of RES over the whole window is noise; a third of it per third.
  const significant = Math.max(MiB, res[n - 1] * 0.01);
  const step = Math.max(significant / 3, (Math.abs(slopePerMs) * spanMs) / 6);
  const rose = (before: number, after: number) => after - before >= step;

  if (rose(m1, m2) && rose(m2, m3)) {
    if (r2 < FORECAST_MIN_R2 || slopePerMs <= 0) {
      return { verdict: 'uncertain', reason: 'poor-fit', ...fit };
    }
    const found = typeof limit === 'function' ? limit() : limit;
    return {
      verdict: 'growing',
      ...fit,
      limit: found && { ...found, timeToLimitMs: Math.max(0, found.headroomBytes) / slopePerMs },
    };
  }
  if (rose(m2, m1) && rose(m3, m2)) {
    return { verdict: 'shrinking', ...fit };
  }
  // Risen above everything seen before the last third, without a trough since: a leak that began
  // lately, or the rising edge of a very slow sawtooth; only time tells them apart.
  const lastTrough = troughs.res[troughs.res.length - 1];
  if (lastTrough - scan.highBeforeLastThird >= step) {
    return { verdict: 'uncertain', reason: 'recent', ...fit };
  }
  const reason = rose(m1, m3) ? 'settled' : scan.high - scan.low >= 2 * significant ? 'sawtooth' : 'flat';
  return { verdict: 'steady', reason, ...fit };
}

/** What the verdict weighs, from the window's readings. */
interface WindowScan {
  /** The lowest reading of each non-empty bin, with its time. */
  troughs: { timesMs: number[]; res: number[] };
  /** The lowest reading in each third of the window. */
  thirdMinima: [number, number, number];
  /** The highest reading before the window's last third begins. */
  highBeforeLastThird: number;
  low: number;
  high: number;
}

/**
 * One pass over the window's readings. The forecast is refitted every 5 s for each watched
 * process, too seldom for V8 to optimise it, so in the interpreter each pass over the readings costs
 * (about 0.07 ms per 600) and so does each number it reads: one loop, reading each reading once.
 */
function scanWindow(series: ResSeries, first: number, startMs: number, spanMs: number): WindowScan {
  const { timesMs, res } = series;
  const binTimes = new Array<number>(BINS).fill(NaN);
  const binMinima = new Array<number>(BINS).fill(Infinity);
  const thirdMinima: [number, number, number] = [Infinity, Infinity, Infinity];
  const lastThirdMs = startMs + (spanMs * 2) / 3;
  let highBeforeLastThird = -Infinity;
  let inLastThird = false;
  let low = Infinity;
  let high = -Infinity;
  for (let i = first; i < timesMs.length; i++) {
    const timeMs = timesMs[i];
    const bytes = res[i];
    const position = (timeMs - startMs) / spanMs;
    const bin = Math.min(BINS - 1, Math.floor(position * BINS));
    if (bytes < binMinima[bin]) {
      binMinima[bin] = bytes;
      binTimes[bin] = timeMs;
    }
    const third = Math.min(2, Math.floor(position * 3));
    thirdMinima[third] = Math.min(thirdMinima[third], bytes);
    // "Before" ends at the first reading of the last third, even if the clock later steps back.
    inLastThird ||= timeMs >= lastThirdMs;
    if (!inLastThird) {
      highBeforeLastThird = Math.max(highBeforeLastThird, bytes);
    }
    low = Math.min(low, bytes);
    high = Math.max(high, bytes);
  }
  const kept = binMinima.map((_, bin) => bin).filter((bin) => binMinima[bin] !== Infinity);
  return {
    troughs: { timesMs: kept.map((bin) => binTimes[bin]), res: kept.map((bin) => binMinima[bin]) },
    thirdMinima,
    highBeforeLastThird,
    low,
    high,
  };
}

/** Least-squares line through the points, and its R² (1 when the points are all level). */
export function fitLine(xs: ArrayLike<number>, ys: ArrayLike<number>): { slopePerMs: number; r2: number } {
  const n = xs.length;
  let meanX = 0;
  let meanY = 0;
  for (let i = 0; i < n; i++) {
    meanX += xs[i] / n;
    meanY += ys[i] / n;
  }
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i] - meanX;
    const dy = ys[i] - meanY;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx === 0) {
    return { slopePerMs: 0, r2: 0 };
  }
  const slopePerMs = sxy / sxx;
  return { slopePerMs, r2: syy === 0 ? 1 : (sxy * sxy) / (sxx * syy) };
}
