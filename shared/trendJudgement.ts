// How the inspect panel's headline judges the RES trend. The slope is the raw least-squares line
// over the last minutes, which a process that is starting or a GC's tooth sends steeply up; so it
// may only raise the alarm ("growing fast") where the leak forecast, which waits out the warm-up and
// fits troughs, finds growth too: one judgement of growth, not two that disagree.
import { formatRate } from './format';
import type { LeakForecast } from './model';
import { TREND_WINDOW_MS } from './model';
import { KiB, MiB } from './units';

export type TrendLevel = 'unknown' | 'steady' | 'growing' | 'fast' | 'shrinking';

/**
 * `fast` when RES would grow by a tenth within ten minutes (1 %/min of RES, and at least 1 MiB/min
 * so tiny processes do not alarm) and the forecast calls it growing; `steady` when the slope is
 * noise (under 16 KiB/min or 0.05 %/min of RES).
 */
export function trendLevel(
  bytesPerMinute: number | undefined,
  resBytes: number,
  forecast: LeakForecast | undefined,
): TrendLevel {
  if (bytesPerMinute === undefined || !Number.isFinite(bytesPerMinute)) {
    return 'unknown';
  }
  if (Math.abs(bytesPerMinute) < Math.max(16 * KiB, resBytes * 0.0005)) {
    return 'steady';
  }
  if (bytesPerMinute < 0) {
    return 'shrinking';
  }
  const steep = bytesPerMinute >= Math.max(MiB, resBytes * 0.01);
  return steep && forecast?.verdict === 'growing' ? 'fast' : 'growing';
}

/** "RES growing fast: +8.2 MiB/min over the last 5 min"; `historyMinutes`: how much history there is. */
export function trendText(
  bytesPerMinute: number | undefined,
  resBytes: number,
  historyMinutes: number,
  forecast: LeakForecast | undefined,
): { level: TrendLevel; text: string } {
  const level = trendLevel(bytesPerMinute, resBytes, forecast);
  if (bytesPerMinute === undefined || level === 'unknown') {
    return { level, text: 'RES trend: not enough samples yet' };
  }
  const minutes = Math.min(TREND_WINDOW_MS / 60000, historyMinutes);
  const rate = formatRate(bytesPerMinute);
  // Say how much history the slope really rests on: "over the last 12 s" for a young process.
  const window =
    minutes < 1
      ? `over the last ${Math.max(1, Math.round(minutes * 60))} s`
      : `over the last ${Math.round(minutes)} min`;
  // Before the forecast has its warm-up and minimum span, a rise is a start, not yet a trend.
  const early = level === 'growing' && (!forecast || forecast.verdict === 'collecting') ? ': too early to judge' : '';
  switch (level) {
    case 'steady':
      return { level, text: `RES steady (${rate}) ${window}` };
    case 'growing':
      return { level, text: `RES ${rate} ${window}${early}` };
    case 'fast':
      return { level, text: `RES growing fast: ${rate} ${window}` };
    case 'shrinking':
      return { level, text: `RES ${rate} ${window}` };
  }
}
