import * as vscode from 'vscode';
import { readSamplerSettings } from './contributions';
import { DisposableStore } from './dispose';
import { Sampler } from './proc/sampler';
import { sampleProcess } from './proc/sampleProcess';
import { scanProcessTable } from './proc/processTable';

/** What the extension exports: used by its integration tests and open to other extensions. */
export interface ProcMemoryApi {
  sampleProcess: typeof sampleProcess;
  scanProcessTable: typeof scanProcessTable;
  sampler: Sampler;
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
  return { sampleProcess, scanProcessTable, sampler };
}

export function deactivate(): void {
  // Everything is released through context.subscriptions.
}
