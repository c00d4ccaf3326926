import * as vscode from 'vscode';
import { Disposable } from '../dispose';

/** One DAP message between VS Code and the adapter of a session. */
export interface AdapterMessage {
  session: vscode.DebugSession;
  /** As the adapter or VS Code sent it: unchecked (see src/debug/core for the parsers). */
  message: unknown;
}

/**
 * The extension's one debug adapter tracker, for every debugger: the requests VS Code sends to
 * each adapter and every message an adapter sends back. It feeds the sessions (the PID a debugger
 * names) and the stops (stops, resumes and frames). Listeners run before VS Code handles the
 * message, so they only note what happened: stepping never waits on us.
 */
export class AdapterMessages extends Disposable {
  private readonly requests = this.register(new vscode.EventEmitter<AdapterMessage>());
  /** VS Code is sending this to the adapter (a request). */
  readonly onWillSendToAdapter = this.requests.event;
  private readonly fromAdapter = this.register(new vscode.EventEmitter<AdapterMessage>());
  /** The adapter sent this to VS Code (an event or a response). */
  readonly onDidReceiveFromAdapter = this.fromAdapter.event;

  constructor() {
    super();
    this.register(
      vscode.debug.registerDebugAdapterTrackerFactory('*', {
        createDebugAdapterTracker: (session) => ({
          onWillReceiveMessage: (message: unknown) => this.requests.fire({ session, message }),
          onDidSendMessage: (message: unknown) => this.fromAdapter.fire({ session, message }),
        }),
      }),
    );
  }
}
