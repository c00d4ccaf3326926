import { formatBytes } from '../shared/format';
import type { MemoryFigure } from '../shared/memoryDocs';
import type { Figure } from '../shared/model';
import { docLabel } from './docLabel';
import { h, setSafeAttribute, setText } from './dom';
import { readFigure } from './figure';

export interface FigureTileOptions {
  /** Which figure: a MEMORY_DOCS key (labelled with its explanation) or a plain `key` with `label`. */
  figure: MemoryFigure | { key: string; label: string };
  docs: 'short' | 'full';
  /** `headline` for RES, `large` for VIRT/SHR, `small` for the details grid, `inline` for narrow rows. */
  size: 'headline' | 'large' | 'small' | 'inline';
  /** Extra class, e.g. for a colour swatch. */
  className?: string;
}

/**
 * One figure: its label (with hover/focus explanation) and its value, plus an optional note under it.
 * Created once and updated in place, so an open tooltip or the keyboard focus survives new samples.
 *
 * DOM: div.tile[data-figure=KEY][data-state=value|unavailable|empty][data-bytes=N]
 *        > .tile-label, .tile-value[data-testid=figure-value], .tile-note[data-testid=figure-note]
 */
export class FigureTile {
  readonly element: HTMLElement;
  private readonly value: HTMLElement;
  private readonly note: HTMLElement;

  constructor(options: FigureTileOptions) {
    const key = typeof options.figure === 'string' ? options.figure : options.figure.key;
    const label =
      typeof options.figure === 'string'
        ? docLabel(options.figure, options.docs)
        : h('span', { class: 'plain-label', testid: `label-${key}` }, options.figure.label);
    this.value = h('span', { class: 'tile-value', testid: 'figure-value' }, '–');
    this.note = h('span', { class: 'tile-note', testid: 'figure-note', attrs: { hidden: true } });
    this.element = h(
      'div',
      {
        class: `tile tile-${options.size}${options.className ? ` ${options.className}` : ''}`,
        testid: `figure-${key}`,
        attrs: { 'data-figure': key, 'data-state': 'empty' },
      },
      h('span', { class: 'tile-label' }, label),
      this.value,
      this.note,
    );
  }

  /** Shows a Figure: its size, or "unavailable: reason" in place of a number. */
  setFigure(figure: Figure): void {
    const reading = readFigure(figure);
    this.show(reading.text, reading.bytes, reading.unavailable === undefined ? 'value' : 'unavailable');
    setSafeAttribute(this.value, 'title', reading.unavailable);
  }

  setBytes(bytes: number): void {
    this.show(formatBytes(bytes), bytes, 'value');
    setSafeAttribute(this.value, 'title', undefined);
  }

  /** A value that is not a size (a count), or a sentence when there is nothing to measure. */
  setText(text: string, state: 'value' | 'unavailable' = 'value'): void {
    this.show(text, undefined, state);
  }

  setNote(text: string | undefined): void {
    setText(this.note, text ?? '');
    this.note.hidden = !text;
  }

  private show(text: string, bytes: number | undefined, state: 'value' | 'unavailable'): void {
    setText(this.value, text);
    setSafeAttribute(this.element, 'data-state', state);
    setSafeAttribute(this.element, 'data-bytes', bytes);
  }
}
