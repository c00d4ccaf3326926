import * as vscode from 'vscode';
import { Commands, readSamplerSettings, registerCommand } from './contributions';
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
        return panels.showPid(number);
      }
      const identity = await pickProcess('Memory: Inspect Process');
      return identity ? panels.show(identity) : undefined;
    }),
  );
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
  return { sampleProcess, scanProcessTable, sampler, focus, statusBar, panels };
}

export function deactivate(): void {
  // Everything is released through context.subscriptions.
}
