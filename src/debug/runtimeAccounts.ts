import * as vscode from 'vscode';
import { readConfig } from '../contributions';
import { Disposable } from '../dispose';
import { DebugStops, Stop, StopEvent } from './debugStops';
import { askNative } from './runtime/nativeAccount';
import { askNode } from './runtime/nodeAccount';
import { askPython } from './runtime/pythonAccount';
import type { RuntimeAnswer } from './core/runtimeAnswer';

/** How long to wait for the stop's place (DebugStops asks the adapter itself after 1.5 s). */
const PLACE_WAIT_MS = 2000;

/** Which runtime a debug type's programs run on; undefined for debuggers we cannot ask. */
export function runtimeOfDebugType(type: string): 'node' | 'python' | 'native' | undefined {
  if (/^(pwa-)?node$|^node-terminal$/i.test(type)) {
    return 'node';
  }
  if (/python|debugpy/i.test(type)) {
    return 'python';
  }
  if (/lldb/i.test(type)) {
    return 'native';
  }
  return undefined;
}

/**
 * At every stop, asks the program's runtime for its own account of its memory (off the adapter's
 * path: the tip's RES shows first, the account fills in) and keeps the answer on the stop. An
 * answer that comes after the program ran on is dropped.
 */
export class RuntimeAccounts extends Disposable {
  constructor(private readonly stops: DebugStops) {
    super();
    this.register(stops.onDidStop((event) => void this.ask(event)));
  }

  private async ask({ stop, session }: StopEvent): Promise<void> {
    if (!readConfig('runtimeAccount.enabled') || !stop.reading) {
      return;
    }
    const runtime = runtimeOfDebugType(session.type);
    if (!runtime) {
      this.answered(stop, {
        status: 'unavailable',
        reason: `Proc Memory cannot ask a ${session.type} debugger (it asks js-debug, debugpy and lldb)`,
      });
      return;
    }
    this.answered(stop, { status: 'pending' });
    // Our own stackTrace requests must not decide which thread and frame the stop is at
    // (DebugStops learns that from the responses it sees): ask once VS Code's have placed it.
    await this.placed(stop);
    if (this.stops.currentStop(session.id) !== stop) {
      this.answered(stop, { status: 'unavailable', reason: 'the program ran on before its runtime was asked' });
      return;
    }
    let answer: RuntimeAnswer;
    try {
      answer =
        runtime === 'node'
          ? await askNode(session, stop.threadId)
          : runtime === 'python'
            ? await askPython(session, stop.threadId)
            : await askNative(session, stop.threadId);
    } catch (error) {
      answer = { status: 'unavailable', reason: String(error) };
    }
    if (this.stops.currentStop(session.id) !== stop) {
      answer = { status: 'unavailable', reason: 'the program ran on before its runtime answered' };
    }
    this.answered(stop, answer);
  }

  /** Resolves once the stop has its place, or it ended, or PLACE_WAIT_MS passed. */
  private placed(stop: Stop): Promise<void> {
    if (stop.place) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        subscription.dispose();
        resolve();
      };
      const timer = setTimeout(done, PLACE_WAIT_MS);
      const subscription = this.stops.onDidChange(() => {
        if (stop.place || this.stops.currentStop(stop.sessionId) !== stop) {
          done();
        }
      });
    });
  }

  private answered(stop: Stop, answer: RuntimeAnswer): void {
    stop.runtime = answer;
    this.stops.stopChanged(stop);
  }
}

/** Whether the setting changed, for features that show accounts. */
export function affectsRuntimeAccount(event: vscode.ConfigurationChangeEvent): boolean {
  return event.affectsConfiguration('procMemory.runtimeAccount.enabled');
}
