import { formatBytes } from '../../shared/format';
import type { ProcessSnapshot } from '../../shared/model';
import { setSafeAttribute, svg } from '../dom';
import { figureBytes } from '../figure';

const PARTS = ['anon', 'file', 'shmem'] as const;

/**
 * RES split into anonymous, file-backed and shared-memory pages, as one stacked bar (SVG rects
 * sized by attributes, coloured by CSS classes: no inline style). Hidden when a part is unknown.
 *
 * DOM: svg.res-split[data-testid=res-split] > rect.res-split-anon/-file/-shmem
 */
export class ResSplitBar {
  readonly element: SVGSVGElement;
  private readonly rects = PARTS.map((part) =>
    svg('rect', { class: `res-split-${part}`, attrs: { y: 0, height: 1, x: 0, width: 0 } }),
  );

  constructor() {
    this.element = svg(
      'svg',
      {
        class: 'res-split',
        testid: 'res-split',
        attrs: { viewBox: '0 0 100 1', preserveAspectRatio: 'none', role: 'img' },
      },
      ...this.rects,
    );
  }

  update(snapshot: ProcessSnapshot): void {
    const bytes = [figureBytes(snapshot.anon), figureBytes(snapshot.file), figureBytes(snapshot.shmem)];
    const total = bytes.reduce<number>((sum, value) => sum + (value ?? 0), 0);
    if (bytes.some((value) => value === undefined) || total <= 0) {
      this.element.classList.add('hidden');
      return;
    }
    this.element.classList.remove('hidden');
    let x = 0;
    bytes.forEach((value, i) => {
      const width = ((value ?? 0) / total) * 100;
      setSafeAttribute(this.rects[i], 'x', x.toFixed(3));
      setSafeAttribute(this.rects[i], 'width', width.toFixed(3));
      x += width;
    });
    setSafeAttribute(
      this.element,
      'aria-label',
      `RES by kind: anonymous ${formatBytes(bytes[0] ?? 0)}, file ${formatBytes(bytes[1] ?? 0)}, shared memory ${formatBytes(bytes[2] ?? 0)}`,
    );
  }
}
