import * as vscode from 'vscode';
import { readConfig } from '../../contributions';
import { Disposable } from '../../dispose';
import { DebugStops, StopEvent } from '../debugStops';
import { askNative } from './nativeAccount';
import { askNode } from './nodeAccount';
import { askPython } from './pythonAccount';
import type { RuntimeAnswer } from './runtimeAnswer';

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

  private answered(stop: StopEvent['stop'], answer: RuntimeAnswer): void {
    stop.runtime = answer;
    this.stops.stopChanged(stop);
  }
}

/** Whether the setting changed, for features that show accounts. */
export function affectsRuntimeAccount(event: vscode.ConfigurationChangeEvent): boolean {
  return event.affectsConfiguration('procMemory.runtimeAccount.enabled');
}
