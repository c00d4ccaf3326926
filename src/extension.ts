import * as vscode from 'vscode';
import { Commands, readSamplerSettings, registerCommand } from './contributions';
import { DebugSessions } from './debug/debugSessions';
import { DebugView } from './debug/debugView';
import { DisposableStore } from './dispose';
import { FocusTracker } from './focusTracker';
import { InspectPanel } from './inspectPanel';
import { InspectPanels } from './inspectPanels';
import { Sampler } from './proc/sampler';
import { sampleProcess } from './proc/sampleProcess';
import { scanProcessTable } from './proc/processTable';
import { pickProcess } from './processPicker';
import { StatusBar } from './statusBar';

/** What the extension exports: used by its integration tests and open to other extensions. */
export interface ProcMemoryApi {
  sampleProcess: typeof sampleProcess;
  scanProcessTable: typeof scanProcessTable;
  sampler: Sampler;
  focus: FocusTracker;
  statusBar: StatusBar;
  panels: InspectPanels;
  debugSessions: DebugSessions;
  debugView: DebugView;
}

export function activate(context: vscode.ExtensionContext): ProcMemoryApi {
  const store = new DisposableStore();
  context.subscriptions.push(store);
  const sampler = new Sampler(readSamplerSettings());
  store.add({ dispose: () => sampler.dispose() });
  store.add(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('procMemory')) {
        sampler.updateSettings(readSamplerSettings());
      }
    }),
  );
  const focus = store.add(new FocusTracker(context.workspaceState));
  const statusBar = store.add(new StatusBar(sampler, focus));
  const panels = store.add(new InspectPanels(sampler, context.extensionUri));

  store.add(
    registerCommand(Commands.InspectProcess, async (pid?: unknown): Promise<InspectPanel | undefined> => {
      // A PID argument (keybindings, other extensions) skips the picker.
      if (pid !== undefined) {
        const number = typeof pid === 'string' ? Number(pid) : pid;
        if (typeof number !== 'number' || !Number.isSafeInteger(number) || number <= 0) {
          void vscode.window.showErrorMessage(`Memory: Inspect Process expects a PID, got ${JSON.stringify(pid)?.slice(0, 40)}.`);
          return undefined;
        }
        return watchAndShow(panels.showPid(number));
      }
      const identity = await pickProcess('Memory: Inspect Process');
      return identity ? watchAndShow(panels.show(identity)) : undefined;
    }),
  );
  // The process a user inspects is the one they care about: the status bar follows it too.
  const watchAndShow = (panel: InspectPanel | undefined) => {
    if (panel) {
      focus.watch(panel.identity);
    }
    return panel;
  };
  store.add(
    registerCommand(Commands.WatchProcess, async () => {
      const identity = await pickProcess('Memory: Watch Process in Status Bar');
      if (identity) {
        focus.watch(identity);
      }
      return identity;
    }),
  );
  store.add(registerCommand(Commands.StopWatching, () => focus.stopWatching()));
  store.add(
    registerCommand(Commands.InspectFocused, () => {
      const target = focus.current;
      return target ? panels.show(target.identity) : vscode.commands.executeCommand(Commands.InspectProcess);
    }),
  );
  const debugSessions = store.add(new DebugSessions(focus));
  const pickDebuggee = async (sessionId?: unknown) => {
    const id = typeof sessionId === 'string' ? sessionId : vscode.debug.activeDebugSession?.id;
    const identity = id ? await pickProcess('Memory: Pick the Debugged Process') : undefined;
    if (id && identity) {
      debugSessions.assign(id, identity);
    }
  };
  store.add(registerCommand(Commands.PickDebuggee, pickDebuggee));
  const debugView = store.add(
    new DebugView(
      debugSessions,
      sampler,
      context.extensionUri,
      readSamplerSettings,
      (pid, startTicks) => panels.show({ pid, startTicks }),
      (sessionId) => void pickDebuggee(sessionId),
    ),
  );
  return { sampleProcess, scanProcessTable, sampler, focus, statusBar, panels, debugSessions, debugView };
}

export function deactivate(): void {
  // Everything is released through context.subscriptions.
}
