// The leak forecast in words, the same in the status bar tooltip and the inspect panel.
// Shared by the extension host and the webviews: no `vscode`, no DOM.
import { formatBytes, formatInterval, formatRate } from './format';
import { FORECAST_MIN_R2, FORECAST_MIN_SPAN_MS, FORECAST_WARM_UP_MS, type LeakForecast } from './model';
import { QUIET_MESSAGE_MS } from './protocol/quietMessages';

export interface ForecastText {
  /** One sentence: the verdict, e.g. "At +12.0 MiB/min this reaches the cgroup limit in about 43 min." */
  verdict: string;
  /** What it rests on: the fit and the limit. */
  basis: string;
}

/** "about 43 min", "about 2 h 10 min", "about 3 days": a forecast is no stopwatch. */
export function formatTimeToLimit(ms: number): string {
  if (ms < 60000) {
    return 'less than a minute';
  }
  if (ms >= 2 * 86400_000) {
    return `about ${Math.round(ms / 86400_000)} days`;
  }
  return `about ${formatInterval(Math.round(ms / 60000) * 60000)}`;
}

export function describeForecast(forecast: LeakForecast): ForecastText {
  if (forecast.verdict === 'collecting') {
    // In steps of the quiet message's wait: each step is news to every panel of the process, and
    // a finer countdown cost a message per panel every 5 s in the first minute and a half.
    const step = Math.ceil(forecast.needMs / QUIET_MESSAGE_MS) * QUIET_MESSAGE_MS;
    const wait = forecast.needMs > 0 ? ` (about ${formatInterval(step)} more)` : '';
    return {
      verdict: `Leak forecast: collecting readings${wait}.`,
      basis: `It needs ${formatInterval(FORECAST_MIN_SPAN_MS)} of readings after the first ${formatInterval(FORECAST_WARM_UP_MS)} of the process, which are left out as warm-up.`,
    };
  }
  // Whole minutes past the first: the span grows with every reading, and its seconds tell nothing.
  const span = formatInterval(
    forecast.spanMs < 60000 ? Math.round(forecast.spanMs / 1000) * 1000 : Math.floor(forecast.spanMs / 60000) * 60000,
  );
  const over = `over the last ${span}`;
  const fit = `Line fitted to the lowest reading of each twelfth of the last ${span}: ${formatRate(forecast.bytesPerMinute)}, R² ${forecast.r2.toFixed(2)}.`;
  switch (forecast.verdict) {
    case 'steady': {
      const verdicts = {
        flat: `No leak: RES has stayed level ${over}.`,
        sawtooth: `No leak: RES rises and falls back to the same base ${over}, as a garbage collector makes it.`,
        settled: `No leak: RES grew earlier and has stayed level since (${over}).`,
      };
      return { verdict: verdicts[forecast.reason], basis: fit };
    }
    case 'shrinking':
      return { verdict: `RES is shrinking (${formatRate(forecast.bytesPerMinute)} ${over}).`, basis: fit };
    case 'uncertain':
      return forecast.reason === 'recent'
        ? {
            verdict: `RES has risen lately, above anything ${over}: too recent to tell a leak from a slow cycle.`,
            basis: fit,
          }
        : {
            verdict: `RES grows (${formatRate(forecast.bytesPerMinute)}), but too unevenly to forecast from (R² ${forecast.r2.toFixed(2)}, under ${FORECAST_MIN_R2.toFixed(2)}).`,
            basis: fit,
          };
    case 'growing': {
      const rate = formatRate(forecast.bytesPerMinute);
      const limit = forecast.limit;
      if (!limit) {
        return { verdict: `RES grows steadily at ${rate}; no limit is known to forecast against.`, basis: fit };
      }
      const target =
        limit.kind === 'cgroup'
          ? `the cgroup limit (${limit.limitFile} of ${limit.path})`
          : 'the memory the system has available';
      const headroom =
        limit.kind === 'cgroup'
          ? `Headroom ${formatBytes(limit.headroomBytes)}: the ${formatBytes(limit.limitBytes)} limit minus that group’s working set, which grows as RES does.`
          : `Headroom ${formatBytes(limit.headroomBytes)}: MemAvailable in /proc/meminfo, tighter than any cgroup limit.`;
      const verdict =
        limit.timeToLimitMs <= 0
          ? `At ${rate}, RES grows while ${target} is already reached.`
          : `At ${rate} this reaches ${target} in ${formatTimeToLimit(limit.timeToLimitMs)}.`;
      return { verdict, basis: `${headroom} ${fit}` };
    }
  }
}
