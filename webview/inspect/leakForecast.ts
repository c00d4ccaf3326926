import { describeForecast } from '../../shared/forecastText';
import type { LeakForecast } from '../../shared/model';
import { h, setSafeAttribute, setText } from '../dom';

const ICONS: Record<LeakForecast['verdict'], string> = {
  collecting: '·',
  steady: '→',
  shrinking: '↘',
  uncertain: '↗',
  growing: '↑',
};

/**
 * The leak forecast: its verdict in one sentence (what the host's fit concluded), and what it rests
 * on. The words come from shared/forecastText.ts, the same as the status bar tooltip's.
 *
 * DOM: div.forecast[data-testid=forecast][data-verdict][data-reason][data-rate][data-r2][data-time-to-limit]
 *        > p.forecast-verdict[data-testid=forecast-verdict] + p.forecast-basis[data-testid=forecast-basis]
 */
export class LeakForecastView {
  private readonly icon = h('span', { class: 'forecast-icon', attrs: { 'aria-hidden': 'true' } });
  private readonly verdict = h('span', { testid: 'forecast-verdict' });
  private readonly basis = h('p', { class: 'forecast-basis', testid: 'forecast-basis' });
  readonly element = h(
    'div',
    { class: 'forecast', testid: 'forecast', attrs: { 'data-verdict': 'collecting', role: 'status' } },
    h('p', { class: 'forecast-verdict' }, this.icon, this.verdict),
    this.basis,
  );

  update(forecast: LeakForecast | undefined): void {
    const shown = forecast ?? { verdict: 'collecting', needMs: 0 };
    const text = describeForecast(shown);
    setSafeAttribute(this.element, 'data-verdict', shown.verdict);
    setSafeAttribute(this.element, 'data-reason', 'reason' in shown ? shown.reason : undefined);
    setSafeAttribute(this.element, 'data-rate', 'bytesPerMinute' in shown ? shown.bytesPerMinute : undefined);
    setSafeAttribute(this.element, 'data-r2', 'r2' in shown ? shown.r2 : undefined);
    setSafeAttribute(
      this.element,
      'data-time-to-limit',
      shown.verdict === 'growing' ? shown.limit?.timeToLimitMs : undefined,
    );
    setText(this.icon, ICONS[shown.verdict]);
    setText(this.verdict, text.verdict);
    setText(this.basis, text.basis);
  }
}
