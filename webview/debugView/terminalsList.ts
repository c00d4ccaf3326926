import { formatBytes } from '../../shared/format';
import type { FromDebugView, TerminalRow } from '../../shared/protocol/debugView';
import { h, setSafeAttribute, setText } from '../dom';
import { button } from '../toolkit';

/**
 * The terminals that run a command, under the debug sessions: per terminal, the command (plain
 * text: names and command lines are untrusted), its process tree's RES and PSS summed, and the
 * member holding most. Rows are kept by process and updated in place, so a focused Inspect button
 * keeps its focus from one reading to the next.
 *
 * DOM: section.terminals[data-testid=terminals][hidden when none] > h2 + ul
 *        > li.terminal[data-testid=terminal][data-pid] > .session-card
 *          > .session-head (.session-name[data-testid=terminal-name], .session-meta, Inspect button)
 *          + .terminal-command[data-testid=terminal-command][data-source=shell|proc]
 *          + .terminal-tree[data-testid=terminal-tree][data-res][data-pss][data-processes]
 *          + .terminal-largest[data-testid=terminal-largest]
 */
export class TerminalsList {
  readonly element: HTMLElement;
  private readonly list: HTMLUListElement;
  private readonly rows = new Map<string, TerminalItem>();

  constructor(private readonly post: (message: FromDebugView) => void) {
    this.list = h('ul', { class: 'terminal-list', attrs: { 'aria-label': 'Terminals running a command' } });
    this.element = h(
      'section',
      { class: 'terminals', testid: 'terminals', attrs: { hidden: true } },
      h('h2', { class: 'terminals-title' }, 'Commands in terminals'),
      this.list,
    );
  }

  update(rows: readonly TerminalRow[]): void {
    const keys = rows.map((row) => `${row.pid}:${row.startTicks}`);
    for (const [key, item] of this.rows) {
      if (!keys.includes(key)) {
        item.element.remove();
        this.rows.delete(key);
      }
    }
    rows.forEach((row, index) => {
      let item = this.rows.get(keys[index]);
      if (!item) {
        item = new TerminalItem(this.post);
        this.rows.set(keys[index], item);
      }
      item.update(row);
      if (this.list.children[index] !== item.element) {
        this.list.insertBefore(item.element, this.list.children[index] ?? null);
      }
    });
    this.element.hidden = rows.length === 0;
  }
}

class TerminalItem {
  readonly element: HTMLLIElement;
  private row: TerminalRow | undefined;
  private readonly name = h('span', { class: 'session-name', testid: 'terminal-name' });
  private readonly process = h('span', { class: 'session-type', testid: 'terminal-process' });
  private readonly pid = h('span', { class: 'session-pid' });
  private readonly command = h('div', { class: 'terminal-command', testid: 'terminal-command' });
  private readonly tree = h('div', { class: 'terminal-tree', testid: 'terminal-tree' });
  private readonly largest = h('div', { class: 'terminal-largest', testid: 'terminal-largest' });

  constructor(private readonly post: (message: FromDebugView) => void) {
    const inspect = button('Inspect', () => this.inspect(), {
      testid: 'inspect',
      appearance: 'secondary',
      title: 'Open the memory panel for this command',
    });
    const card = h(
      'div',
      { class: 'session-card clickable' },
      h(
        'div',
        { class: 'session-head' },
        h('div', { class: 'session-title' }, this.name, h('div', { class: 'session-meta' }, this.process, this.pid)),
        inspect,
      ),
      this.command,
      this.tree,
      this.largest,
    );
    card.addEventListener('click', (event) => {
      if (!(event.target as Element | null)?.closest('vscode-button, button')) {
        this.inspect();
      }
    });
    this.element = h('li', { class: 'terminal', testid: 'terminal' }, card);
  }

  update(row: TerminalRow): void {
    this.row = row;
    setSafeAttribute(this.element, 'data-pid', row.pid);
    setText(this.name, `Terminal ${row.index}: ${row.terminal}`);
    setSafeAttribute(this.name, 'title', row.terminal);
    setText(this.process, row.name);
    setText(this.pid, `PID ${row.pid}`);
    setText(this.command, row.commandLine);
    setSafeAttribute(this.command, 'data-source', row.commandSource);
    setSafeAttribute(
      this.command,
      'title',
      row.commandSource === 'shell'
        ? 'The command line as the shell reported it (shell integration)'
        : "The command's arguments, from /proc (the shell does not report its command lines here)",
    );
    const noun = row.processes === 1 ? 'process' : 'processes';
    const missing = row.pssMissing > 0 ? ` (PSS of ${row.pssMissing} unreadable)` : '';
    setText(
      this.tree,
      `${row.processes} ${noun} · RES ${formatBytes(row.resBytes)} · PSS ${formatBytes(row.pssBytes)}${missing}`,
    );
    setSafeAttribute(this.tree, 'data-res', row.resBytes);
    setSafeAttribute(this.tree, 'data-pss', row.pssBytes);
    setSafeAttribute(this.tree, 'data-processes', row.processes);
    this.largest.hidden = row.largest === undefined;
    if (row.largest) {
      setText(
        this.largest,
        `Largest: ${row.largest.name} (PID ${row.largest.pid}) ${row.largest.figure} ${formatBytes(row.largest.bytes)}`,
      );
    }
  }

  private inspect(): void {
    if (this.row) {
      this.post({ type: 'inspect', pid: this.row.pid, startTicks: this.row.startTicks });
    }
  }
}
