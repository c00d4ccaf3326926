import * as vscode from 'vscode';
import { formatBytes } from '../../shared/format';
import { visibleText } from '../core/textEscapes';
import { readConfig } from '../contributions';
import { Disposable } from '../dispose';
import { FocusTracker } from '../focusTracker';
import { EXIT_LINGER_MS } from '../statusBar';
import { identityKey } from '../proc/processIdentity';
import { ProcessTreeWalk } from '../proc/processTreeWalk';
import { terminalForeground, TerminalForeground } from '../proc/terminalForeground';
import { readCommandTree } from './commandTree';
import { ShellCommandLines } from './shellCommandLines';

/** Characters of the command line the hover shows. */
const HOVER_COMMAND_CHARS = 200;
/** Members the hover names. */
const HOVER_MEMBERS = 3;

/**
 * Puts what the active terminal runs in focus for the status bar, after a debug session and a
 * watched process: the foreground process of the terminal's shell (its tpgid), or the shell while
 * it waits. Polls only while the status bar would show it: a terminal is active, nothing outranks
 * it, and the status bar is on. Each poll reads the shell's stat, and walks the command's tree for
 * the hover (its total and largest members). A shell that cannot be read here is not silence: the
 * status bar says why.
 */
export class TerminalFollower extends Disposable {
  private timer: NodeJS.Timeout | undefined;
  /** Set while the status bar still says how a debugged or watched process ended: the terminal waits. */
  private holdUntilMs = 0;
  private holdTimer: NodeJS.Timeout | undefined;
  private walk: ProcessTreeWalk | undefined;
  private summary = '';
  private lastReason: string | undefined;
  /** Polls made (for tests: "within two samples"). */
  ticks = 0;
  /** The shell PID each terminal had when a poll last read it: gone since, that terminal's process ended. */
  private readonly shellsRead = new WeakMap<vscode.Terminal, number>();
  /** What the last poll found, for tests and the process picker. */
  state: (TerminalForeground & { terminal: string }) | undefined;

  constructor(
    private readonly focus: FocusTracker,
    private readonly commandLines: ShellCommandLines,
  ) {
    super();
    this.register(vscode.window.onDidChangeActiveTerminal(() => this.reschedule()));
    this.register(vscode.window.onDidCloseTerminal(() => this.reschedule()));
    this.register(
      focus.onDidChange((target) => {
        // A debug session or watched process that just went: let the status bar say how it ended.
        if (target === undefined && this.lastReason !== undefined && this.lastReason !== 'terminal') {
          this.holdUntilMs = Date.now() + EXIT_LINGER_MS + 500;
        }
        this.lastReason = target?.reason;
        this.reschedule();
      }),
    );
    this.register(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('procMemory')) {
          this.reschedule(true);
        }
      }),
    );
    this.register({ dispose: () => (this.stop(), this.holdTimer && clearTimeout(this.holdTimer)) });
    this.reschedule();
  }

  /** Whether anything is polled for terminals now. */
  get isPolling(): boolean {
    return this.timer !== undefined;
  }

  private reschedule(restart = false): void {
    const wanted =
      vscode.window.activeTerminal !== undefined && !this.focus.outranksTerminal && readConfig('statusBar.enabled');
    if (!wanted) {
      this.stop();
      if (this.state) {
        this.state = undefined;
        this.focus.setTerminal(undefined);
        this.focus.setUnreadableTerminal(undefined);
      }
      return;
    }
    const wait = this.holdUntilMs - Date.now();
    if (wait > 0) {
      this.stop();
      this.holdTimer ??= setTimeout(() => {
        this.holdTimer = undefined;
        this.reschedule();
      }, wait);
      return;
    }
    if (this.timer && !restart) {
      return;
    }
    this.stop();
    this.timer = setInterval(() => void this.poll(), readConfig('sampleIntervalMs'));
    void this.poll();
  }

  private stop(): void {
    if (this.timer) {
      clearInterval(this.timer);
    }
    this.timer = undefined;
  }

  private async poll(): Promise<void> {
    const terminal = vscode.window.activeTerminal;
    if (!terminal) {
      return;
    }
    const shellPid = await terminal.processId;
    if (!this.timer || terminal !== vscode.window.activeTerminal) {
      return;
    }
    this.ticks++;
    const name = terminal.name;
    const foreground: TerminalForeground =
      shellPid === undefined || shellPid <= 0
        ? {
            kind: 'unreadable',
            why: "VS Code gives no process for it (an extension's pseudoterminal, or a terminal whose shell runs elsewhere)",
          }
        : terminalForeground(shellPid);
    this.state = { ...foreground, terminal: name };
    if (foreground.kind === 'unreadable') {
      this.walk = undefined;
      // Not a wrong process, and not silence: the status bar says why. A shell read here before
      // and gone now has exited, while its terminal stays (a finished task's, kept for reuse).
      const ended = foreground.gone && this.shellsRead.get(terminal) === shellPid;
      this.focus.setTerminal(undefined);
      this.focus.setUnreadableTerminal(
        ended
          ? {
              name,
              why: `its process (PID ${shellPid}) has exited; the terminal stays open until it is closed (a finished task's terminal waits to be reused)`,
              ended: true,
            }
          : { name, why: foreground.why },
      );
      return;
    }
    this.shellsRead.set(terminal, shellPid as number);
    this.focus.setUnreadableTerminal(undefined);
    if (foreground.kind === 'command') {
      if (!this.walk || identityKey(this.walk.root) !== identityKey(foreground.identity)) {
        this.walk = new ProcessTreeWalk(foreground.identity);
      }
      this.summary = this.describeTree(this.walk, terminal, foreground.identity.pid);
    } else {
      this.walk = undefined;
      this.summary = 'The shell waits for a command.';
    }
    this.focus.setTerminal({
      identity: foreground.identity,
      terminal: { name, describe: () => this.summary },
    });
  }

  private describeTree(walk: ProcessTreeWalk, terminal: vscode.Terminal, pid: number): string {
    const tree = readCommandTree(walk, HOVER_MEMBERS);
    const command = this.commandLines.commandOf(terminal, pid);
    const shown =
      command.text.length > HOVER_COMMAND_CHARS
        ? `${command.text.slice(0, HOVER_COMMAND_CHARS)}… (${command.text.length} characters)`
        : command.text;
    const largest = tree.largest.map(
      (member) => `${visibleText(member.name)} (PID ${member.pid}) ${member.figure} ${formatBytes(member.bytes)}`,
    );
    return [
      `${command.source === 'shell' ? 'Command, as the shell reported it' : 'Command'}: ${visibleText(shown)}`,
      `Its tree: ${tree.processes} ${tree.processes === 1 ? 'process' : 'processes'}, PSS ${formatBytes(tree.pssBytes)}, RES ${formatBytes(tree.resBytes)}${tree.pssMissing ? ` (PSS of ${tree.pssMissing} unreadable)` : ''}`,
      `Largest: ${largest.join(', ')}`,
    ].join('\n');
  }
}
