import type { DebugSessionRow, FromDebugView, ToDebugView } from '../../shared/protocol/debugView';
import { h, setSafeAttribute } from '../dom';
import { SessionRow } from './sessionRow';
import { TerminalsList } from './terminalsList';

/**
 * The Run and Debug sidebar view: one row per debug session, child sessions nested under their
 * parent, then the terminals that run a command. Rows are kept by session id and updated in place.
 *
 * #app[data-view=idle|sessions] > p.idle[data-testid=not-debugging], ul.sessions[data-testid=sessions],
 *                                 section.terminals[data-testid=terminals] (terminalsList.ts)
 */
export class DebugView {
  private readonly idle: HTMLElement;
  private readonly list: HTMLUListElement;
  private readonly rows = new Map<string, SessionRow>();
  private readonly terminals: TerminalsList;

  constructor(
    private readonly root: HTMLElement,
    private readonly post: (message: FromDebugView) => void,
  ) {
    this.idle = h('p', { class: 'idle', testid: 'not-debugging' });
    this.list = h('ul', { class: 'sessions', testid: 'sessions', attrs: { 'aria-label': 'Debug sessions' } });
    this.terminals = new TerminalsList(post);
    root.replaceChildren(this.idle, this.list, this.terminals.element);
    this.showIdle(
      'Start debugging to see the memory of your program here: RES, VIRT and SHR of the debugged process, how much it grew since the last stop, and its child processes.',
    );
  }

  handle(message: ToDebugView): void {
    if (message.type === 'terminals') {
      this.terminals.update(message.rows);
      return;
    }
    if (message.type === 'sample') {
      // Only rows the last state placed; a row it did not have comes with the next state.
      for (const sample of message.rows) {
        this.rows.get(sample.sessionId)?.updateSample(sample);
      }
      return;
    }
    if (!message.debugging) {
      this.update([]);
      this.showIdle(
        'Start debugging to see the memory of your program here: RES, VIRT and SHR of the debugged process, how much it grew since the last stop, and its child processes.',
      );
      return;
    }
    if (message.rows.length === 0) {
      this.update([]);
      this.showIdle('Waiting for a debug session…');
      return;
    }
    this.idle.hidden = true;
    this.list.hidden = false;
    setSafeAttribute(this.root, 'data-view', 'sessions');
    this.update(message.rows);
  }

  private showIdle(text: string): void {
    this.idle.textContent = text;
    this.idle.hidden = false;
    this.list.hidden = true;
    setSafeAttribute(this.root, 'data-view', 'idle');
  }

  private update(rows: readonly DebugSessionRow[]): void {
    const ids = new Set(rows.map((row) => row.sessionId));
    for (const [id, row] of this.rows) {
      if (!ids.has(id)) {
        row.element.remove();
        this.rows.delete(id);
      }
    }
    for (const data of rows) {
      const existing = this.rows.get(data.sessionId);
      if (existing) {
        existing.update(data);
      } else {
        this.rows.set(data.sessionId, new SessionRow(data, this.post));
      }
    }
    // Place each row under its parent (or at the top level when the parent is not shown),
    // moving nodes only when out of place so a focused button keeps its focus.
    const placed = new Map<Element, Element[]>();
    for (const data of rows) {
      const parent =
        data.parentSessionId !== undefined && data.parentSessionId !== data.sessionId
          ? this.rows.get(data.parentSessionId)
          : undefined;
      const container = parent && !this.isDescendant(parent, data.sessionId, rows) ? parent.children : this.list;
      const list = placed.get(container) ?? [];
      list.push(this.rows.get(data.sessionId)!.element);
      placed.set(container, list);
    }
    for (const row of this.rows.values()) {
      if (!placed.has(row.children)) {
        placed.set(row.children, []);
      }
    }
    placed.set(this.list, placed.get(this.list) ?? []);
    for (const [container, elements] of placed) {
      elements.forEach((element, index) => {
        if (container.children[index] !== element) {
          container.insertBefore(element, container.children[index] ?? null);
        }
      });
      while (container.children.length > elements.length) {
        container.lastElementChild?.remove();
      }
      container.toggleAttribute('hidden', container !== this.list && elements.length === 0);
    }
  }

  /** Whether `candidate` sits below the session `id` (guards against a parent cycle in the data). */
  private isDescendant(candidate: SessionRow, id: string, rows: readonly DebugSessionRow[]): boolean {
    const byId = new Map(rows.map((row) => [row.sessionId, row]));
    let current = byId.get(candidate.element.getAttribute('data-session-id') ?? '');
    const seen = new Set<string>();
    while (current?.parentSessionId !== undefined && !seen.has(current.sessionId)) {
      if (current.parentSessionId === id) {
        return true;
      }
      seen.add(current.sessionId);
      current = byId.get(current.parentSessionId);
    }
    return false;
  }
}
