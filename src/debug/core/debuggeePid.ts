// How each debugger tells us its program's PID. Pure functions over Debug Adapter Protocol
// messages and launch configurations: no `vscode`, unit-tested with real adapters' messages.
import { parsePid } from '../../../shared/pid';
import type { ProcessRow } from '../../proc/processTable';

/** A PID and how we learned it, shown in the view so users can judge it. */
export interface FoundPid {
  pid: number;
  how: string;
}

/**
 * Reads a PID from one message an adapter sent:
 * - the DAP `process` event's `systemProcessId` (debugpy, cppdbg, Delve, netcoredbg, lldb-vscode);
 * - Java's `processid` event;
 * - CodeLLDB's "Launched process N" / "Attached to process N" output.
 */
export function pidFromAdapterMessage(message: unknown): FoundPid | undefined {
  const m = message as { type?: unknown; event?: unknown; body?: Record<string, unknown> } | undefined;
  if (m?.type !== 'event' || typeof m.body !== 'object' || m.body === null) {
    return undefined;
  }
  if (m.event === 'process') {
    const pid = parsePid(m.body.systemProcessId);
    return pid ? { pid, how: 'the debugger’s process event' } : undefined;
  }
  if (m.event === 'processid') {
    const pid = parsePid(m.body.processId);
    return pid ? { pid, how: 'the debugger’s processid event' } : undefined;
  }
  if (m.event === 'output' && typeof m.body.output === 'string') {
    const match = /\b(?:Launched|Attached to) process (\d+)\b/.exec(m.body.output);
    const pid = parsePid(match?.[1]);
    return pid ? { pid, how: 'the debugger’s output' } : undefined;
  }
  return undefined;
}

/**
 * js-debug names each process's session after it, e.g. `grow.js [18971]`, and appends its
 * parent's name to child sessions: `grow.js [18971] « grow`.
 */
export function pidFromSessionName(name: string): FoundPid | undefined {
  const pid = parsePid(/\[(\d+)\]\s*(?:«.*)?$/.exec(name)?.[1]);
  return pid ? { pid, how: 'the session name' } : undefined;
}

/** An attach request names the process itself (`processId`, `pid`). */
export function pidFromConfiguration(configuration: Record<string, unknown>): FoundPid | undefined {
  if (configuration.request !== 'attach') {
    return undefined;
  }
  const pid = parsePid(configuration.processId) ?? parsePid(configuration.pid);
  return pid ? { pid, how: 'the attach configuration' } : undefined;
}

const LOCAL_HOSTS = new Set(['', 'localhost', '127.0.0.1', '::1', '0.0.0.0']);

/** An attach to another host debugs a process whose memory this machine cannot see. */
export function remoteHost(configuration: Record<string, unknown>): string | undefined {
  const connect = configuration.connect as { host?: unknown } | undefined;
  for (const value of [configuration.host, configuration.address, connect?.host]) {
    if (typeof value === 'string' && !LOCAL_HOSTS.has(value.trim().toLowerCase())) {
      return value;
    }
  }
  return undefined;
}

/** Command names of debuggers and adapters: never the program being debugged. */
export const DEBUGGER_PROCESS_NAMES: ReadonlySet<string> = new Set([
  'gdb',
  'lldb',
  'lldb-vscode',
  'lldb-vscode-15',
  'lldb-dap',
  'lldb-server',
  'lldb-argdumper',
  'codelldb',
  'dlv',
  'netcoredbg',
  'vsdbg',
  'OpenDebugAD7',
  'debugpy',
  'gdbserver',
]);

/** True for a command line that runs a debug adapter rather than the user's program. */
export function isDebuggerCommand(name: string, commandLine: string): boolean {
  return (
    DEBUGGER_PROCESS_NAMES.has(name) ||
    /debugpy[/.]adapter|debugpy\/launcher|js-debug|vsDebugServer|ms-vscode\.js-debug|lldb-(?:vscode|server|dap|argdumper)|debugAdapter/i.test(
      commandLine,
    )
  );
}

/**
 * Whether `row` runs under a debug adapter (lldb-server, debugpy's launcher…): its parents up the
 * table (`byPid`, built once by the caller for all its candidates) reach a debugger process. A
 * program a debugger launched is; a `git` or `rg` that VS Code started beside it is not.
 */
export function runsUnderDebugger(row: ProcessRow, byPid: ReadonlyMap<number, ProcessRow>): boolean {
  const seen = new Set<number>();
  for (let parent = byPid.get(row.ppid); parent && !seen.has(parent.identity.pid); parent = byPid.get(parent.ppid)) {
    seen.add(parent.identity.pid);
    if (isDebuggerCommand(parent.name, parent.commandLine)) {
      return true;
    }
  }
  return false;
}
