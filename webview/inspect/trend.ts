import type { LeakForecast } from '../../shared/model';
import { TrendLevel, trendText } from '../../shared/trendJudgement';
import { h, setSafeAttribute, setText } from '../dom';

/**
 * "RES +8.2 MiB/min over the last 5 min", in the warning colour when growing fast (shared/trendJudgement.ts).
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
    this.update(undefined, 0, 0, undefined);
  }

  /** `historyMinutes`: how much history there is, so a young process does not claim five minutes. */
  update(
    bytesPerMinute: number | undefined,
    resBytes: number,
    historyMinutes: number,
    forecast: LeakForecast | undefined,
  ): void {
    const { level, text } = trendText(bytesPerMinute, resBytes, historyMinutes, forecast);
    setSafeAttribute(this.element, 'data-trend', level);
    const icons: Record<TrendLevel, string> = { unknown: '·', steady: '→', growing: '↗', fast: '↑', shrinking: '↘' };
    setText(this.icon, icons[level]);
    setText(this.text, text);
  }
}
