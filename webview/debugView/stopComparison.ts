import { formatBytes, formatDelta } from '../../shared/format';
import type { MappingGroupChange } from '../../shared/model';
import type { StopComparison, StopRow } from '../../shared/protocol/debugView';
import { mappingDocLabel } from '../docLabel';
import { h, setSafeAttribute, setText } from '../dom';
import { pathText } from '../pathText';
import { button } from '../toolkit';
import { accountChangeTable } from './runtimeAccount';

/**
 * What changed between two stops, from /proc/PID/smaps read at each: RSS by kind of mapping and the
 * mappings that grew most. The baseline is the previous stop unless the user picks an earlier one.
 *
 * DOM: section.comparison[data-testid=comparison][data-state=value|unavailable][data-baseline][data-stop]
 *        > .comparison-head (h3, select[data-testid=baseline])
 *        + table.comparison-kinds > tr[data-testid=change-kind-KIND][data-rss]
 *        + table.comparison-grew > tr[data-testid=change-grew][data-rss]
 *        + table.comparison-account (runtimeAccount.ts)
 *        + p[data-testid=comparison-note] + p[data-testid=comparison-unavailable] (+ Read now button)
 */
export class StopComparisonView {
  readonly element: HTMLElement;
  private readonly heading = h('h3', { class: 'comparison-title' });
  private readonly baseline = h('select', {
    class: 'baseline',
    testid: 'baseline',
    attrs: { 'aria-label': 'Compare with stop' },
  });
  private readonly kinds = h('tbody');
  private readonly grew = h('tbody');
  private readonly body: HTMLElement;
  private readonly account = h('div', { class: 'comparison-account-wrap' });
  private readonly note = h('p', { class: 'comparison-note', testid: 'comparison-note' });
  private readonly unavailable = h('p', { class: 'comparison-unavailable', testid: 'comparison-unavailable' });
  private readonly readNow: HTMLElement;
  private key = '';

  constructor(post: { setBaseline(stopId: number): void; readNow(): void }) {
    this.baseline.addEventListener('change', () => {
      const id = Number(this.baseline.value);
      if (Number.isSafeInteger(id) && id > 0) {
        post.setBaseline(id);
      }
    });
    this.readNow = button('Read mappings now', () => post.readNow(), {
      testid: 'read-mappings',
      appearance: 'secondary',
      title: 'Read /proc/PID/smaps at this stop (costly for this process, so not read at every stop)',
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
    this.body = h(
      'div',
      { class: 'comparison-body' },
      h(
        'table',
        { class: 'comparison-table comparison-kinds', attrs: { 'aria-label': 'Change in RSS by kind of mapping' } },
        head('Kind', 'RSS', 'Now'),
        this.kinds,
      ),
      h(
        'table',
        { class: 'comparison-table comparison-grew', attrs: { 'aria-label': 'Mappings that grew most' } },
        head('Grew most', 'RSS', 'Now'),
        this.grew,
      ),
      this.account,
      this.note,
    );
    this.element = h(
      'section',
      { class: 'comparison', testid: 'comparison' },
      h(
        'div',
        { class: 'comparison-head' },
        this.heading,
        h('label', { class: 'baseline-label' }, 'vs ', this.baseline),
      ),
      this.body,
      h('div', { class: 'comparison-unavailable-wrap' }, this.unavailable, this.readNow),
    );
  }

  update(comparison: StopComparison | undefined, stops: readonly StopRow[]): void {
    this.element.hidden = comparison === undefined;
    const key = JSON.stringify([
      comparison,
      stops.map((stop) => [stop.id, stop.hasMappings, stop.location?.file, stop.location?.line]),
    ]);
    if (!comparison || key === this.key) {
      return;
    }
    this.key = key;
    if ('unavailable' in comparison) {
      setSafeAttribute(this.element, 'data-state', 'unavailable');
      setText(this.heading, 'What changed between stops');
      setText(this.unavailable, comparison.unavailable);
      this.unavailable.hidden = false;
      this.readNow.hidden = !comparison.canReadNow;
      this.body.hidden = true;
      this.baseline.hidden = true;
      return;
    }
    setSafeAttribute(this.element, 'data-state', 'value');
    setSafeAttribute(this.element, 'data-baseline', comparison.baselineId);
    setSafeAttribute(this.element, 'data-stop', comparison.stopId);
    this.unavailable.hidden = true;
    this.readNow.hidden = true;
    this.body.hidden = false;
    setText(this.heading, `Stop #${comparison.stopId}`);
    this.baseline.hidden = false;
    this.baseline.replaceChildren(
      ...stops
        .filter((stop) => stop.id < comparison.stopId && stop.hasMappings)
        .map((stop) => {
          const option = h(
            'option',
            { attrs: { value: stop.id, selected: stop.id === comparison.baselineId } },
            `#${stop.id}${stop.location ? ` ${stop.location.file}:${stop.location.line}` : ''}`,
          );
          return option;
        }),
    );
    this.kinds.replaceChildren(
      ...(comparison.kinds.length
        ? comparison.kinds.map((kind) =>
            row(
              `change-kind-${kind.kind}`,
              kind.rssBytes,
              h('th', { attrs: { scope: 'row' } }, mappingDocLabel(kind.kind, 'short')),
              formatBytes(kind.rssAfterBytes),
            ),
          )
        : [h('tr', {}, h('td', { attrs: { colspan: 3 } }, 'No kind of mapping changed.'))]),
    );
    this.grew.replaceChildren(
      ...comparison.grew.map((group) =>
        row(
          'change-grew',
          group.rssBytes,
          h('th', { attrs: { scope: 'row' } }, groupName(group)),
          formatBytes(group.rssAfterBytes),
        ),
      ),
    );
    this.grew.closest('table')!.hidden = comparison.grew.length === 0;
    this.account.replaceChildren(...[accountChangeTable(comparison.account)].filter((table) => table !== undefined));
    setText(
      this.note,
      comparison.partialPause
        ? 'This debugger pauses only the thread it debugs: other threads of the program may have run between the two reads. Watches and hovers evaluated while stopped can allocate too.'
        : 'Watches and hovers evaluated while stopped run in the program and can allocate too.',
    );
  }
}

function row(testid: string, delta: number, label: HTMLElement, now: string): HTMLElement {
  return h(
    'tr',
    { testid, attrs: { 'data-rss': delta } },
    label,
    h('td', { class: `num delta${delta > 0 ? ' grew' : ''}` }, formatDelta(delta)),
    h('td', { class: 'num' }, now),
  );
}

function groupName(group: MappingGroupChange): HTMLElement {
  const suffix = group.appeared ? ' (new)' : group.vanished ? ' (unmapped)' : '';
  return h(
    'span',
    { class: 'group-name' },
    pathText(group.name),
    group.perms && h('span', { class: 'group-perms' }, group.perms),
    suffix && h('span', { class: 'group-note' }, suffix),
  );
}
