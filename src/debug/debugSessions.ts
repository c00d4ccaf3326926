import * as vscode from 'vscode';
import type { SessionStatus } from '../../shared/protocol/debugView';
import { Disposable } from '../dispose';
import { FocusTracker } from '../focusTracker';
import { AdapterMessages } from './adapterMessages';
import { ProcessIdentity, readIdentity, sameProcess, startTimeMs } from '../proc/processIdentity';
import { scanProcessTable } from '../proc/processTable';
import { systemInfo } from '../proc/systemInfo';
import {
  FoundPid,
  isDebuggerCommand,
  runsUnderDebugger,
  pidFromAdapterMessage,
  pidFromConfiguration,
  pidFromSessionName,
  remoteHost,
} from './core/debuggeePid';
import { descendants } from '../proc/processTree';

/** What we know about one debug session and the process behind it. */
export interface DebuggedSession {
  session: vscode.DebugSession;
  startedAtMs: number;
  status: SessionStatus;
  message: string;
  identity?: ProcessIdentity;
  /** True when the identity is only a guess from the process tree. */
  guessed?: boolean;
}

/** How long to wait for a debugger to name its process before searching the process tree. */
const TREE_SEARCH_DELAY_MS = 3000;
/** After that, how long to keep searching before saying it could not be found. */
const TREE_SEARCH_ATTEMPTS = 5;

/**
 * Follows every debug session, whatever the debugger, and finds the operating-system PID of the
 * program each one debugs (see debuggeePid.ts for the sources, in order of trust).
 */
export class DebugSessions extends Disposable {
  private readonly sessions = new Map<string, DebuggedSession>();
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  /** Fires when a session starts, ends, finds its process or stops. */
  readonly onDidChange = this.changed.event;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    adapterMessages: AdapterMessages,
    private readonly focus: FocusTracker,
  ) {
    super();
    this.register(
      adapterMessages.onDidReceiveFromAdapter(({ session, message }) => this.onAdapterMessage(session, message)),
    );
    this.register(vscode.debug.onDidStartDebugSession((session) => this.onStart(session)));
    this.register(vscode.debug.onDidTerminateDebugSession((session) => this.onTerminate(session)));
    this.register(vscode.debug.onDidChangeActiveDebugSession(() => this.updateFocus()));
    this.register(vscode.debug.onDidTerminateDebugSession(() => this.updateFocus()));
    this.register({ dispose: () => this.timers.forEach((timer) => clearTimeout(timer)) });
    // Sessions that started before we activated (activation is onDebug, so normally none).
    if (vscode.debug.activeDebugSession) {
      this.onStart(vscode.debug.activeDebugSession);
    }
  }

  get all(): DebuggedSession[] {
    return [...this.sessions.values()];
  }

  get isDebugging(): boolean {
    return [...this.sessions.values()].some((entry) => entry.status !== 'ended');
  }

  /** The process of a session, once found. */
  identityOf(sessionId: string): ProcessIdentity | undefined {
    const entry = this.sessions.get(sessionId);
    return entry?.status === 'found' ? entry.identity : undefined;
  }

  /** The session that debugs this process, once its process is found. */
  sessionOf(identity: ProcessIdentity): vscode.DebugSession | undefined {
    return [...this.sessions.values()].find(
      (entry) => entry.status === 'found' && entry.identity && sameProcess(entry.identity, identity),
    )?.session;
  }

  /** Sets the process of a session by hand (the "pick process" action). */
  assign(sessionId: string, identity: ProcessIdentity, how = 'chosen by you'): void {
    const entry = this.sessions.get(sessionId);
    if (entry) {
      this.found(entry, identity, how);
    }
  }

  /**
   * The entry of a session, created on its first sign of life: an adapter message can come before
   * onDidStartDebugSession (a Node program may stop at `debugger;` at once), so what the name and
   * configuration say is resolved here.
   */
  private entryFor(session: vscode.DebugSession): DebuggedSession {
    let entry = this.sessions.get(session.id);
    if (!entry) {
      entry = { session, startedAtMs: Date.now(), status: 'waiting', message: 'Waiting for the process…' };
      this.sessions.set(session.id, entry);
      const configuration = session.configuration as Record<string, unknown>;
      const host = remoteHost(configuration);
      const known = pidFromSessionName(session.name) ?? pidFromConfiguration(configuration);
      if (known) {
        this.tryPid(entry, known);
      } else if (host) {
        entry.status = 'remote';
        entry.message = `The program runs on ${host}, not on this machine: its memory cannot be read here.`;
      }
    }
    return entry;
  }

  private onStart(session: vscode.DebugSession): void {
    const entry = this.entryFor(session);
    const parent = session.parentSession && this.sessions.get(session.parentSession.id);
    if (parent && (!parent.identity || parent.guessed)) {
      // A launcher (js-debug, compound configurations): its processes have sessions of their own.
      parent.status = 'parent';
      parent.identity = undefined;
      parent.message = 'Its processes are listed below.';
    }
    if (entry.status === 'waiting') {
      this.searchTreeLater(entry, 1);
    }
    this.fire();
  }

  private onTerminate(session: vscode.DebugSession): void {
    const entry = this.sessions.get(session.id);
    if (entry) {
      entry.status = 'ended';
      entry.message = 'The debug session has ended.';
      // Sessions end in bulk; drop them a little later so the view does not flicker.
      this.later(() => {
        this.sessions.delete(session.id);
        this.fire();
      }, 10000);
    }
    this.fire();
  }

  private onAdapterMessage(session: vscode.DebugSession, message: unknown): void {
    const entry = this.entryFor(session);
    const found = entry.status === 'found' ? undefined : pidFromAdapterMessage(message);
    if (found) {
      this.tryPid(entry, found);
    }
  }

  private tryPid(entry: DebuggedSession, found: FoundPid): void {
    const identity = readIdentity(found.pid);
    if (identity.ok) {
      this.found(entry, identity.value, found.how);
    } else {
      entry.status = remoteHost(entry.session.configuration as Record<string, unknown>) ? 'remote' : 'not-found';
      entry.message = `The debugger reported PID ${found.pid} (${found.how}), but no such process runs on this machine.`;
      this.fire();
    }
  }

  private found(entry: DebuggedSession, identity: ProcessIdentity, how: string, guessed = false): void {
    entry.identity = identity;
    entry.guessed = guessed;
    entry.status = 'found';
    entry.message = `PID from ${how}`;
    this.updateFocus();
    this.fire();
  }

  /** Last resort: new processes below the extension host that are not debuggers. */
  private searchTreeLater(entry: DebuggedSession, attempt: number): void {
    this.later(() => {
      if (entry.status !== 'waiting') {
        return;
      }
      // A process under a debugger first; any new process of VS Code's only at the last attempt,
      // since VS Code starts others (git, rg) while the debugger is still launching the program.
      const candidate = this.newestNewDescendant(entry.startedAtMs, attempt < TREE_SEARCH_ATTEMPTS);
      if (candidate) {
        this.found(
          entry,
          candidate,
          'the process tree (the newest process started by VS Code since the session began)',
          true,
        );
      } else if (attempt >= TREE_SEARCH_ATTEMPTS) {
        entry.status = 'not-found';
        entry.message = 'The debugger did not say which process it debugs. Pick it by hand.';
        this.fire();
      } else {
        this.searchTreeLater(entry, attempt + 1);
      }
    }, TREE_SEARCH_DELAY_MS);
  }

  private newestNewDescendant(sinceMs: number, underDebuggerOnly: boolean): ProcessIdentity | undefined {
    const table = scanProcessTable();
    if (!table.ok) {
      return undefined;
    }
    const { bootTimeMs, clockTicks } = systemInfo();
    const taken = new Set([...this.sessions.values()].map((entry) => entry.identity?.pid));
    const byPid = new Map(table.value.map((row) => [row.identity.pid, row]));
    const candidates = descendants(table.value, process.pid)
      .filter((row) => startTimeMs(row.identity, bootTimeMs, clockTicks) >= sinceMs - 1000)
      .filter((row) => !row.kernelThread && row.state !== 'Z' && !taken.has(row.identity.pid))
      .filter((row) => !isDebuggerCommand(row.name, row.commandLine))
      .filter((row) => !underDebuggerOnly || runsUnderDebugger(row, byPid))
      .sort((a, b) => b.identity.startTicks - a.identity.startTicks);
    return candidates[0]?.identity;
  }

  /** The status bar follows the active session: its process, or its first child's. */
  private updateFocus(): void {
    const active = vscode.debug.activeDebugSession;
    const entry = active && this.sessions.get(active.id);
    const withProcess =
      entry?.identity && entry.status === 'found'
        ? entry
        : [...this.sessions.values()].find(
            (other) => other.session.parentSession?.id === active?.id && other.identity && other.status === 'found',
          );
    this.focus.setDebuggee(
      withProcess?.identity ? { identity: withProcess.identity, sessionName: withProcess.session.name } : undefined,
    );
  }

  private later(callback: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      callback();
    }, ms);
    this.timers.add(timer);
  }

  private fire(): void {
    this.changed.fire();
  }
}
