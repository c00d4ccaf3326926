import * as vscode from 'vscode';
import { TerminalRow } from '../../shared/protocol/debugView';
import { readConfig } from '../contributions';
import { visibleText } from '../core/textEscapes';
import { Disposable } from '../dispose';
import { identityKey } from '../proc/processIdentity';
import { ProcessTreeWalk } from '../proc/processTreeWalk';
import { terminalForeground } from '../proc/terminalForeground';
import { readCommandTree } from './commandTree';
import { ShellCommandLines } from './shellCommandLines';

/**
 * The debug view's rows of terminals that run a command: every terminal's shell is read once per
 * sample interval (its stat: is a foreground job there?), and the tree of each command walked. Reads
 * only between start() and stop(): the view starts it while it is visible, and hears of the rows
 * when they change. Terminals whose shell
 * waits at its prompt, or cannot be read here, have no row. Control characters of names and command
 * lines are sent as `\xNN`, so the view shows an escape sequence as text.
 */
export class TerminalRows extends Disposable {
  private timer: NodeJS.Timeout | undefined;
  /** Between start() and stop(): the view is visible. */
  private active = false;
  /** One walk per command, kept across reads so members whose parent exited stay in the tree. */
  private walks = new Map<string, ProcessTreeWalk>();
  private reading = false;
  /** The rows of the last read. */
  rows: TerminalRow[] = [];
  /** Reads made (for tests: a read after a change). */
  reads = 0;

  constructor(
    private readonly commandLines: ShellCommandLines,
    private readonly onRows: (rows: TerminalRow[]) => void,
  ) {
    super();
    this.register(vscode.window.onDidOpenTerminal(() => this.readSoon()));
    this.register(vscode.window.onDidCloseTerminal(() => this.readSoon()));
    this.register(vscode.window.onDidStartTerminalShellExecution(() => this.readSoon()));
    this.register(vscode.window.onDidEndTerminalShellExecution(() => this.readSoon()));
    this.register({ dispose: () => this.stop() });
  }

  /** Whether terminals are read now (the view is visible). */
  get isReading(): boolean {
    return this.active;
  }

  /** Whether the interval runs: while the view is visible and a terminal is open. */
  get isPolling(): boolean {
    return this.timer !== undefined;
  }

  start(): void {
    if (!this.active) {
      this.active = true;
      void this.read();
    }
  }

  stop(): void {
    this.active = false;
    this.pace();
    this.walks.clear();
    // Shown again, the view reads anew rather than show commands that may have ended meanwhile.
    this.rows = [];
  }

  /** The interval runs only while there is a terminal to read: without one, nothing wakes the host. */
  private pace(): void {
    const wanted = this.active && vscode.window.terminals.length > 0;
    if (wanted && !this.timer) {
      this.timer = setInterval(() => void this.read(), readConfig('sampleIntervalMs'));
    } else if (!wanted && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private readSoon(): void {
    if (this.active) {
      void this.read();
    }
  }

  private async read(): Promise<void> {
    // Every read (the interval's, a terminal event's, the view shown) looks at the terminals again,
    // one in flight or not: a terminal's close event may come while it is still listed.
    this.pace();
    if (this.reading) {
      return;
    }
    this.reading = true;
    try {
      const terminals = vscode.window.terminals;
      const pids = await Promise.all(terminals.map((terminal) => terminal.processId));
      if (!this.active) {
        return;
      }
      const rows: TerminalRow[] = [];
      const walks = new Map<string, ProcessTreeWalk>();
      terminals.forEach((terminal, index) => {
        const shellPid = pids[index];
        const foreground = shellPid === undefined || shellPid <= 0 ? undefined : terminalForeground(shellPid);
        if (foreground?.kind !== 'command') {
          return;
        }
        const key = identityKey(foreground.identity);
        const walk = this.walks.get(key) ?? new ProcessTreeWalk(foreground.identity);
        walks.set(key, walk);
        const tree = readCommandTree(walk, 1);
        if (tree.processes === 0) {
          return; // ended since the shell's stat was read
        }
        const command = this.commandLines.commandOf(terminal, foreground.identity.pid);
        rows.push({
          index: index + 1,
          terminal: visibleText(terminal.name),
          pid: foreground.identity.pid,
          startTicks: foreground.identity.startTicks,
          name: visibleText(foreground.name),
          commandLine: visibleText(command.text),
          commandSource: command.source,
          processes: tree.processes,
          resBytes: tree.resBytes,
          pssBytes: tree.pssBytes,
          pssMissing: tree.pssMissing,
          largest: tree.largest[0] && { ...tree.largest[0], name: visibleText(tree.largest[0].name) },
        });
      });
      this.walks = walks;
      // Each message costs the host a round trip to the workbench: the view hears of a change only.
      const changed = JSON.stringify(rows) !== JSON.stringify(this.rows);
      this.rows = rows;
      this.reads++;
      if (changed) {
        this.onRows(rows);
      }
    } finally {
      this.reading = false;
    }
  }
}
