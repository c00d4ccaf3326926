import { formatBytes, formatDelta } from '../../shared/format';
import type { MemoryFigure } from '../../shared/memoryDocs';
import {
  SPARKLINE_POINTS,
  type DebugSessionRow,
  type DebugSessionSample,
  type FromDebugView,
} from '../../shared/protocol/debugView';
import { h, setSafeAttribute, setText } from '../dom';
import { readFigure } from '../figure';
import { FigureTile } from '../figureTile';
import { memorylessReason } from '../memoryless';
import { Sparkline } from '../sparkline';
import { button, progressRing } from '../toolkit';
import { AllocationSitesView } from './allocationSites';
import { StopComparisonView } from './stopComparison';
import { StopsList } from './stopsList';

const FIGURES: readonly MemoryFigure[] = ['res', 'virt', 'shr'];

/**
 * One debug session in the sidebar, updated in place on every state and sample message (so an open tooltip
 * or the focus on its buttons survives). Child sessions go into its `children` list.
 *
 * DOM: li.session[data-testid=session][data-session-id][data-status]
 *        > .session-card > .session-head (.session-name, .session-meta > .session-type + .session-pid, Inspect button)
 *                        + .session-status[data-testid=session-status] (waiting/remote/not-found/ended text, Pick button)
 *                        + .banner.session-oom[data-testid=session-oom][role=alert] (OOM-killed, with the evidence)
 *                        + .session-body (tiles [data-figure=res|virt|shr], sparkline, [data-testid=peak-res],
 *                                         [data-testid=since-last-stop][data-delta], [data-testid=children-total][data-count],
 *                                         the stops list (stopsList.ts), what changed between stops (stopComparison.ts))
 *        > ul.session-children
 */
export class SessionRow {
  readonly element: HTMLLIElement;
  readonly children: HTMLUListElement;
  private row: DebugSessionRow;
  private readonly name = h('span', { class: 'session-name', testid: 'session-name' });
  private readonly type = h('span', { class: 'session-type', testid: 'session-type' });
  private readonly pid = h('span', { class: 'session-pid', testid: 'session-pid' });
  private readonly status = h('div', { class: 'session-status', testid: 'session-status' });
  private readonly body: HTMLElement;
  private readonly oomText = h('span', { class: 'banner-text', testid: 'session-oom-text' });
  /** The OOM verdict of a process that ended while its cgroup's oom_kill counter rose. */
  private readonly oom = h(
    'div',
    { class: 'banner banner-error session-oom', testid: 'session-oom', attrs: { role: 'alert', hidden: true } },
    h('span', { class: 'banner-title' }, "Most likely killed by the kernel's OOM killer."),
    this.oomText,
  );
  private readonly tiles = new Map<MemoryFigure, FigureTile>();
  private readonly sparkline = new Sparkline('RES over recent samples');
  private readonly peak = h('span', { class: 'peak', testid: 'peak-res' });
  private readonly sinceDelta = h('span', { class: 'delta' });
  private readonly since = h(
    'div',
    { class: 'since-last-stop', testid: 'since-last-stop' },
    this.sinceDelta,
    ' since the last stop',
  );
  private readonly inspectButton: HTMLElement;
  private readonly childCount = h('span', { class: 'children-count' });
  private readonly childFigures = h('span', { class: 'children-figures' });
  private readonly childTotal = h(
    'div',
    { class: 'children-total', testid: 'children-total' },
    this.childCount,
    this.childFigures,
  );
  private readonly card: HTMLElement;
  private readonly stops: StopsList;
  private readonly comparison: StopComparisonView;
  private readonly allocations = new AllocationSitesView((stopId, index) =>
    this.post({ type: 'openSite', sessionId: this.row.sessionId, stopId, index }),
  );
  private statusKey = '';

  constructor(
    row: DebugSessionRow,
    private readonly post: (message: FromDebugView) => void,
  ) {
    this.row = row;
    for (const figure of FIGURES) {
      this.tiles.set(figure, new FigureTile({ figure, docs: 'short', size: 'inline' }));
    }
    this.stops = new StopsList((stopId) => this.post({ type: 'revealStop', sessionId: this.row.sessionId, stopId }));
    this.comparison = new StopComparisonView({
      setBaseline: (stopId) => this.post({ type: 'setBaseline', sessionId: this.row.sessionId, stopId }),
      readNow: () => this.post({ type: 'readMappings', sessionId: this.row.sessionId }),
    });
    this.inspectButton = button('Inspect', () => this.inspect(), {
      testid: 'inspect',
      appearance: 'secondary',
      title: 'Open the memory panel for this process',
    });
    this.body = h(
      'div',
      { class: 'session-body' },
      h('div', { class: 'session-figures' }, ...FIGURES.map((figure) => this.tiles.get(figure)!.element)),
      h('div', { class: 'session-spark' }, this.sparkline.element, this.peak),
      this.since,
      this.childTotal,
      this.stops.element,
      this.allocations.element,
      this.comparison.element,
    );
    this.card = h(
      'div',
      { class: 'session-card' },
      h(
        'div',
        { class: 'session-head' },
        h('div', { class: 'session-title' }, this.name, h('div', { class: 'session-meta' }, this.type, this.pid)),
        this.inspectButton,
      ),
      this.status,
      this.oom,
      this.body,
    );
    // Clicking the row opens the panel too; clicks on its own controls (buttons, labels) do their own thing.
    this.card.addEventListener('click', (event) => {
      const target = event.target as Element | null;
      if (target?.closest('vscode-button, button, .doc-label-wrap, .tooltip, .stops, .comparison, .allocations')) {
        return;
      }
      this.inspect();
    });
    // A list of its own (role group would leave its items outside any list for screen readers).
    this.children = h('ul', { class: 'session-children', attrs: { 'aria-label': 'Child sessions' } });
    this.element = h('li', { class: 'session', testid: 'session' }, this.card, this.children);
    this.update(row);
  }

  /** A new sample: the figures change and the sparkline moves on by its new points; the stops and the comparison stay as the last state sent them. */
  updateSample(sample: DebugSessionSample): void {
    const { points, ...live } = sample;
    // A point the row already has (the same reading sent again, e.g. detail arriving between ticks) is not added twice.
    const newest = this.row.sparklineTimesMs.at(-1) ?? -Infinity;
    const fresh = points.filter((point) => point.timeMs > newest);
    const sparkline = [...this.row.sparkline, ...fresh.map((point) => point.resBytes)].slice(-SPARKLINE_POINTS);
    const sparklineTimesMs = [...this.row.sparklineTimesMs, ...fresh.map((point) => point.timeMs)].slice(
      -SPARKLINE_POINTS,
    );
    this.update({ ...this.row, ...live, sparkline, sparklineTimesMs });
  }

  update(row: DebugSessionRow): void {
    this.row = row;
    setSafeAttribute(this.element, 'data-session-id', row.sessionId);
    setSafeAttribute(this.element, 'data-status', row.status);
    setText(this.name, row.name);
    setSafeAttribute(this.name, 'title', row.name);
    setText(this.type, row.debugType);
    const snapshot = row.snapshot;
    setText(this.pid, snapshot ? `PID ${snapshot.pid}` : '');
    this.pid.hidden = !snapshot;
    setSafeAttribute(this.pid, 'title', row.status === 'found' ? row.message : undefined);
    const canInspect = snapshot !== undefined && row.status !== 'ended';
    this.card.classList.toggle('clickable', canInspect);
    this.inspectButton.hidden = !canInspect;
    this.renderStatus(row);
    this.oom.hidden = row.oomKill === undefined;
    setText(this.oomText, row.oomKill ?? '');
    const showFigures =
      snapshot !== undefined && !snapshot.memoryless && (row.status === 'found' || row.status === 'ended');
    this.body.hidden = !showFigures;
    this.body.classList.toggle('frozen', row.status === 'ended');
    if (!showFigures || !snapshot) {
      return;
    }
    this.tiles.get('res')!.setBytes(snapshot.resBytes);
    this.tiles.get('virt')!.setBytes(snapshot.virtBytes);
    this.tiles.get('shr')!.setBytes(snapshot.shrBytes);
    this.sparkline.update(
      row.sparkline,
      row.sparklineTimesMs,
      row.markers.map((marker) => ({
        timeMs: marker.timeMs,
        kind: marker.kind,
        title: `${marker.label}: ${marker.detail}`,
      })),
    );
    this.stops.update(row.stops);
    this.comparison.update(row.comparison, row.stops);
    this.allocations.update(row.allocations);
    setText(this.peak, `Peak RES ${readFigure(snapshot.peakRes).text}`);
    this.since.hidden = row.sinceLastStop === undefined;
    if (row.sinceLastStop !== undefined) {
      setText(this.sinceDelta, formatDelta(row.sinceLastStop));
      setSafeAttribute(this.since, 'data-delta', row.sinceLastStop);
      this.since.classList.toggle('grew', row.sinceLastStop > 0);
    }
    const children = row.children;
    this.childTotal.hidden = !children || children.count === 0;
    if (children && children.count > 0) {
      const pss = readFigure(children.pss);
      const noun = children.count === 1 ? 'child process' : 'child processes';
      setText(this.childCount, `${children.count} ${noun}`);
      setText(this.childFigures, `RES ${formatBytes(children.resBytes)} · PSS ${pss.text}`);
      setSafeAttribute(this.childTotal, 'data-count', children.count);
    }
  }

  /** The status line changes shape with the status; it is rebuilt only when the status or its message changes. */
  private renderStatus(row: DebugSessionRow): void {
    const memoryless = row.snapshot?.memoryless;
    const key = `${row.status}\u0000${row.message}\u0000${memoryless ?? ''}`;
    if (key === this.statusKey) {
      return;
    }
    this.statusKey = key;
    const text = (className: string, content: string) => h('span', { class: className }, content);
    this.status.hidden = false;
    switch (row.status) {
      case 'waiting':
        this.status.replaceChildren(
          progressRing({ class: 'inline-ring' }),
          text('status-text', 'Waiting for the process…'),
        );
        break;
      case 'remote':
        this.status.replaceChildren(
          text('status-text', 'The debuggee is not on this machine'),
          row.message ? text('status-detail', row.message) : '',
        );
        break;
      case 'not-found':
        this.status.replaceChildren(
          text('status-text', row.message || 'The process of this session was not found.'),
          h(
            'div',
            { class: 'session-actions' },
            button('Pick process…', () => this.post({ type: 'pick', sessionId: this.row.sessionId }), {
              testid: 'pick',
              appearance: 'primary',
            }),
          ),
        );
        break;
      case 'ended':
        this.status.replaceChildren(
          text('status-text', 'Ended'),
          row.message ? text('status-detail', row.message) : '',
        );
        break;
      case 'parent':
        this.status.replaceChildren(text('status-detail', row.message || 'Its processes are listed below.'));
        break;
      case 'found':
        if (memoryless) {
          const reason = memorylessReason(memoryless);
          this.status.replaceChildren(text('status-text', reason.title), text('status-detail', reason.text));
        } else {
          this.status.replaceChildren();
          this.status.hidden = true;
        }
        break;
    }
  }

  private inspect(): void {
    const snapshot = this.row.snapshot;
    if (snapshot && this.row.status !== 'ended') {
      this.post({ type: 'inspect', pid: snapshot.pid, startTicks: snapshot.startTicks });
    }
  }
}
