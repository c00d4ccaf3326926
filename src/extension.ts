import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { cacheConfig, Commands, readSamplerSettings, registerCommand } from './contributions';
import { allocationLineTips } from './debug/allocationTips';
import { AllocationTracking } from './debug/allocationTracking';
import { AdapterMessages } from './debug/adapterMessages';
import { DebugSessions } from './debug/debugSessions';
import { DebugStops } from './debug/debugStops';
import { DebugViewProvider } from './debug/debugViewProvider';
import { LineTips } from './debug/lineTips';
import { SessionRecorder } from './debug/sessionRecorder';
import { stopLineTips } from './debug/stopTips';
import { StopTipAccess } from './debug/stopTipAccess';
import { RuntimeAccounts } from './debug/runtimeAccounts';
import { RecordingEditor } from './recordings/recordingEditor';
import { DisposableStore } from './dispose';
import { FocusTracker } from './focusTracker';
import { InspectPanelRegistry } from './inspectPanelRegistry';
import { MemoryAlerts } from './memoryAlerts';
import { OomAlerts } from './oomAlerts';
import { Sampler } from './proc/sampler';
import { sampleProcess } from './proc/sampleProcess';
import { scanProcessTable } from './proc/processTable';
import { lastPickerTimings } from './processPicker';
import { StatusBar } from './statusBar';
import { runTaskWithMemoryLimit } from './tasks/limitedTaskRun';
import { TaskRecorder } from './tasks/taskRecorder';
import { TerminalFollower } from './terminals/terminalFollower';
import { ShellCommandLines } from './terminals/shellCommandLines';
import { TaskRunStatus } from './tasks/taskRunStatus';
import { TimelineMarkers } from './timelineMarkers';

/** What the extension exports: used by its integration tests and open to other extensions. */
export interface ProcMemoryApi {
  sampleProcess: typeof sampleProcess;
  scanProcessTable: typeof scanProcessTable;
  sampler: Sampler;
  focus: FocusTracker;
  statusBar: StatusBar;
  panels: InspectPanelRegistry;
  /** The OOM-kill notifications shown. */
  oomAlerts: OomAlerts;
  /** The threshold notifications shown (RES, working set share). */
  memoryAlerts: MemoryAlerts;
  debugSessions: DebugSessions;
  debugStops: DebugStops;
  stopTips: LineTips;
  /** The lines that allocated memory between two stops, and their tips. */
  allocations: AllocationTracking;
  allocationTips: LineTips;
  runtimeAccounts: RuntimeAccounts;
  stopTipAccess: StopTipAccess;
  markers: TimelineMarkers;
  recorder: SessionRecorder;
  recordings: RecordingEditor;
  debugView: DebugViewProvider;
  /** Task runs being recorded and those finished. */
  tasks: TaskRecorder;
  /** The end-of-run line in the status bar. */
  taskRunStatus: TaskRunStatus;
  /** What the active terminal runs, put in focus for the status bar. */
  terminals: TerminalFollower;
  /** Host time from opening the last process picker to its first rows and to all of them. */
  pickerTimings(): typeof lastPickerTimings;
}

export function activate(context: vscode.ExtensionContext): ProcMemoryApi {
  const store = new DisposableStore();
  context.subscriptions.push(store);
  // What could not be done, and why (a task run not recorded), for the Output view.
  const log = store.add(vscode.window.createOutputChannel('Proc Memory', { log: true }));
  // First, so its listener runs before every other configuration listener (see cacheConfig).
  store.add(cacheConfig());
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
  const oomAlerts = new OomAlerts();
  const statusBar = store.add(new StatusBar(sampler, focus, oomAlerts));
  const commandLines = store.add(new ShellCommandLines());
  const terminals = store.add(new TerminalFollower(focus, commandLines));
  const markers = store.add(new TimelineMarkers());
  const panels = store.add(new InspectPanelRegistry(sampler, markers, context.extensionUri, oomAlerts));

  const adapterMessages = store.add(new AdapterMessages());
  const debugSessions = store.add(new DebugSessions(adapterMessages, focus));
  const debugStops = store.add(new DebugStops(adapterMessages, debugSessions, markers));
  const stopTips = store.add(new LineTips(() => stopLineTips(debugStops), debugStops.onDidChange));
  const allocations = store.add(new AllocationTracking(debugStops));
  const allocationTips = store.add(new LineTips(() => allocationLineTips(debugStops), debugStops.onDidChange));
  const runtimeAccounts = store.add(new RuntimeAccounts(debugStops));
  const stopTipAccess = store.add(new StopTipAccess(debugStops, focus, statusBar));
  const memoryAlerts = store.add(new MemoryAlerts(sampler, debugSessions, debugStops));
  const recorder = store.add(
    new SessionRecorder(
      debugSessions,
      sampler,
      markers,
      vscode.Uri.joinPath(context.storageUri ?? context.globalStorageUri, 'recordings'),
    ),
  );
  const taskRunStatus = store.add(new TaskRunStatus());
  const tasks = store.add(new TaskRecorder(recorder, taskRunStatus, oomAlerts, log));
  store.add(
    registerCommand(Commands.RunTaskWithMemoryLimit, (task, limitMiB) =>
      runTaskWithMemoryLimit(
        tasks,
        task instanceof vscode.Task || typeof task === 'string' ? task : undefined,
        typeof limitMiB === 'number' && limitMiB > 0 ? limitMiB : undefined,
      ),
    ),
  );
  const recordings = store.add(new RecordingEditor(context.extensionUri));
  store.add(registerCommands(focus, panels, debugSessions, markers, recorder, recordings));
  const debugView = store.add(
    new DebugViewProvider(
      debugSessions,
      debugStops,
      markers,
      sampler,
      allocations,
      context.extensionUri,
      readSamplerSettings,
      (pid, startTicks) => panels.show({ pid, startTicks }),
      (sessionId) => void vscode.commands.executeCommand(Commands.PickDebuggee, sessionId),
      commandLines,
    ),
  );
  return {
    sampleProcess,
    scanProcessTable,
    sampler,
    focus,
    statusBar,
    panels,
    oomAlerts,
    memoryAlerts,
    debugSessions,
    debugStops,
    stopTips,
    allocations,
    allocationTips,
    runtimeAccounts,
    stopTipAccess,
    markers,
    recorder,
    recordings,
    debugView,
    tasks,
    taskRunStatus,
    terminals,
    pickerTimings: () => lastPickerTimings,
  };
}

export function deactivate(): void {
  // Everything is released through context.subscriptions.
}
