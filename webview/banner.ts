import { h, setText } from './dom';

/**
 * A message bar across the view (process ended, reading problem), coloured by kind through the
 * theme's validation colours. Hidden while it has no text.
 *
 * DOM: div.banner.banner-KIND[role=status|alert][hidden] > .banner-title + .banner-text
 */
export class Banner {
  readonly element: HTMLElement;
  private readonly title: HTMLElement;
  private readonly text: HTMLElement;

  constructor(kind: 'info' | 'warning' | 'error', id: string) {
    this.title = h('span', { class: 'banner-title' });
    this.text = h('span', { class: 'banner-text', testid: `${id}-text` });
    this.element = h(
      'div',
      {
        class: `banner banner-${kind}`,
        id,
        testid: id,
        attrs: { role: kind === 'error' ? 'alert' : 'status', hidden: true },
      },
      this.title,
      this.text,
    );
  }

  show(title: string, text: string): void {
    setText(this.title, title);
    setText(this.text, text);
    this.element.hidden = false;
  }

  hide(): void {
    this.element.hidden = true;
  }

  get visible(): boolean {
    return !this.element.hidden;
  }
}
