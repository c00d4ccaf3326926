import { formatBytes } from '../shared/format';
import { setSafeAttribute, svg } from './dom';

const WIDTH = 100;
const HEIGHT = 24;

/**
 * A tiny RES line for narrow places: an SVG stretched to its box, coloured by CSS classes
 * (.sparkline-line, .sparkline-area), so the theme applies and no inline style is needed.
 * The y range starts at the smallest value, so small changes are visible; the aria-label says
 * where the line starts and ends.
 *
 * DOM: svg.sparkline[data-testid=sparkline][data-points=N][role=img][aria-label]
 */
/** A mark on the sparkline: its time and what hovering it says. */
export interface SparkMark {
  timeMs: number;
  kind: 'stop' | 'user';
  title: string;
}

export class Sparkline {
  readonly element: SVGSVGElement;
  private readonly line: SVGPolylineElement;
  private readonly area: SVGPolygonElement;
  private readonly marks: SVGGElement;
  private marksKey = '';

  constructor(label: string) {
    this.area = svg('polygon', { class: 'sparkline-area' });
    this.line = svg('polyline', { class: 'sparkline-line', attrs: { 'vector-effect': 'non-scaling-stroke' } });
    this.marks = svg('g', { class: 'sparkline-marks' });
    this.element = svg(
      'svg',
      {
        class: 'sparkline',
        testid: 'sparkline',
        attrs: { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, preserveAspectRatio: 'none', role: 'img', 'data-label': label },
      },
      this.area,
      this.line,
      this.marks,
    );
    this.update([]);
  }

  /**
   * `times` (ms, one per value) place the `marks`: a vertical line each, with its title on hover.
   * Marks outside the span of the values are not drawn.
   */
  update(values: readonly number[], times: readonly number[] = [], marks: readonly SparkMark[] = []): void {
    this.drawMarks(times, marks);
    const finite = values.filter(Number.isFinite);
    setSafeAttribute(this.element, 'data-points', finite.length);
    const label = this.element.getAttribute('data-label') ?? '';
    if (finite.length < 2) {
      this.line.setAttribute('points', '');
      this.area.setAttribute('points', '');
      setSafeAttribute(this.element, 'aria-label', `${label}: not enough samples yet`);
      return;
    }
    let min = Infinity;
    let max = -Infinity;
    for (const value of finite) {
      min = Math.min(min, value);
      max = Math.max(max, value);
    }
    // A flat line sits in the middle rather than on the floor.
    const span = max - min || 1;
    const floor = max === min ? min - span / 2 : min;
    const pad = 1.5;
    const step = WIDTH / (finite.length - 1);
    const points = finite.map(
      (value, i) =>
        `${(i * step).toFixed(2)},${(HEIGHT - pad - ((value - floor) / span) * (HEIGHT - 2 * pad)).toFixed(2)}`,
    );
    this.line.setAttribute('points', points.join(' '));
    this.area.setAttribute('points', `0,${HEIGHT} ${points.join(' ')} ${WIDTH},${HEIGHT}`);
    setSafeAttribute(
      this.element,
      'aria-label',
      `${label}: from ${formatBytes(finite[0])} to ${formatBytes(finite[finite.length - 1])}, highest ${formatBytes(max)}`,
    );
  }

  private drawMarks(times: readonly number[], marks: readonly SparkMark[]): void {
    const first = times[0];
    const last = times[times.length - 1];
    const shown =
      times.length >= 2 && last > first ? marks.filter((mark) => mark.timeMs >= first && mark.timeMs <= last) : [];
    setSafeAttribute(this.element, 'data-marks', shown.length);
    const key = JSON.stringify([first, last, shown]);
    if (key === this.marksKey) {
      return;
    }
    this.marksKey = key;
    this.marks.replaceChildren(
      ...shown.map((mark) => {
        const x = (((mark.timeMs - first) / (last - first)) * WIDTH).toFixed(2);
        return svg(
          'line',
          {
            class: `sparkline-mark mark-${mark.kind}`,
            testid: 'sparkline-mark',
            attrs: { x1: x, x2: x, y1: 0, y2: HEIGHT, 'vector-effect': 'non-scaling-stroke' },
          },
          svg('title', {}, mark.title),
        );
      }),
    );
  }
}
