import { describeState, formatInterval } from '../../shared/format';
import type { ProcessSnapshot } from '../../shared/model';
import { h, setSafeAttribute, setText } from '../dom';
import { formatClock } from '../time';

/**
 * Who the process is: name, PID, state, user, start time and the full command line (monospace,
 * wrapped; it is untrusted text and only ever set through textContent).
 *
 * DOM: header.process-header > .title-row > h1[data-testid=process-name] + [data-testid=process-pid]
 *      + [data-testid=process-state][data-state=LETTER] + .toolbar; dl.process-meta with
 *      [data-testid=process-user], [data-testid=process-start]; pre[data-testid=process-command]
 */
export class ProcessHeader {
  readonly element: HTMLElement;
  private readonly name = h('h1', { class: 'process-name', testid: 'process-name' }, 'Process');
  private readonly pid = h('span', { class: 'pill', testid: 'process-pid', attrs: { hidden: true } });
  private readonly state = h('span', { class: 'pill state', testid: 'process-state', attrs: { hidden: true } });
  private readonly user = h('dd', { testid: 'process-user' }, '–');
  private readonly started = h('dd', { testid: 'process-start' }, '–');
  private readonly command = h('pre', { class: 'command-line', testid: 'process-command', attrs: { hidden: true } });
  private readonly meta: HTMLElement;

  constructor(toolbar: HTMLElement) {
    this.meta = h(
      'dl',
      { class: 'process-meta', attrs: { hidden: true } },
      h('div', {}, h('dt', {}, 'User'), this.user),
      h('div', {}, h('dt', {}, 'Started'), this.started),
    );
    this.element = h(
      'header',
      { class: 'process-header', testid: 'process-header' },
      h('div', { class: 'title-row' }, h('div', { class: 'title' }, this.name, this.pid, this.state), toolbar),
      this.meta,
      this.command,
    );
  }

  /** Before the first reading (or for a restored panel whose process is gone): who it is for. */
  identify(process: { pid: number; name: string }): void {
    setText(this.name, process.name || `PID ${process.pid}`);
    setText(this.pid, `PID ${process.pid}`);
    this.pid.hidden = false;
  }

  /** `nowMs`: the time of the reading (or of the exit), so "running for" freezes with the figures. */
  update(snapshot: ProcessSnapshot, nowMs: number): void {
    setText(this.name, snapshot.name || `PID ${snapshot.pid}`);
    setSafeAttribute(this.name, 'title', snapshot.name);
    setText(this.pid, `PID ${snapshot.pid}`);
    this.pid.hidden = false;
    const word = describeState(snapshot.state);
    setText(this.state, word === snapshot.state && snapshot.stateText ? snapshot.stateText : word);
    setSafeAttribute(this.state, 'data-state', snapshot.state);
    setSafeAttribute(this.state, 'title', `ps state ${snapshot.state}`);
    this.state.hidden = false;
    setText(this.user, snapshot.user || 'unknown');
    const running = Number.isFinite(snapshot.startTimeMs)
      ? ` (running for ${formatInterval(nowMs - snapshot.startTimeMs)})`
      : '';
    setText(this.started, `${formatClock(snapshot.startTimeMs, nowMs)}${running}`);
    this.meta.hidden = false;
    setText(this.command, snapshot.commandLine || `[${snapshot.name}]`);
    this.command.hidden = false;
  }

  /** The process has ended: its state is no longer what /proc said. */
  markEnded(): void {
    setText(this.state, 'exited');
    setSafeAttribute(this.state, 'data-state', 'ended');
    setSafeAttribute(this.state, 'title', undefined);
    this.state.hidden = false;
  }
}
