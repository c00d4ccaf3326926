import { formatRate } from '../../shared/format';
import { TREND_WINDOW_MS } from '../../shared/model';
import { KiB, MiB } from '../../shared/units';
import { h, setSafeAttribute, setText } from '../dom';

/** The window the host fits the RES trend over, in minutes. */
const TREND_WINDOW_MINUTES = TREND_WINDOW_MS / 60000;

export type TrendLevel = 'unknown' | 'steady' | 'growing' | 'fast' | 'shrinking';

/**
 * How to read a trend: `fast` when RES would grow by a tenth within ten minutes (1 %/min of RES,
 * and at least 1 MiB/min so tiny processes do not alarm), `steady` when the slope is noise
 * (under 16 KiB/min or 0.05 %/min of RES).
 */
function trendLevel(bytesPerMinute: number | undefined, resBytes: number): TrendLevel {
  if (bytesPerMinute === undefined || !Number.isFinite(bytesPerMinute)) {
    return 'unknown';
  }
  if (Math.abs(bytesPerMinute) < Math.max(16 * KiB, resBytes * 0.0005)) {
    return 'steady';
  }
  if (bytesPerMinute < 0) {
    return 'shrinking';
  }
  return bytesPerMinute >= Math.max(MiB, resBytes * 0.01) ? 'fast' : 'growing';
}

/**
 * "RES +8.2 MiB/min over the last 5 min", in the warning colour when growing fast.
 *
 * DOM: div.trend[data-testid=trend][data-trend=unknown|steady|growing|fast|shrinking] > .trend-icon + .trend-text
 */
export class TrendIndicator {
  readonly element: HTMLElement;
  private readonly text = h('span', { class: 'trend-text', testid: 'trend-text' });
  private readonly icon = h('span', { class: 'trend-icon', attrs: { 'aria-hidden': 'true' } });

  constructor() {
    this.element = h(
      'div',
      { class: 'trend', testid: 'trend', attrs: { 'data-trend': 'unknown' } },
      this.icon,
      this.text,
    );
    this.update(undefined, 0, 0);
  }

  /** `historyMinutes`: how much history there is, so a young process does not claim five minutes. */
  update(bytesPerMinute: number | undefined, resBytes: number, historyMinutes: number): void {
    const level = trendLevel(bytesPerMinute, resBytes);
    setSafeAttribute(this.element, 'data-trend', level);
    const icons: Record<TrendLevel, string> = { unknown: '·', steady: '→', growing: '↗', fast: '↑', shrinking: '↘' };
    setText(this.icon, icons[level]);
    if (bytesPerMinute === undefined || level === 'unknown') {
      setText(this.text, 'RES trend: not enough samples yet');
      return;
    }
    const minutes = Math.min(TREND_WINDOW_MINUTES, historyMinutes);
    const rate = formatRate(bytesPerMinute);
    // Say how much history the slope really rests on: "over the last 12 s" for a young process.
    const window =
      minutes < 1
        ? `over the last ${Math.max(1, Math.round(minutes * 60))} s`
        : `over the last ${Math.round(minutes)} min`;
    const texts: Record<Exclude<TrendLevel, 'unknown'>, string> = {
      steady: `RES steady (${rate}) ${window}`,
      growing: `RES ${rate} ${window}`,
      fast: `RES growing fast: ${rate} ${window}`,
      shrinking: `RES ${rate} ${window}`,
    };
    setText(this.text, texts[level]);
  }
}
