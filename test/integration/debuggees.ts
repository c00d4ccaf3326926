// Shared by the integration tests that debug real programs: starting one, finding the session the
// extension made of it, and ending every session a test left running.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ProcMemoryApi } from '../../src/extension';
import { closeAllEditors, readPid, waitFor } from './helpers';

/** The debug sessions started while a suite runs, so that each test can end what it left running. */
export class DebugSessionsStarted implements vscode.Disposable {
  readonly running = new Set<vscode.DebugSession>();
  private readonly listeners = [
    vscode.debug.onDidStartDebugSession((session) => this.running.add(session)),
    vscode.debug.onDidTerminateDebugSession((session) => this.running.delete(session)),
  ];

  /** Stops every session still running and waits until they have ended; then no breakpoint and no editor is left. */
  async endAll(): Promise<void> {
    for (const session of this.running) {
      await vscode.debug.stopDebugging(session);
    }
    const names = [...this.running].map((session) => session.name).join(', ');
    await waitFor(`sessions to end (${names})`, () => this.running.size === 0, 20000);
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    await closeAllEditors();
  }

  dispose(): void {
    this.listeners.forEach((listener) => listener.dispose());
  }
}

/** The extension's session of the debuggee with this PID, once it has found the process. */
export function foundSession(api: ProcMemoryApi, pid: number): vscode.DebugSession | undefined {
  return api.debugSessions.all.find((entry) => entry.identity?.pid === pid && entry.status === 'found')?.session;
}

/**
 * Starts a configuration whose program writes its PID to `pidFile` first thing; returns that PID
 * and the session once the extension has found the process behind it.
 */
export async function startDebuggee(
  api: ProcMemoryApi,
  configuration: vscode.DebugConfiguration,
  pidFile: string,
): Promise<{ pid: number; session: vscode.DebugSession }> {
  assert.ok(await vscode.debug.startDebugging(undefined, configuration), `${configuration.name} did not start`);
  const pid = await waitFor(`${configuration.name} to write its PID`, () => readPid(pidFile), 60000);
  const session = await waitFor(`the session of ${configuration.name}`, () => foundSession(api, pid), 30000);
  return { pid, session };
}
