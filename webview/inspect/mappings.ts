import { formatBytes, formatInterval } from '../../shared/format';
import { describeEvery } from '../../shared/readPace';
import type { MappingKind, MappingKindRow, MappingRow, MappingsFigure } from '../../shared/model';
import type { ReadPace } from '../../shared/readPace';
import { mappingDocLabel } from '../docLabel';
import { h, setSafeAttribute, setText, svg } from '../dom';
import { pathText } from '../pathText';
import { button } from '../toolkit';

/** Which part of the RES split above each kind belongs to, for its colour. */
const GROUP: Record<MappingKind, 'anon' | 'file' | 'shmem' | 'kernel'> = {
  heap: 'anon',
  stack: 'anon',
  anonymous: 'anon',
  program: 'file',
  libraries: 'file',
  files: 'file',
  shmem: 'shmem',
  kernel: 'kernel',
};

/** One row of the kinds table, kept across samples so an open tooltip or the focus survives. */
class KindRow {
  readonly element: HTMLTableRowElement;
  private readonly bar = svg('rect', { class: 'mapping-bar-fill', attrs: { x: 0, y: 0, height: 1, width: 0 } });
  private readonly rss = h('td', { class: 'num mapping-rss' });
  private readonly pss = h('td', { class: 'num' });
  private readonly private = h('td', { class: 'num' });
  private readonly count = h('td', { class: 'num mapping-count' });

  constructor(readonly kind: MappingKind) {
    const bar = svg(
      'svg',
      { class: 'mapping-bar', attrs: { viewBox: '0 0 100 1', preserveAspectRatio: 'none', 'aria-hidden': 'true' } },
      this.bar,
    );
    this.element = h(
      'tr',
      { class: `mapping-kind swatch-${GROUP[kind]}`, testid: `mapping-category-${kind}`, attrs: { 'data-kind': kind } },
      h(
        'th',
        { class: 'mapping-kind-label', attrs: { scope: 'row' } },
        h('span', { class: 'kind-swatch', attrs: { 'aria-hidden': 'true' } }),
        mappingDocLabel(kind, 'full'),
      ),
      h('td', { class: 'mapping-bar-cell' }, bar),
      this.rss,
      this.pss,
      this.private,
      this.count,
    );
  }

  update(row: MappingKindRow, largest: number, total: number): void {
    setSafeAttribute(this.bar, 'width', largest > 0 ? ((row.rssBytes / largest) * 100).toFixed(3) : 0);
    setText(this.rss, formatBytes(row.rssBytes));
    setText(this.pss, formatBytes(row.pssBytes));
    setText(this.private, formatBytes(row.privateBytes));
    setText(this.count, String(row.count));
    setSafeAttribute(this.element, 'data-rss', row.rssBytes);
    setSafeAttribute(this.element, 'data-pss', row.pssBytes);
    setSafeAttribute(this.element, 'data-private', row.privateBytes);
    setSafeAttribute(this.element, 'data-count', row.count);
    const share = total > 0 ? `${Math.round((row.rssBytes / total) * 100)} %` : '';
    setSafeAttribute(
      this.rss,
      'title',
      `${share} of the RSS of all mappings${row.swapBytes > 0 ? `; ${formatBytes(row.swapBytes)} more in swap` : ''}`,
    );
  }
}

function costReason(count: number | undefined, pace: ReadPace): string {
  const cost =
    pace.costMs === undefined
      ? ''
      : ` and one read takes ${pace.costMs < 10 ? pace.costMs.toFixed(1) : Math.round(pace.costMs)} ms`;
  return count === undefined
    ? `one read of this process takes ${Math.round(pace.costMs ?? 0)} ms`
    : `this process has ${formatCount(count)} mappings${cost}`;
}

/** 40000 -> "40 000" (a no-break space between thousands, as the panel's other counts). */
function formatCount(count: number): string {
  return String(count).replace(/\B(?=(\d{3})+$)/g, '\u00a0');
}

function capitalize(text: string): string {
  return text.length > 0 ? text[0].toUpperCase() + text.slice(1) : text;
}

/**
 * "Where RES lives": RES by kind of mapping (/proc/PID/smaps), largest first, and the largest
 * mappings. Mapping paths come from the process's own files: text nodes only.
 *
 * DOM: section[data-testid=mappings][data-state=value|unavailable][data-rss=SUM]
 *        [data-testid=mappings-freshness][data-pace=setting|cost][data-reading], [data-testid=read-mappings-now]
 *        table.mapping-kinds > tr[data-testid=mapping-category-KIND][data-rss][data-pss][data-private][data-count]
 *        table.mapping-top > tr[data-testid=mapping-top][data-rss] > .mapping-path (.path-dir + .path-base)
 *        p[data-testid=mappings-unavailable]
 */
export class MappingsSection {
  readonly element: HTMLElement;
  private readonly summary = h('span', { class: 'section-note', testid: 'mappings-summary' });
  private readonly freshness = h('p', {
    class: 'section-note mappings-freshness',
    testid: 'mappings-freshness',
    attrs: { 'aria-live': 'polite' },
  });
  private readonly readNow: HTMLElement;
  private readonly body: HTMLElement;
  private readonly unavailable = h('p', {
    class: 'mappings-unavailable',
    testid: 'mappings-unavailable',
    attrs: { hidden: true },
  });
  private readonly kindBody = h('tbody');
  private readonly topBody = h('tbody');
  private readonly rows = new Map<MappingKind, KindRow>();
  private order = '';
  private topKey = '';

  /** `onReadNow`: the user asks for a read of smaps now, whatever its pace. */
  constructor(onReadNow: () => void) {
    this.readNow = button('Read now', () => onReadNow(), {
      testid: 'read-mappings-now',
      title:
        'Read /proc/PID/smaps now. It is read less often for processes where one read is costly (the kernel holds the process’s memory map while it prints it).',
    });
    const head = (...names: string[]) =>
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...names.map((name, i) => h('th', { class: i === 0 ? undefined : 'num', attrs: { scope: 'col' } }, name)),
        ),
      );
    const kinds = h(
      'table',
      { class: 'mapping-table mapping-kinds', attrs: { 'aria-label': 'RES by kind of mapping' } },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { attrs: { scope: 'col' } }, 'Kind'),
          h('th', { class: 'mapping-bar-cell', attrs: { scope: 'col', 'aria-hidden': 'true' } }),
          ...['RSS', 'PSS', 'Private', 'Maps'].map((name) =>
            h(
              'th',
              { class: 'num', attrs: { scope: 'col', title: name === 'Maps' ? 'Number of mappings' : undefined } },
              name,
            ),
          ),
        ),
      ),
      this.kindBody,
    );
    const top = h(
      'table',
      { class: 'mapping-table mapping-top', attrs: { 'aria-label': 'Largest mappings' } },
      head('Mapping', 'RSS', 'PSS', 'Private'),
      this.topBody,
    );
    this.body = h(
      'div',
      { class: 'mapping-groups' },
      h('div', { class: 'figure-group' }, h('h3', { class: 'group-title' }, 'By kind, largest RSS first'), kinds),
      h('div', { class: 'figure-group' }, h('h3', { class: 'group-title' }, 'Largest mappings'), top),
    );
    this.element = h(
      'section',
      { class: 'mappings', testid: 'mappings', attrs: { 'aria-labelledby': 'mappings-title', 'data-state': 'empty' } },
      h(
        'div',
        { class: 'section-head' },
        h('h2', { id: 'mappings-title' }, 'Where RES lives'),
        this.summary,
        this.readNow,
      ),
      this.freshness,
      this.unavailable,
      this.body,
    );
  }

  /** `nowMs`: when the host took the sample this figure came with (the host's clock, like readAtMs). */
  update(figure: MappingsFigure, nowMs: number): void {
    this.updateFreshness(figure, nowMs);
    if ('unavailable' in figure) {
      setSafeAttribute(this.element, 'data-state', 'unavailable');
      setSafeAttribute(this.element, 'data-rss', undefined);
      setText(this.unavailable, `unavailable: ${figure.unavailable}`);
      this.unavailable.hidden = false;
      this.body.hidden = true;
      setText(this.summary, '');
      return;
    }
    this.unavailable.hidden = true;
    this.body.hidden = false;
    const total = figure.kinds.reduce((sum, row) => sum + row.rssBytes, 0);
    const count = figure.kinds.reduce((sum, row) => sum + row.count, 0);
    setSafeAttribute(this.element, 'data-state', 'value');
    setSafeAttribute(this.element, 'data-rss', total);
    setText(this.summary, `${formatBytes(total)} in ${formatCount(count)} mappings`);
    this.updateKinds(figure.kinds, total);
    this.updateTop(figure.top);
  }

  /** "read 40 s ago; this process has 40 000 mappings, so it is read once a minute", and the button. */
  private updateFreshness(figure: MappingsFigure, nowMs: number): void {
    const pace = figure.pace;
    this.readNow.hidden = pace === undefined;
    setSafeAttribute(this.readNow, 'disabled', pace?.reading === true);
    setSafeAttribute(this.freshness, 'data-pace', pace ? (pace.byCost ? 'cost' : 'setting') : undefined);
    setSafeAttribute(this.freshness, 'data-reading', pace?.reading === true);
    if (!pace) {
      this.freshness.hidden = true;
      return;
    }
    this.freshness.hidden = false;
    const count = 'kinds' in figure ? figure.kinds.reduce((sum, row) => sum + row.count, 0) : undefined;
    const parts: string[] = [];
    if ('readAtMs' in figure) {
      parts.push(
        `read ${nowMs - figure.readAtMs < 1000 ? 'just now' : `${formatInterval(nowMs - figure.readAtMs)} ago`}`,
      );
    }
    if (pace.everyMs > 0) {
      parts.push(
        pace.byCost
          ? `${costReason(count, pace)}, so it is read ${describeEvery(pace.everyMs)}`
          : `read ${describeEvery(pace.everyMs)} (procMemory.detailIntervalMs)`,
      );
    }
    if (pace.reading) {
      parts.push('reading now…');
    }
    setText(this.freshness, capitalize(parts.join('; ')));
  }

  private updateKinds(kinds: MappingKindRow[], total: number): void {
    const largest = kinds[0]?.rssBytes ?? 0;
    for (const row of kinds) {
      let view = this.rows.get(row.kind);
      if (!view) {
        view = new KindRow(row.kind);
        this.rows.set(row.kind, view);
      }
      view.update(row, largest, total);
    }
    // Reorder (or drop a kind that disappeared) only when the order changed: moving a row that
    // holds the keyboard focus would blur it on every sample.
    const order = kinds.map((row) => row.kind).join(',');
    if (order !== this.order) {
      this.order = order;
      this.kindBody.replaceChildren(...kinds.map((row) => this.rows.get(row.kind)!.element));
    }
  }

  private updateTop(top: MappingRow[]): void {
    const key = JSON.stringify(top);
    if (key === this.topKey) {
      return; // read every detailIntervalMs; the samples in between carry the same list
    }
    this.topKey = key;
    this.topBody.replaceChildren(
      ...top.map((row) =>
        h(
          'tr',
          { testid: 'mapping-top', attrs: { 'data-rss': row.rssBytes, 'data-kind': row.kind } },
          h(
            'td',
            { class: 'mapping-name' },
            h(
              'div',
              { class: 'mapping-name-row' },
              pathText(row.name),
              h(
                'span',
                { class: 'mapping-perms', attrs: { title: 'Permissions: read, write, execute, private or shared' } },
                row.perms,
              ),
            ),
          ),
          h('td', { class: 'num' }, formatBytes(row.rssBytes)),
          h('td', { class: 'num' }, formatBytes(row.pssBytes)),
          h('td', { class: 'num' }, formatBytes(row.privateBytes)),
        ),
      ),
    );
  }
}
