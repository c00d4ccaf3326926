import { formatBytes, formatDelta, formatInterval } from '../../shared/format';
import type { StopRow } from '../../shared/protocol/debugView';
import { h, setSafeAttribute, setText } from '../dom';
import { formatClock } from '../time';
import { stopAccountLine } from './runtimeAccount';

/**
 * The stops of one debug session, newest first: where it stopped, when, RES at the stop and the
 * change since the previous stop. Activating a stop (click, Enter, Space) reveals its location.
 * Locations and function names come from the debugger: text nodes only.
 *
 * DOM: details.stops[data-testid=stops][data-count=N] > summary + ol.stop-list
 *        > li.stop[data-testid=stop][data-stop-id][data-delta][tabindex=0][role=button]
 *            > .stop-where (.stop-id, .stop-file, .stop-function) + .stop-figures (.stop-time, .stop-res, .stop-delta, .stop-reason)
 *              + .stop-account (runtimeAccount.ts)
 */
export class StopsList {
  readonly element: HTMLDetailsElement;
  private readonly title = h('span', { class: 'stops-title' });
  private readonly list = h('ol', { class: 'stop-list', attrs: { 'aria-label': 'Stops, newest first' } });
  private key = '';

  constructor(private readonly reveal: (stopId: number) => void) {
    this.element = h(
      'details',
      { class: 'stops', testid: 'stops', attrs: { open: true } },
      h('summary', {}, this.title),
      this.list,
    );
    this.list.addEventListener('click', (event) => this.activate(event.target));
    this.list.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        this.activate(event.target);
      }
    });
  }

  update(stops: readonly StopRow[]): void {
    this.element.hidden = stops.length === 0;
    setSafeAttribute(this.element, 'data-count', stops.length);
    setText(this.title, stops.length === 1 ? '1 stop' : `${stops.length} stops`);
    // Rebuilt only when a stop changed (a new one, its figures or its place arrived): the view posts every sample.
    const key = JSON.stringify(stops);
    if (key === this.key) {
      return;
    }
    this.key = key;
    this.list.replaceChildren(...stops.map((stop) => this.item(stop)));
  }

  private item(stop: StopRow): HTMLElement {
    const where = stop.location ? `${stop.location.file}:${stop.location.line}` : 'location unknown';
    const change = stop.sincePrevious;
    const item = h(
      'li',
      {
        class: 'stop',
        testid: 'stop',
        // A list item stays one (a role would take it out of the list): focusable and titled instead.
        attrs: {
          'data-stop-id': stop.id,
          tabindex: stop.location ? 0 : undefined,
          title: stop.location ? `Show ${where}` : undefined,
        },
      },
      h(
        'div',
        { class: 'stop-where' },
        h('span', { class: 'stop-id' }, `#${stop.id}`),
        h('span', { class: 'stop-file', testid: 'stop-location' }, where),
        stop.location && h('span', { class: 'stop-function' }, stop.location.functionName),
      ),
      h(
        'div',
        { class: 'stop-figures' },
        h('span', { class: 'stop-time' }, formatClock(stop.atMs)),
        h(
          'span',
          { class: 'stop-res', testid: 'stop-res' },
          stop.resBytes === undefined ? 'RES …' : `RES ${formatBytes(stop.resBytes)}`,
        ),
        change &&
          h(
            'span',
            { class: `stop-delta${change.resBytes > 0 ? ' grew' : ''}`, testid: 'stop-delta' },
            `${formatDelta(change.resBytes)} in ${formatInterval(change.ms)}`,
          ),
        h('span', { class: 'stop-reason' }, stop.reason),
      ),
      stopAccountLine(stop.account),
    );
    setSafeAttribute(item, 'data-delta', change?.resBytes);
    setSafeAttribute(item, 'data-res', stop.resBytes);
    return item;
  }

  private activate(target: EventTarget | null): void {
    const item = (target as Element | null)?.closest('li.stop[tabindex]');
    const id = Number(item?.getAttribute('data-stop-id'));
    if (item && Number.isSafeInteger(id)) {
      this.reveal(id);
    }
  }
}
