import uPlot from 'uplot';
import { formatBytes } from '../../shared/format';
import type { HistorySeries, TimelineMarker } from '../../shared/model';
import { h, setSafeAttribute } from '../dom';
import { fitPlot, plotSize } from '../plotSize';
import { isHighContrast, onThemeChange, themeColor, themeFont, withAlpha } from '../theme';

/** Enough for a day at one sample a second; older points are dropped in blocks. */
const MAX_POINTS = 400_000;

/** Axis steps in binary units: 1, 2, 4 … 512 B, KiB, MiB, GiB, TiB, so ticks read 256 MiB, 1.5 GiB. */
const BINARY_INCREMENTS = Array.from({ length: 51 }, (_, i) => 2 ** i);

/** formatBytes without trailing zeros, for axis ticks ("512 MiB" rather than "512.0 MiB"). */
function axisBytes(bytes: number): string {
  return formatBytes(bytes)
    .replace(/\.0+ /, ' ')
    .replace(/(\.\d*?)0+ /, '$1 ');
}

/** Time axis steps in seconds: 1 s up to a day. */
const TIME_INCREMENTS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/** A tick label: hours and minutes, with seconds only when ticks are less than a minute apart. */
function clockTick(seconds: number, step: number): string {
  const options: Intl.DateTimeFormatOptions =
    step < 60 ? { hour: '2-digit', minute: '2-digit', second: '2-digit' } : { hour: '2-digit', minute: '2-digit' };
  return new Date(seconds * 1000).toLocaleTimeString([], options);
}

function timeOfDay(seconds: number): string {
  return new Date(seconds * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/**
 * RES and SHR over time, drawn by uPlot. Holds the whole history (given by `init`, then one point
 * per sample); while paused it keeps collecting but does not redraw. Series colours are read from
 * the theme's chart colours and the chart is rebuilt when the theme changes. The legend above the
 * plot shows the latest values, and the hovered ones while the pointer is over the plot.
 *
 * DOM: div#chart.chart[data-testid=chart][data-points=N][data-paused] > .chart-legend + .chart-plot
 * (uPlot's legend: table.u-legend > tr.u-series > th (label) + td.u-value).
 */
export class MemoryChart {
  readonly element: HTMLElement;
  private readonly legend: HTMLElement;
  private readonly plot: HTMLElement;
  private times: number[] = [];
  private res: number[] = [];
  private shr: number[] = [];
  private chart: uPlot | undefined;
  /** What the chart shows: copies, so points that arrive while paused do not leak into a redraw. */
  private drawn: uPlot.AlignedData = [[], [], []];
  private paused = false;
  private dirty = false;
  private markers: TimelineMarker[] = [];
  /** What the marker under the pointer says (or how many markers there are): text only, names are untrusted. */
  private readonly markerInfo = h('div', {
    class: 'chart-marker-info',
    testid: 'chart-marker-info',
    attrs: { 'aria-live': 'polite' },
  });
  private markerColors = { stop: '#cca700', user: '#c586c0' };

  constructor() {
    this.legend = h('div', { class: 'chart-legend', testid: 'chart-legend' });
    this.plot = h('div', { class: 'chart-plot', testid: 'chart-plot', attrs: { role: 'img' } });
    this.element = h(
      'div',
      { class: 'chart', id: 'chart', testid: 'chart', attrs: { 'data-points': 0, 'data-markers': 0 } },
      this.legend,
      this.plot,
      this.markerInfo,
    );
    this.describeMarkers();
    new ResizeObserver(() => this.fit()).observe(this.plot);
    onThemeChange(() => this.rebuild());
  }

  get isPaused(): boolean {
    return this.paused;
  }

  setHistory(history: HistorySeries): void {
    const length = Math.min(history.timesMs.length, history.res.length, history.shr.length);
    const start = Math.max(0, length - MAX_POINTS);
    this.times = history.timesMs.slice(start, length).map((ms) => ms / 1000);
    this.res = history.res.slice(start, length);
    this.shr = history.shr.slice(start, length);
    // A new history (first load, panel restored) is drawn even while paused: pausing holds back
    // new samples, it does not leave the chart empty.
    this.draw();
  }

  append(timeMs: number, resBytes: number, shrBytes: number): void {
    this.times.push(timeMs / 1000);
    this.res.push(resBytes);
    this.shr.push(shrBytes);
    if (this.times.length > MAX_POINTS * 1.1) {
      const drop = this.times.length - MAX_POINTS;
      this.times.splice(0, drop);
      this.res.splice(0, drop);
      this.shr.splice(0, drop);
    }
    this.changed();
  }

  /** The stops and user markers of the process: a dashed line each, described when the pointer is near it. */
  setMarkers(markers: readonly TimelineMarker[]): void {
    this.markers = markers.slice();
    setSafeAttribute(this.element, 'data-markers', this.markers.length);
    this.describeMarkers();
    this.chart?.redraw(false, false);
  }

  /** Stops redrawing (data still arrives); resuming draws everything that came meanwhile. */
  setPaused(paused: boolean): void {
    this.paused = paused;
    setSafeAttribute(this.element, 'data-paused', paused);
    if (!paused && this.dirty) {
      this.draw();
    }
  }

  private changed(): void {
    this.dirty = true;
    if (!this.paused) {
      this.draw();
    }
  }

  private draw(): void {
    this.dirty = false;
    setSafeAttribute(this.element, 'data-points', this.times.length);
    this.describe();
    this.drawn = [this.times.slice(), this.res.slice(), this.shr.slice()];
    if (this.chart) {
      this.chart.setData(this.drawn);
    } else {
      this.create();
    }
  }

  private describe(): void {
    const count = this.times.length;
    if (count === 0) {
      setSafeAttribute(this.plot, 'aria-label', 'Chart of RES and SHR over time: no samples yet');
      return;
    }
    const minutes = Math.round((this.times[count - 1] - this.times[0]) / 60);
    setSafeAttribute(
      this.plot,
      'aria-label',
      `Chart of RES and SHR over the last ${minutes} min: RES from ${formatBytes(this.res[0])} to ${formatBytes(this.res[count - 1])}, SHR from ${formatBytes(this.shr[0])} to ${formatBytes(this.shr[count - 1])}`,
    );
  }

  private create(): void {
    if (!this.plot.isConnected || this.plot.clientWidth === 0) {
      return; // fit() creates it once the element has a size.
    }
    this.legend.replaceChildren();
    const resColor = themeColor('--vscode-charts-blue', '#3794ff');
    const shrColor = themeColor('--vscode-charts-green', '#89d185');
    const axisColor = themeColor('--vscode-descriptionForeground', '#8b949e');
    const gridColor = withAlpha(themeColor('--vscode-foreground', '#cccccc'), isHighContrast() ? 0.35 : 0.1);
    const font = themeFont(0.85);
    this.markerColors = {
      stop: themeColor('--vscode-charts-yellow', '#cca700'),
      user: themeColor('--vscode-charts-purple', '#c586c0'),
    };
    const latest = (u: uPlot, index: number) => {
      const values = u.data[index];
      return values.length ? (values[values.length - 1] ?? undefined) : undefined;
    };
    // With the pointer off the plot uPlot asks for the value at `null`: show the latest instead of a dash.
    const bytesValue = (u: uPlot, value: number | null, index: number) => {
      const shown = value ?? latest(u, index);
      return shown === undefined ? '–' : formatBytes(shown);
    };
    const axis = {
      stroke: axisColor,
      font,
      grid: { stroke: gridColor, width: 1 },
      ticks: { stroke: gridColor, width: 1, size: 4 },
    };
    const options: uPlot.Options = {
      ...plotSize(this.plot),
      class: 'memory-chart',
      pxAlign: 1,
      cursor: { drag: { x: false, y: false, setScale: false }, points: { size: 6 } },
      legend: {
        live: true,
        markers: { width: 0, fill: (_u, index) => [axisColor, resColor, shrColor][index] ?? axisColor },
        mount: (_u, legend) => this.legend.appendChild(legend),
      },
      hooks: {
        draw: [(u) => this.drawMarkers(u)],
        setCursor: [(u) => this.hoverMarker(u)],
      },
      scales: {
        x: { time: true },
        y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.08 : 1024] },
      },
      axes: [
        // Whole seconds at least (samples are ≥ 250 ms apart): no ":09.000" ticks on a short history.
        {
          ...axis,
          space: 70,
          incrs: TIME_INCREMENTS,
          values: (_u, splits, _axis, _space, step) => splits.map((seconds) => clockTick(seconds, step)),
        },
        { ...axis, size: 64, space: 28, incrs: BINARY_INCREMENTS, values: (_u, splits) => splits.map(axisBytes) },
      ],
      series: [
        {
          label: 'Time',
          value: (u, seconds) => {
            const shown = seconds ?? latest(u, 0);
            return shown === undefined ? '–' : timeOfDay(shown);
          },
        },
        {
          label: 'RES',
          stroke: resColor,
          width: 1.5,
          fill: withAlpha(resColor, 0.12),
          points: { show: false },
          value: bytesValue,
        },
        { label: 'SHR', stroke: shrColor, width: 1.5, points: { show: false }, value: bytesValue },
      ],
    };
    this.chart = new uPlot(options, this.drawn, this.plot);
  }

  /** Dashed vertical lines over the plot, with a small flag at the top; drawn on uPlot's canvas (no DOM, no inline style). */
  private drawMarkers(u: uPlot): void {
    const ctx = u.ctx;
    const { left, top, width, height } = u.bbox;
    const ratio = window.devicePixelRatio || 1;
    ctx.save();
    ctx.lineWidth = Math.max(1, ratio);
    ctx.setLineDash([4 * ratio, 3 * ratio]);
    for (const marker of this.markers) {
      const x = Math.round(u.valToPos(marker.timeMs / 1000, 'x', true));
      if (!(x >= left && x <= left + width)) {
        continue;
      }
      const color = this.markerColors[marker.kind];
      ctx.strokeStyle = color;
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
      ctx.fillStyle = color;
      ctx.beginPath();
      ctx.moveTo(x - 4 * ratio, top);
      ctx.lineTo(x + 4 * ratio, top);
      ctx.lineTo(x, top + 6 * ratio);
      ctx.fill();
    }
    ctx.restore();
  }

  /** The marker nearest the pointer, within a few pixels, is described under the chart. */
  private hoverMarker(u: uPlot): void {
    const left = u.cursor.left;
    let nearest: TimelineMarker | undefined;
    let best = 6;
    if (left !== undefined && left >= 0) {
      for (const marker of this.markers) {
        const distance = Math.abs(u.valToPos(marker.timeMs / 1000, 'x') - left);
        if (distance <= best) {
          best = distance;
          nearest = marker;
        }
      }
    }
    setSafeAttribute(this.markerInfo, 'data-hovered', nearest ? nearest.kind : undefined);
    if (nearest) {
      this.markerInfo.textContent = `${nearest.kind === 'stop' ? 'Stop' : 'Marker'} at ${timeOfDay(nearest.timeMs / 1000)}: ${nearest.label} · ${nearest.detail}`;
    } else {
      this.describeMarkers();
    }
  }

  private describeMarkers(): void {
    const stops = this.markers.filter((marker) => marker.kind === 'stop').length;
    const user = this.markers.length - stops;
    const parts = [
      stops && `${stops} debug ${stops === 1 ? 'stop' : 'stops'}`,
      user && `${user} ${user === 1 ? 'marker' : 'markers'}`,
    ].filter(Boolean);
    this.markerInfo.textContent = parts.length
      ? `${parts.join(' and ')} on the timeline: point at one for its details.`
      : '';
    this.markerInfo.hidden = parts.length === 0;
  }

  private fit(): void {
    fitPlot(this.chart, this.plot, () => this.create());
  }

  /** Theme colours changed: build the chart again with the new ones (data and pause state kept). */
  private rebuild(): void {
    this.chart?.destroy();
    this.chart = undefined;
    this.create();
  }
}
