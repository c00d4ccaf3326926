import { formatBytes, formatInterval } from '../../shared/format';
import type { TimelineMarker } from '../../shared/model';
import type { ToRecordingView } from '../../shared/protocol/recording';
import type { FromRecordingView } from '../../shared/protocol/recording';
import { Banner } from '../banner';
import { button } from '../toolkit';
import { h, setSafeAttribute, setText } from '../dom';
import { MemoryChart } from '../inspect/chart';
import { formatClock } from '../time';
import { TaskRunSection } from './taskRunSection';

/**
 * A recording, read-only: what was recorded and on what, the chart of RES and SHR with its stops
 * and markers (the legend gives the figures at the cursor), the peak, and the stops in order.
 * Everything in the file is untrusted text: it only goes in through text nodes.
 *
 * DOM: #app[data-state=recording|invalid] > header.recording-head (h1[data-testid=recording-name], .recording-facts[data-testid=recording-facts])
 *        + banner#recording-invalid + banner#recording-note
 *        + .chart + section.recording-stops > ol > li[data-testid=recording-stop]
 */
export class RecordingView {
  private readonly title = h('h1', { class: 'recording-name', testid: 'recording-name' });
  private readonly facts = h('p', { class: 'recording-facts', testid: 'recording-facts' });
  private readonly context = h('p', { class: 'recording-context', testid: 'recording-context' });
  private readonly commandLine = h('code', { class: 'recording-command', testid: 'recording-command' });
  private readonly invalid = new Banner('error', 'recording-invalid');
  private readonly note = new Banner('info', 'recording-note');
  private readonly chart = new MemoryChart();
  private readonly stops = h('ol', { class: 'recording-stop-list' });
  private readonly task = new TaskRunSection();
  private readonly chartTitle = h('h2', { id: 'recording-history-title' }, 'RES and SHR over the run');
  private readonly content: HTMLElement;

  constructor(
    private readonly root: HTMLElement,
    post: (message: FromRecordingView) => void,
  ) {
    this.content = h(
      'div',
      { class: 'recording-content', attrs: { hidden: true } },
      h(
        'section',
        { class: 'history', attrs: { 'aria-labelledby': 'recording-history-title' } },
        h('div', { class: 'section-head' }, this.chartTitle),
        this.chart.element,
      ),
      this.task.element,
      h(
        'section',
        { class: 'recording-stops', testid: 'recording-stops', attrs: { 'aria-labelledby': 'recording-stops-title' } },
        h('div', { class: 'section-head' }, h('h2', { id: 'recording-stops-title' }, 'Stops and markers')),
        this.stops,
      ),
    );
    const toolbar = h(
      'div',
      { class: 'toolbar' },
      button('Compare with…', () => post({ type: 'compareWith' }), {
        testid: 'compare-with',
        title: 'Compare this recording with another run',
      }),
    );
    root.replaceChildren(
      h(
        'header',
        { class: 'recording-head' },
        h('div', { class: 'recording-title-row' }, this.title, toolbar),
        this.facts,
        this.context,
        this.commandLine,
      ),
      this.invalid.element,
      this.note.element,
      this.content,
    );
  }

  handle(message: ToRecordingView): void {
    setSafeAttribute(this.root, 'data-state', message.type);
    if (message.type === 'invalid') {
      setText(this.title, message.fileName);
      for (const element of [this.facts, this.context, this.commandLine]) {
        setText(element, '');
      }
      this.invalid.show('This file cannot be shown as a recording.', message.reason);
      this.note.hide();
      this.content.hidden = true;
      return;
    }
    this.invalid.hide();
    const { process, context, summary } = message;
    setText(
      this.title,
      message.task ? `Task “${message.task.label}” (PID ${process.pid})` : `${process.name} (PID ${process.pid})`,
    );
    setText(
      this.chartTitle,
      message.task ? 'RES and SHR of the whole process tree (summed) over the run' : 'RES and SHR over the run',
    );
    if (message.task) {
      this.task.show(message.task);
    } else {
      this.task.hide();
    }
    setText(
      this.facts,
      `Recorded ${formatClock(summary.startMs)} for ${formatInterval(summary.durationMs)} · peak RES ${formatBytes(summary.peakResBytes)} at ${formatClock(summary.peakAtMs)} · ${summary.samples} samples · ${summary.stops} ${summary.stops === 1 ? 'stop' : 'stops'}`,
    );
    const limit =
      context.cgroupLimitBytes !== undefined ? ` · cgroup limit ${formatBytes(context.cgroupLimitBytes)}` : '';
    const session = context.debugSession ? `Debug session “${context.debugSession}” · ` : '';
    setText(
      this.context,
      `${session}Linux ${context.kernel} · ${context.totalRamBytes ? `${formatBytes(context.totalRamBytes)} RAM` : 'RAM unknown'}${limit} · a sample every ${context.sampleIntervalMs ? `${context.sampleIntervalMs} ms` : '(unknown)'}`,
    );
    setText(this.commandLine, process.commandLine ?? 'The command line was left out when this was saved.');
    if (message.note) {
      this.note.show('Older file', message.note);
    } else {
      this.note.hide();
    }
    this.content.hidden = false;
    this.chart.setHistory(message.history);
    this.chart.setMarkers(message.markers);
    this.stops.replaceChildren(
      ...(message.markers.length
        ? message.markers.map((marker) => stopItem(marker, summary.startMs))
        : [h('li', { class: 'recording-stop-empty' }, 'No stops or markers in this recording.')]),
    );
  }
}

function stopItem(marker: TimelineMarker, startMs: number): HTMLElement {
  return h(
    'li',
    { class: `recording-stop mark-${marker.kind}`, testid: 'recording-stop', attrs: { 'data-kind': marker.kind } },
    h('span', { class: 'recording-stop-time' }, `+${formatInterval(marker.timeMs - startMs)}`),
    h('span', { class: 'recording-stop-label' }, marker.label),
    h('span', { class: 'recording-stop-detail' }, marker.detail),
  );
}
