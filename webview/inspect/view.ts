import { formatBytes } from '../../shared/format';
import { rollupAgeText } from '../../shared/rollupAge';
import type { MemoryFigure } from '../../shared/memoryDocs';
import type { EndedInfo, FromInspectPanel, ToInspectPanel } from '../../shared/protocol/inspect';
import { QUIET_MESSAGE_MS, SILENT_AFTER_MS } from '../../shared/protocol/quietMessages';
import type { HistorySeries, LeakForecast, ProcessSnapshot, SampleSnapshot } from '../../shared/model';
import { Banner } from '../banner';
import { h, setSafeAttribute, setText } from '../dom';
import { figureBytes } from '../figure';
import { FigureTile } from '../figureTile';
import { memorylessReason } from '../memoryless';
import { formatClock } from '../time';
import { button, progressRing, setButtonLabel } from '../toolkit';
import { MemoryChart } from './chart';
import { ProcessHeader } from './header';
import { MappingsSection } from './mappings';
import { OutOfMemorySection } from './outOfMemory';
import { ResSplitBar } from './resSplit';
import { TrendIndicator } from './trend';

/**
 * What the panel keeps in VS Code's webview state. `process` is read by the host's panel
 * serializer (src/inspectPanels.ts) to reopen the panel for the same process after a restart.
 */
export interface InspectState {
  /** Chart updates paused by the user; kept across hide/show of the panel. */
  paused: boolean;
  process?: { pid: number; startTicks: number; name: string };
}

export function parseInspectState(saved: unknown): InspectState {
  const record = typeof saved === 'object' && saved !== null ? (saved as Record<string, unknown>) : {};
  const process = record.process as InspectState['process'] | undefined;
  const validProcess =
    typeof process === 'object' &&
    process !== null &&
    Number.isSafeInteger(process.pid) &&
    Number.isSafeInteger(process.startTicks);
  return {
    paused: record.paused === true,
    process: validProcess
      ? { pid: process.pid, startTicks: process.startTicks, name: typeof process.name === 'string' ? process.name : '' }
      : undefined,
  };
}

/** RES first: it is the headline figure everywhere in this extension (then VIRT and SHR). */
const HEADLINE: readonly MemoryFigure[] = ['res', 'virt', 'shr'];

/**
 * The inspect panel. Built once; messages update it in place.
 *
 * #app[data-view=waiting|live|ended|memoryless] holds, in order: the process header (with the
 * export/copy toolbar), #exit-banner, #problem-banner, the waiting and memoryless notices, and
 * .content with the headline figures, the trend, the chart, the breakdown grid and where RES lives
 * (RES by kind of mapping).
 */
export class InspectView {
  private readonly header: ProcessHeader;
  private readonly exitBanner = new Banner('info', 'exit-banner');
  /** The exit banner when its cgroup's OOM kill counter rose as it ended. */
  private readonly oomBanner = new Banner('error', 'oom-banner');
  private readonly problemBanner = new Banner('warning', 'problem-banner');
  private readonly waiting: HTMLElement;
  private readonly memoryless: HTMLElement;
  private readonly memorylessTitle = h('h2', { class: 'notice-title' });
  private readonly memorylessText = h('p', { class: 'notice-text' });
  private readonly content: HTMLElement;
  private readonly tiles = new Map<string, FigureTile>();
  private readonly trend = new TrendIndicator();
  /** The leak forecast last sent: the headline's trend may only alarm where it finds growth too. */
  private forecast: LeakForecast | undefined;
  private readonly readingTime = h('span', {
    class: 'reading-time',
    testid: 'reading-time',
    attrs: {
      title: `When the figures were read. The process is read every procMemory.sampleIntervalMs; a change reaches this panel at once, and while nothing changes it hears of a reading every ${QUIET_MESSAGE_MS / 1000} seconds.`,
    },
  });
  private silenceTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly split = new ResSplitBar();
  private readonly mappings = new MappingsSection(() => this.post({ type: 'readMappings' }));
  private readonly outOfMemory = new OutOfMemorySection();
  private readonly chart = new MemoryChart();
  private readonly pauseButton: HTMLElement;
  private snapshot: ProcessSnapshot | undefined;
  /** The host's init has come: samples before it are deltas for a page that was (see sample). */
  private initialised = false;
  private ended: EndedInfo | undefined;
  private historyStartMs: number | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly post: (message: FromInspectPanel) => void,
    private state: InspectState,
    private readonly saveState: (state: InspectState) => void,
  ) {
    const toolbar = h(
      'div',
      { class: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Export' } },
      button('Export CSV', () => this.post({ type: 'export', format: 'csv' }), {
        testid: 'export-csv',
        title: 'Save the history as CSV',
      }),
      button('Export JSON', () => this.post({ type: 'export', format: 'json' }), {
        testid: 'export-json',
        title: 'Save the history and the last reading as JSON',
      }),
      button('Copy snapshot', () => this.post({ type: 'copySnapshot' }), {
        testid: 'copy-snapshot',
        title: 'Copy the current figures as text',
      }),
    );
    this.header = new ProcessHeader(toolbar);
    this.pauseButton = button('', () => this.togglePause(), { testid: 'pause' });

    this.waiting = h(
      'div',
      { class: 'notice notice-waiting', testid: 'no-snapshot' },
      progressRing(),
      h('span', {}, 'Waiting for the first reading…'),
    );
    this.memoryless = h(
      'div',
      { class: 'notice', testid: 'memoryless', attrs: { hidden: true } },
      this.memorylessTitle,
      this.memorylessText,
    );

    const headline = h(
      'section',
      { class: 'headline', attrs: { 'aria-label': 'Memory as top shows it' } },
      h(
        'div',
        { class: 'headline-tiles' },
        ...HEADLINE.map((figure) => this.tile(figure, figure === 'res' ? 'headline' : 'large')),
      ),
      h('div', { class: 'headline-footer' }, this.trend.element, this.readingTime),
    );

    const history = h(
      'section',
      { class: 'history', attrs: { 'aria-labelledby': 'history-title' } },
      h('div', { class: 'section-head' }, h('h2', { id: 'history-title' }, 'History'), this.pauseButton),
      this.chart.element,
    );

    // Three groups of three, so tiles line up whatever the width: RES by kind (with its bar under
    // the tiles, so the tops of the groups align), what the process costs, and its peak and limit.
    const group = (title: string, tiles: HTMLElement[], after?: Element) =>
      h(
        'div',
        { class: 'figure-group' },
        h('h3', { class: 'group-title' }, title),
        h('div', { class: 'tile-grid' }, ...tiles),
        after,
      );
    const breakdown = h(
      'section',
      { class: 'breakdown', attrs: { 'aria-labelledby': 'breakdown-title' } },
      h('div', { class: 'section-head' }, h('h2', { id: 'breakdown-title' }, 'Breakdown')),
      h(
        'div',
        { class: 'figure-groups' },
        group(
          'RES by kind',
          [
            this.tile('rssAnon', 'small', 'swatch swatch-anon'),
            this.tile('rssFile', 'small', 'swatch swatch-file'),
            this.tile('rssShmem', 'small', 'swatch swatch-shmem'),
          ],
          this.split.element,
        ),
        group('Cost to the system', [this.tile('pss', 'small'), this.tile('uss', 'small'), this.tile('swap', 'small')]),
        group('Peak, limit and threads', [
          this.tile('peakRes', 'small'),
          this.tile('cgroup', 'small'),
          this.tile({ key: 'threads', label: 'Threads' }, 'small'),
        ]),
      ),
    );

    this.content = h(
      'div',
      { class: 'content', attrs: { hidden: true } },
      headline,
      history,
      breakdown,
      this.outOfMemory.element,
      this.mappings.element,
    );
    root.replaceChildren(
      this.header.element,
      this.exitBanner.element,
      this.oomBanner.element,
      this.problemBanner.element,
      this.waiting,
      this.memoryless,
      this.content,
    );
    this.applyPaused();
    this.render();
  }

  handle(message: ToInspectPanel): void {
    switch (message.type) {
      case 'init':
        this.state = {
          ...this.state,
          process: { pid: message.process.pid, startTicks: message.process.startTicks, name: message.process.name },
        };
        this.saveState(this.state);
        this.header.identify(message.process);
        this.init(message.snapshot, message.history, message.trendPerMinute, message.ended, message.problem);
        this.forecast = message.forecast;
        this.outOfMemory.setForecast(message.forecast);
        this.chart.setMarkers(message.markers ?? []);
        break;
      case 'markers':
        this.chart.setMarkers(message.markers);
        break;
      case 'sample':
        if (message.forecast && !this.ended) {
          this.forecast = message.forecast;
          this.outOfMemory.setForecast(message.forecast);
        }
        this.sample(message.snapshot, message.timeMs, message.trendPerMinute, message.sameUntilMs);
        break;
      case 'ended':
        this.end(message.ended);
        break;
      case 'problem':
        this.problemBanner.show('Could not read the process', message.message);
        break;
    }
  }

  private tile(
    figure: MemoryFigure | { key: string; label: string },
    size: 'headline' | 'large' | 'small',
    className?: string,
  ): HTMLElement {
    const tile = new FigureTile({ figure, docs: 'full', size, className });
    this.tiles.set(typeof figure === 'string' ? figure : figure.key, tile);
    return tile.element;
  }

  private init(
    snapshot: ProcessSnapshot | undefined,
    history: HistorySeries,
    trend: number | undefined,
    ended: EndedInfo | undefined,
    problem: string | undefined,
  ): void {
    this.snapshot = snapshot;
    this.initialised = true;
    this.ended = undefined;
    this.exitBanner.hide();
    this.oomBanner.hide();
    this.pauseButton.hidden = false;
    this.historyStartMs = history.timesMs[0];
    this.chart.setHistory(history);
    if (problem) {
      this.problemBanner.show('Could not read the process', problem);
    } else {
      this.problemBanner.hide();
    }
    this.render(trend);
    if (ended) {
      this.end(ended);
    }
  }

  private sample(delta: SampleSnapshot, timeMs: number, trend: number | undefined, sameUntilMs?: number): void {
    if (this.ended || !this.initialised) {
      // Figures freeze at the exit; a late sample must not bring them back. Before its init, a
      // reloaded page has nothing to merge a delta into: its init follows with everything.
      return;
    }
    const previous = this.snapshot;
    if (previous && sameUntilMs !== undefined && sameUntilMs < timeMs) {
      // Readings the host did not send found the previous figures: the line stays flat up to the
      // last of them, and a change is drawn as the step it was, not a slope across the quiet time.
      this.chart.append(sameUntilMs, previous.resBytes, previous.shrBytes);
    }
    // The host leaves out what did not change since its previous message (the mappings, the command line).
    const snapshot = { ...previous, ...delta } as ProcessSnapshot;
    this.snapshot = snapshot;
    this.historyStartMs ??= timeMs;
    this.problemBanner.hide();
    this.chart.append(timeMs, snapshot.resBytes, snapshot.shrBytes);
    this.render(trend);
  }

  private end(ended: EndedInfo): void {
    this.ended = ended;
    clearTimeout(this.silenceTimer); // nothing more is promised
    if (this.snapshot) {
      this.showReadingTime(this.snapshot.sampledAtMs, false);
    }
    const frozen =
      this.snapshot && !this.snapshot.memoryless
        ? ' The figures below are its last reading; the history can still be exported.'
        : '';
    if (ended.oomKill) {
      this.exitBanner.hide();
      this.oomBanner.show(
        `Most likely killed by the OOM killer at ${formatClock(ended.atMs)}.`,
        `${ended.oomKill}${frozen}`,
      );
    } else {
      this.oomBanner.hide();
      this.exitBanner.show(`Process ended at ${formatClock(ended.atMs)}.`, `${ended.message}${frozen}`);
    }
    this.header.markEnded();
    this.pauseButton.hidden = true; // nothing more will arrive to pause
    setSafeAttribute(this.root, 'data-view', this.snapshot?.memoryless ? 'memoryless' : 'ended');
  }

  private render(trend?: number): void {
    const snapshot = this.snapshot;
    this.waiting.hidden = snapshot !== undefined || this.ended !== undefined;
    if (!snapshot) {
      this.content.hidden = true;
      this.memoryless.hidden = true;
      setSafeAttribute(this.root, 'data-view', this.ended ? 'ended' : 'waiting');
      return;
    }
    this.header.update(snapshot, snapshot.sampledAtMs);
    document.title = `${snapshot.name} (${snapshot.pid})`;
    if (snapshot.memoryless) {
      const reason = memorylessReason(snapshot.memoryless);
      setText(this.memorylessTitle, reason.title);
      setText(this.memorylessText, reason.text);
      this.memoryless.hidden = false;
      this.content.hidden = true;
      setSafeAttribute(this.root, 'data-view', 'memoryless');
      return;
    }
    this.memoryless.hidden = true;
    this.content.hidden = false;
    setSafeAttribute(this.root, 'data-view', this.ended ? 'ended' : 'live');
    this.renderFigures(snapshot);
    const historyMinutes = this.historyStartMs === undefined ? 0 : (snapshot.sampledAtMs - this.historyStartMs) / 60000;
    this.trend.update(trend, snapshot.resBytes, historyMinutes, this.forecast);
    this.showReadingTime(snapshot.sampledAtMs, false);
    this.watchForSilence(snapshot.sampledAtMs);
  }

  /** When the figures on screen were read, and whether no reading came well past the host's promise. */
  private showReadingTime(sampledAtMs: number, silent: boolean): void {
    const since = silent ? ' · no reading since: VS Code may be busy' : '';
    setText(this.readingTime, `As of ${formatClock(sampledAtMs)}${since}`);
    if (silent) {
      setSafeAttribute(this.readingTime, 'data-silent', 'true');
    } else {
      this.readingTime.removeAttribute('data-silent');
    }
  }

  /**
   * The host sends a reading at least every QUIET_MESSAGE_MS: past that, with room to spare, the
   * figures on screen may be old, and the reading time says so instead of looking live.
   */
  private watchForSilence(sampledAtMs: number): void {
    clearTimeout(this.silenceTimer);
    if (!this.ended) {
      this.silenceTimer = setTimeout(() => this.showReadingTime(sampledAtMs, true), SILENT_AFTER_MS);
    }
  }

  private renderFigures(snapshot: ProcessSnapshot): void {
    const tile = (key: string) => this.tiles.get(key)!;
    tile('res').setBytes(snapshot.resBytes);
    tile('virt').setBytes(snapshot.virtBytes);
    tile('shr').setBytes(snapshot.shrBytes);
    const share = (bytes: number | undefined) =>
      bytes === undefined || snapshot.resBytes <= 0
        ? undefined
        : `${Math.round((bytes / snapshot.resBytes) * 100)} % of RES`;
    for (const [key, figure] of [
      ['rssAnon', snapshot.anon],
      ['rssFile', snapshot.file],
      ['rssShmem', snapshot.shmem],
    ] as const) {
      tile(key).setFigure(figure);
      tile(key).setNote(share(figureBytes(figure)));
    }
    this.split.update(snapshot);
    tile('pss').setFigure(snapshot.pss);
    tile('uss').setFigure(snapshot.uss);
    const rollupNote = rollupAgeText(snapshot);
    tile('pss').setNote(rollupNote);
    tile('uss').setNote(rollupNote);
    tile('swap').setFigure(snapshot.swap);
    tile('peakRes').setFigure(snapshot.peakRes);
    tile('threads').setText(String(snapshot.threads));
    this.mappings.update(snapshot.mappings, snapshot.sampledAtMs);
    this.outOfMemory.update(snapshot);
    // The limit that binds first (the least headroom over every level), against the working set.
    const cgroup = tile('cgroup');
    const tightest = 'unavailable' in snapshot.cgroup ? snapshot.cgroup : snapshot.cgroup.tightest;
    if ('unavailable' in tightest) {
      cgroup.setFigure(tightest);
      cgroup.setNote(undefined);
      cgroup.element.classList.remove('low-headroom');
      setSafeAttribute(cgroup.element, 'data-headroom', undefined);
    } else {
      const { limitBytes, workingSetBytes, headroomBytes, path, limitFile } = tightest;
      cgroup.setBytes(limitBytes);
      const keep = (text: string) => text.replace(' ', '\u00a0'); // never "634.9 / MiB" across two lines
      cgroup.setNote(`headroom ${keep(formatBytes(headroomBytes))}\nworking set ${keep(formatBytes(workingSetBytes))}`);
      cgroup.element.classList.toggle('low-headroom', headroomBytes < limitBytes * 0.1);
      setSafeAttribute(cgroup.element, 'data-headroom', headroomBytes);
      setSafeAttribute(cgroup.element, 'title', `${limitFile} of cgroup ${path}`);
    }
  }

  private togglePause(): void {
    this.state = { ...this.state, paused: !this.state.paused };
    this.saveState(this.state);
    this.applyPaused();
  }

  private applyPaused(): void {
    const paused = this.state.paused;
    this.chart.setPaused(paused);
    setButtonLabel(this.pauseButton, paused ? 'Resume' : 'Pause');
    setSafeAttribute(this.pauseButton, 'aria-pressed', paused ? 'true' : 'false');
    setSafeAttribute(
      this.pauseButton,
      'title',
      paused
        ? 'Resume the chart (samples kept coming in while it was paused)'
        : 'Pause the chart; samples keep being collected',
    );
  }
}
