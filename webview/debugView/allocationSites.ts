import {
  accountSentence,
  countNoun,
  frameLabel,
  type AllocationSite,
  type SessionAllocations,
  type StopAllocations,
} from '../../shared/allocationSites';
import { formatDelta } from '../../shared/format';
import { h, setSafeAttribute, setText } from '../dom';

/** What each tracer's figures are, said under the list. */
const TRACER_NOTE: Record<'tracemalloc' | 'v8-sampler', string> = {
  tracemalloc: "Python's tracemalloc: blocks allocated since that stop and still alive.",
  'v8-sampler':
    "V8's sampling heap profiler: one sample per ~32 KiB allocated, by function (the line is the function's first). Reading it forces a full garbage collection at each stop.",
};

/**
 * The lines that allocated memory up to a session's current (or latest) stop and still hold it,
 * largest first. Activating a site (click, Enter, Space) opens its line; its title has the whole
 * stack. Names and paths come from the program: text nodes and attributes only.
 *
 * DOM: details.allocations[data-testid=allocations][data-state=reading|started|sites|unavailable]
 *        > summary + p.allocations-note[data-testid=allocations-note]
 *        + ol.site-list > li.site[data-testid=site][data-bytes][role=button][tabindex=0][title=stack]
 *            > .site-where[data-testid=site-where] + .site-bytes[data-testid=site-bytes]
 *        + p.allocations-caveat
 */
export class AllocationSitesView {
  readonly element: HTMLDetailsElement;
  private readonly title = h('span', { class: 'allocations-title' });
  private readonly note = h('p', { class: 'allocations-note', testid: 'allocations-note' });
  private readonly list = h('ol', {
    class: 'site-list',
    attrs: { 'aria-label': 'Lines that allocated memory, largest first' },
  });
  private readonly caveat = h('p', { class: 'allocations-caveat' });
  private key = '';

  constructor(private readonly open: (stopId: number, index: number) => void) {
    this.element = h(
      'details',
      { class: 'allocations', testid: 'allocations', attrs: { open: true } },
      h('summary', {}, this.title),
      this.note,
      this.list,
      this.caveat,
    );
    this.list.addEventListener('click', (event) => this.activate(event.target));
    this.list.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        this.activate(event.target);
      }
    });
  }

  update(view: SessionAllocations | undefined): void {
    this.element.hidden = view === undefined;
    // Rebuilt only when the sites changed: the view posts every sample.
    const key = JSON.stringify(view ?? null);
    if (!view || key === this.key) {
      return;
    }
    this.key = key;
    const allocations = view.allocations;
    setSafeAttribute(this.element, 'data-state', allocations.state);
    setSafeAttribute(this.element, 'data-stop-id', view.stopId);
    setText(this.title, titleOf(allocations, view));
    setText(this.note, noteOf(allocations));
    const items =
      allocations.state === 'sites'
        ? allocations.sites.map((site, index) => this.item(site, index, view.stopId, allocations))
        : [];
    this.list.hidden = items.length === 0;
    this.list.replaceChildren(...items);
    this.caveat.hidden = allocations.state !== 'sites' && allocations.state !== 'started';
    setText(this.caveat, 'tracer' in allocations ? TRACER_NOTE[allocations.tracer] : '');
  }

  private item(
    site: AllocationSite,
    index: number,
    stopId: number,
    allocations: Extract<StopAllocations, { state: 'sites' }>,
  ): HTMLElement {
    const stack = site.stack.map((frame) => `${frameLabel(frame)}${frame.own ? '' : ' (library or runtime)'}`);
    const item = h(
      'li',
      {
        class: `site${site.frame.own ? '' : ' not-own'}`,
        testid: 'site',
        attrs: {
          'data-index': index,
          'data-stop-id': stopId,
          'data-bytes': site.bytes,
          tabindex: 0,
          role: 'button',
          title: `Open ${frameLabel(site.frame)}\n\nThe largest stack, innermost first:\n${stack.join('\n')}`,
        },
      },
      h('span', { class: 'site-where', testid: 'site-where' }, frameLabel(site.frame)),
      h(
        'span',
        { class: 'site-bytes', testid: 'site-bytes' },
        `${formatDelta(site.bytes)} in ${countNoun(allocations.tracer, site.count)}`,
      ),
    );
    return item;
  }

  private activate(target: EventTarget | null): void {
    const item = (target as Element | null)?.closest('li.site');
    const index = Number(item?.getAttribute('data-index'));
    const stopId = Number(item?.getAttribute('data-stop-id'));
    if (item && Number.isSafeInteger(index) && Number.isSafeInteger(stopId)) {
      this.open(stopId, index);
    }
  }
}

function titleOf(allocations: StopAllocations, view: SessionAllocations): string {
  if (allocations.state === 'sites') {
    const since = allocations.sinceStopId === view.stopId - 1 ? 'the last stop' : `stop #${allocations.sinceStopId}`;
    return `Allocated since ${since}, still alive at stop #${view.stopId}`;
  }
  return `Allocations at stop #${view.stopId}`;
}

function noteOf(allocations: StopAllocations): string {
  switch (allocations.state) {
    case 'reading':
      return 'Reading the allocations…';
    case 'started':
      return 'Tracking started at this stop: the next stop lists the lines that allocated memory since.';
    case 'unavailable':
      return allocations.reason;
    case 'sites':
      return [
        allocations.sites.length === 0 ? 'Nothing allocated since then is still alive.' : accountSentence(allocations),
        allocations.partial ?? '',
      ]
        .filter(Boolean)
        .join(' ');
  }
}
