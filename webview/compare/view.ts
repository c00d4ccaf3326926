import { formatBytes, formatInterval } from '../../shared/format';
import type { ComparedFigure, ComparedRun, FromCompareView, ToCompareView } from '../../shared/protocol/compare';
import { Banner } from '../banner';
import { h, setSafeAttribute, setText } from '../dom';
import { formatClock } from '../time';
import { OverlayChart } from './overlayChart';

type Compared = Extract<ToCompareView, { type: 'compare' }>;

/**
 * Two recordings side by side: which runs, the verdict in words, both curves (RES; PSS summed for
 * two task runs), and the stops of
 * both matched by function and file. Names and labels come from the files: text nodes only.
 *
 * DOM: #app[data-state=compare|invalid] > .compare-runs > [data-testid=run-a|run-b]
 *        + p[data-testid=verdict] + .compare-align (select[data-testid=alignment]) + overlay chart
 *        + table[data-testid=compare-stops] > tr[data-testid=stop-pair]
 */
export class CompareView {
  private readonly runA = h('div', { class: 'compare-run run-a', testid: 'run-a' });
  private readonly runB = h('div', { class: 'compare-run run-b', testid: 'run-b' });
  private readonly verdict = h('p', { class: 'compare-verdict', testid: 'verdict' });
  private readonly alignment = h(
    'select',
    { testid: 'alignment', attrs: { 'aria-label': 'Align the runs at' } },
    h('option', { attrs: { value: 'start' } }, 'their start'),
    h('option', { attrs: { value: 'first-stop' } }, 'their first stop'),
  );
  private readonly chart = new OverlayChart();
  private readonly chartTitle = h('h2', { testid: 'compare-figure' }, 'RES of both runs');
  private readonly stops = h('tbody');
  private readonly invalid = new Banner('error', 'compare-invalid');
  private readonly content: HTMLElement;

  constructor(
    private readonly root: HTMLElement,
    post: (message: FromCompareView) => void,
  ) {
    this.alignment.addEventListener('change', () =>
      post({ type: 'align', alignment: this.alignment.value === 'start' ? 'start' : 'first-stop' }),
    );
    const head = (...names: string[]) =>
      h('thead', {}, h('tr', {}, ...names.map((name) => h('th', { attrs: { scope: 'col' } }, name))));
    this.content = h(
      'div',
      { class: 'compare-content', attrs: { hidden: true } },
      h('div', { class: 'compare-runs' }, this.runA, this.runB),
      this.verdict,
      h(
        'section',
        { class: 'history' },
        h(
          'div',
          { class: 'section-head' },
          this.chartTitle,
          h('label', { class: 'compare-align' }, 'Aligned at ', this.alignment),
        ),
        this.chart.element,
      ),
      h(
        'section',
        {},
        h('div', { class: 'section-head' }, h('h2', {}, 'Stops, matched by function and file')),
        h(
          'table',
          { class: 'compare-stops', testid: 'compare-stops' },
          head('Where', 'Run A', 'Run B', 'Difference'),
          this.stops,
        ),
      ),
    );
    root.replaceChildren(this.invalid.element, this.content);
  }

  handle(message: ToCompareView): void {
    setSafeAttribute(this.root, 'data-state', message.type);
    if (message.type === 'invalid') {
      this.invalid.show('These recordings cannot be compared.', message.reason);
      this.content.hidden = true;
      return;
    }
    this.invalid.hide();
    this.content.hidden = false;
    this.describe(this.runA, 'A', message.a, message.figure);
    this.describe(this.runB, 'B', message.b, message.figure);
    setText(this.chartTitle, `${message.figure} of both runs`);
    setText(this.verdict, message.verdict);
    this.alignment.value = message.alignment;
    (this.alignment.querySelector('option[value="first-stop"]') as HTMLOptionElement).disabled =
      !message.canAlignAtStops;
    this.chart.set(message.a, message.b, message.figure);
    this.stops.replaceChildren(...this.stopRows(message));
  }

  private describe(element: HTMLElement, letter: string, run: ComparedRun, figure: ComparedFigure): void {
    const peaks =
      figure === 'RES'
        ? `peak RES ${formatBytes(run.peakBytes)}`
        : `peak ${figure} ${formatBytes(run.peakBytes)} (RES summed ${formatBytes(run.peakResBytes)})`;
    element.replaceChildren(
      h(
        'div',
        { class: 'compare-run-title' },
        h('span', { class: 'compare-run-letter' }, `Run ${letter}`),
        ` ${run.name} (PID ${run.pid})`,
      ),
      h(
        'div',
        { class: 'compare-run-facts' },
        `${run.fileName} · ${formatClock(run.startMs)} · ${formatInterval(run.durationMs)} · ${peaks}`,
      ),
    );
  }

  private stopRows(message: Compared): HTMLElement[] {
    if (message.stops.length === 0) {
      return [h('tr', {}, h('td', { attrs: { colspan: 4 } }, 'Neither run has stops.'))];
    }
    const cell = (stop: Compared['stops'][number]['a']) =>
      h(
        'td',
        {},
        stop
          ? `${stop.label} · +${formatInterval(Math.max(0, stop.atS) * 1000)}${stop.resBytes !== undefined ? ` · ${formatBytes(stop.resBytes)}` : ''}`
          : '–',
      );
    return message.stops.map((pair) =>
      h(
        'tr',
        { testid: 'stop-pair' },
        h('th', { attrs: { scope: 'row' } }, pair.place),
        cell(pair.a),
        cell(pair.b),
        h('td', {}, pair.change),
      ),
    );
  }
}
