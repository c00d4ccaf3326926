import uPlot from 'uplot';
import { formatBytes, formatInterval } from '../../shared/format';
import { h, setSafeAttribute } from '../dom';
import { fitPlot, plotSize } from '../plotSize';
import { onThemeChange, themeColor, themeFont, withAlpha, isHighContrast } from '../theme';

/** Axis steps in binary units, as the inspect chart has them. */
const BINARY_INCREMENTS = Array.from({ length: 51 }, (_, i) => 2 ** i);

/**
 * RES (or PSS summed, for task runs) of two runs over each other, on seconds from each run's origin (its start or its first
 * stop). The legend shows both values at the cursor.
 *
 * DOM: div.chart[data-testid=overlay-chart][data-points-a][data-points-b] > .chart-legend + .chart-plot
 */
export class OverlayChart {
  readonly element: HTMLElement;
  private readonly legend = h('div', { class: 'chart-legend' });
  private readonly plot = h('div', { class: 'chart-plot', attrs: { role: 'img' } });
  private chart: uPlot | undefined;
  private data: uPlot.AlignedData = [[], [], []];
  /** What the curves are: the legend says it. */
  private figure = 'RES';

  constructor() {
    this.element = h('div', { class: 'chart', testid: 'overlay-chart' }, this.legend, this.plot);
    new ResizeObserver(() => this.fit()).observe(this.plot);
    onThemeChange(() => {
      this.chart?.destroy();
      this.chart = undefined;
      this.create();
    });
  }

  set(a: { timesS: number[]; values: number[] }, b: { timesS: number[]; values: number[] }, figure: string): void {
    setSafeAttribute(this.element, 'data-points-a', a.values.length);
    setSafeAttribute(this.element, 'data-points-b', b.values.length);
    setSafeAttribute(this.element, 'data-figure', figure);
    // One x axis for both: uPlot's join puts each run's values at its own times, gaps elsewhere.
    this.data = uPlot.join([
      [a.timesS, a.values],
      [b.timesS, b.values],
    ]);
    setSafeAttribute(
      this.plot,
      'aria-label',
      `${figure} of run A (peak ${formatBytes(Math.max(0, ...a.values))}) and run B (peak ${formatBytes(Math.max(0, ...b.values))}) over time`,
    );
    if (figure !== this.figure) {
      this.figure = figure;
      this.chart?.destroy();
      this.chart = undefined;
    }
    if (this.chart) {
      this.chart.setData(this.data);
    } else {
      this.create();
    }
  }

  private create(): void {
    if (!this.plot.isConnected || this.plot.clientWidth === 0) {
      return;
    }
    this.legend.replaceChildren();
    const colorA = themeColor('--vscode-charts-blue', '#3794ff');
    const colorB = themeColor('--vscode-charts-orange', '#d18616');
    const axisColor = themeColor('--vscode-descriptionForeground', '#8b949e');
    const gridColor = withAlpha(themeColor('--vscode-foreground', '#cccccc'), isHighContrast() ? 0.35 : 0.1);
    const axis = {
      stroke: axisColor,
      font: themeFont(0.85),
      grid: { stroke: gridColor, width: 1 },
      ticks: { stroke: gridColor, width: 1, size: 4 },
    };
    const bytes = (_u: uPlot, value: number | null) =>
      value === null || value === undefined ? '–' : formatBytes(value);
    this.chart = new uPlot(
      {
        ...plotSize(this.plot),
        class: 'memory-chart',
        cursor: { drag: { x: false, y: false, setScale: false }, points: { size: 6 } },
        legend: {
          live: true,
          markers: { width: 0, fill: (_u, index) => [axisColor, colorA, colorB][index] ?? axisColor },
          mount: (_u, legend) => this.legend.appendChild(legend),
        },
        scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.08 : 1024] } },
        axes: [
          {
            ...axis,
            space: 70,
            values: (_u, splits) =>
              splits.map((seconds) => `${seconds < 0 ? '-' : ''}${formatInterval(Math.abs(seconds) * 1000)}`),
          },
          {
            ...axis,
            size: 64,
            space: 28,
            incrs: BINARY_INCREMENTS,
            values: (_u, splits) => splits.map((value) => formatBytes(value)),
          },
        ],
        series: [
          {
            label: 'Time',
            value: (_u, seconds) =>
              seconds === null ? '–' : `${seconds < 0 ? '-' : '+'}${formatInterval(Math.abs(seconds) * 1000)}`,
          },
          {
            label: `${this.figure} run A`,
            stroke: colorA,
            width: 1.5,
            points: { show: false },
            spanGaps: true,
            value: bytes,
          },
          {
            label: `${this.figure} run B`,
            stroke: colorB,
            width: 1.5,
            points: { show: false },
            spanGaps: true,
            value: bytes,
          },
        ],
      },
      this.data,
      this.plot,
    );
  }

  private fit(): void {
    fitPlot(this.chart, this.plot, () => this.create());
  }
}
