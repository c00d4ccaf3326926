import * as vscode from 'vscode';
import { ContextKeys } from './contributions';
import { Disposable } from './dispose';
import { ProcessIdentity, readIdentity, sameProcess } from './proc/processIdentity';

/** The process the status bar shows, and why. */
export interface FocusTarget {
  identity: ProcessIdentity;
  /** `debug`: the debuggee of the active debug session; `watch`: chosen by the user; `terminal`: what the active terminal runs. */
  reason: 'debug' | 'watch' | 'terminal';
  /** The debug session's name, for the tooltip. */
  sessionName?: string;
  /** For `terminal`: which terminal, and the hover's lines about the command's tree (plain text). */
  terminal?: { name: string; describe(): string };
}

/** The active terminal with no process to show: its shell cannot be read here, or (`ended`) its process exited. */
export interface UnreadableTerminal {
  name: string;
  why: string;
  /** Its shell was read here before, and has exited since (a finished task's terminal, kept for reuse). */
  ended?: boolean;
}

const WATCHED_KEY = 'procMemory.watched';

/**
 * Decides which process is in focus: the debuggee of the active debug session while debugging,
 * else the process the user chose to watch, else what the active terminal runs, else none.
 */
export class FocusTracker extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<FocusTarget | undefined>());
  /** Fires when the process in focus changes (not on every sample). */
  readonly onDidChange = this.changed.event;

  private watched: ProcessIdentity | undefined;
  private debuggee: { identity: ProcessIdentity; sessionName: string } | undefined;
  private terminal: { identity: ProcessIdentity; terminal: NonNullable<FocusTarget['terminal']> } | undefined;
  private last: FocusTarget | undefined;
  /** The active terminal, when its shell cannot be read here: the status bar says so rather than nothing. */
  private unreadable: UnreadableTerminal | undefined;
  private lastUnreadableKey = '';

  constructor(private readonly state: vscode.Memento) {
    super();
    // Restore the watched process after a reload, but only if that very process still runs.
    const saved = state.get<ProcessIdentity>(WATCHED_KEY);
    if (saved && Number.isSafeInteger(saved.pid) && Number.isSafeInteger(saved.startTicks)) {
      const now = readIdentity(saved.pid);
      this.watched = now.ok && sameProcess(now.value, saved) ? saved : undefined;
    }
    this.update();
  }

  get current(): FocusTarget | undefined {
    return this.last;
  }

  get watchedProcess(): ProcessIdentity | undefined {
    return this.watched;
  }

  watch(identity: ProcessIdentity): void {
    this.watched = identity;
    void this.state.update(WATCHED_KEY, identity);
    this.update();
  }

  /** Stops watching; with `identity`, only if that is still the watched process. */
  stopWatching(identity?: ProcessIdentity): void {
    if (identity && this.watched && !sameProcess(identity, this.watched)) {
      return;
    }
    this.watched = undefined;
    void this.state.update(WATCHED_KEY, undefined);
    this.update();
  }

  /** Drops a process that has ended, whether it was watched or debugged. */
  forget(identity: ProcessIdentity): void {
    if (this.debuggee && sameProcess(this.debuggee.identity, identity)) {
      this.debuggee = undefined;
    }
    if (this.terminal && sameProcess(this.terminal.identity, identity)) {
      this.terminal = undefined;
    }
    if (this.watched && sameProcess(this.watched, identity)) {
      this.stopWatching();
    } else {
      this.update();
    }
  }

  /** Set by the debug feature when the active session's process is known (undefined: none). */
  setDebuggee(debuggee: { identity: ProcessIdentity; sessionName: string } | undefined): void {
    this.debuggee = debuggee;
    this.update();
  }

  /** Whether a debug session or a watched process comes before any terminal. */
  get outranksTerminal(): boolean {
    return this.debuggee !== undefined || this.watched !== undefined;
  }

  /** Set by the terminal follower: the process the active terminal runs (undefined: none). */
  setTerminal(
    terminal: { identity: ProcessIdentity; terminal: NonNullable<FocusTarget['terminal']> } | undefined,
  ): void {
    this.terminal = terminal;
    this.update();
  }

  /** The active terminal whose shell cannot be read, when nothing else is in focus. */
  get unreadableTerminal(): UnreadableTerminal | undefined {
    return this.last ? undefined : this.unreadable;
  }

  /** Set by the terminal follower: the active terminal's shell cannot be read, and why (undefined: it can, or no terminal). */
  setUnreadableTerminal(unreadable: UnreadableTerminal | undefined): void {
    this.unreadable = unreadable;
    this.update();
  }

  private update(): void {
    const next: FocusTarget | undefined = this.debuggee
      ? { identity: this.debuggee.identity, reason: 'debug', sessionName: this.debuggee.sessionName }
      : this.watched
        ? { identity: this.watched, reason: 'watch' }
        : this.terminal
          ? { identity: this.terminal.identity, reason: 'terminal', terminal: this.terminal.terminal }
          : undefined;
    void vscode.commands.executeCommand('setContext', ContextKeys.Watching, this.watched !== undefined);
    void vscode.commands.executeCommand('setContext', ContextKeys.HasFocus, next !== undefined);
    const same =
      next === this.last ||
      (next &&
        this.last &&
        sameProcess(next.identity, this.last.identity) &&
        next.reason === this.last.reason &&
        next.sessionName === this.last.sessionName &&
        next.terminal?.name === this.last.terminal?.name);
    const unreadableKey =
      !next && this.unreadable
        ? `${this.unreadable.name}\u0000${this.unreadable.why}\u0000${this.unreadable.ended ?? false}`
        : '';
    if (!same || unreadableKey !== this.lastUnreadableKey) {
      this.last = next;
      this.lastUnreadableKey = unreadableKey;
      this.changed.fire(next);
    }
  }
}
