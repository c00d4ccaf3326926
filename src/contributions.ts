// Typed ids of everything package.json contributes, in one place, so code and manifest cannot
// drift silently (a test checks package.json against these).
import * as vscode from 'vscode';
import { SamplerSettings } from './proc/sampler';

export const enum Commands {
  InspectProcess = 'procMemory.inspectProcess',
  WatchProcess = 'procMemory.watchProcess',
  StopWatching = 'procMemory.stopWatching',
  InspectFocused = 'procMemory.inspectFocused',
  PickDebuggee = 'procMemory.pickDebuggee',
  AddMarker = 'procMemory.addMarker',
  OpenRecording = 'procMemory.openRecording',
  OpenRecentRecording = 'procMemory.openRecentRecording',
  CompareRecordings = 'procMemory.compareRecordings',
  TrackAllocations = 'procMemory.trackAllocations',
  RunTaskWithMemoryLimit = 'procMemory.runTaskWithMemoryLimit',
}

export const enum Views {
  DebugView = 'procMemory.debugView',
}

export const INSPECT_PANEL_TYPE = 'procMemory.inspect';

export const enum ContextKeys {
  Watching = 'procMemory.watching',
  HasFocus = 'procMemory.hasFocus',
}

/** Settings under `procMemory.*`, with the defaults package.json declares. */
export interface Config {
  sampleIntervalMs: number;
  detailIntervalMs: number;
  historyMinutes: number;
  'statusBar.enabled': boolean;
  'statusBar.showWhenIdle': boolean;
  'statusBar.warnAboveMiB': number;
  'statusBar.warnAboveCgroupPercent': number;
  'inlineTips.enabled': boolean;
  'allocations.enabled': boolean;
  'runtimeAccount.enabled': boolean;
  'recordings.includeCommandLine': boolean;
  recordDebugSessions: boolean;
  'alerts.oomKill': boolean;
  'alerts.resAboveMiB': number;
  'alerts.workingSetAbovePercent': number;
  'alerts.sustainedGrowth': boolean;
  'alerts.pauseDebuggee': boolean;
  'tasks.record': boolean;
  'tasks.sampleIntervalMs': number;
  /** A number for every task, or an object by task label: read by taskBudgetBytes(), not readConfig. */
  'tasks.memoryBudgetMiB': number;
}

export const CONFIG_DEFAULTS: Config = {
  sampleIntervalMs: 1000,
  detailIntervalMs: 5000,
  historyMinutes: 60,
  'statusBar.enabled': true,
  'statusBar.showWhenIdle': false,
  'statusBar.warnAboveMiB': 0,
  'statusBar.warnAboveCgroupPercent': 90,
  'inlineTips.enabled': true,
  'allocations.enabled': false,
  'runtimeAccount.enabled': true,
  'recordings.includeCommandLine': true,
  recordDebugSessions: true,
  'alerts.oomKill': true,
  'alerts.resAboveMiB': 0,
  'alerts.workingSetAbovePercent': 0,
  'alerts.sustainedGrowth': false,
  'alerts.pauseDebuggee': false,
  'tasks.record': true,
  'tasks.sampleIntervalMs': 1000,
  'tasks.memoryBudgetMiB': 0,
};

const MINIMUMS: Partial<Record<keyof Config, number>> = {
  sampleIntervalMs: 250,
  detailIntervalMs: 1000,
  historyMinutes: 1,
  'tasks.sampleIntervalMs': 100,
};

/**
 * Values read since the last configuration change. getConfiguration builds a merged copy of the
 * settings on every call (about 0.1 ms in the bench's host), and the status bar and the debug view
 * read theirs every sample. Only while `cacheConfig()`'s listener is registered: activate() adds it
 * before any other configuration listener, so none of those can read a value from before a change.
 */
let configCache: Map<keyof Config, unknown> | undefined;

export function cacheConfig(): vscode.Disposable {
  configCache = new Map();
  const listener = vscode.workspace.onDidChangeConfiguration(() => configCache?.clear());
  return {
    dispose() {
      listener.dispose();
      configCache = undefined;
    },
  };
}

export function readConfig<K extends keyof Config>(key: K): Config[K] {
  if (configCache?.has(key)) {
    return configCache.get(key) as Config[K];
  }
  const value = readConfigNow(key);
  configCache?.set(key, value);
  return value;
}

function readConfigNow<K extends keyof Config>(key: K): Config[K] {
  const value = vscode.workspace.getConfiguration('procMemory').get<Config[K]>(key, CONFIG_DEFAULTS[key]);
  if (typeof CONFIG_DEFAULTS[key] === 'number') {
    // settings.json is not validated by VS Code: clamp so a typo cannot make us poll every 1 ms.
    const number = Number(value);
    const fallback = CONFIG_DEFAULTS[key] as number;
    return Math.max(MINIMUMS[key] ?? 0, Number.isFinite(number) ? number : fallback) as Config[K];
  }
  return typeof value === typeof CONFIG_DEFAULTS[key] ? value : CONFIG_DEFAULTS[key];
}

export function readSamplerSettings(): SamplerSettings {
  return {
    intervalMs: readConfig('sampleIntervalMs'),
    detailIntervalMs: readConfig('detailIntervalMs'),
    historyMinutes: readConfig('historyMinutes'),
  };
}

export function registerCommand(command: Commands, handler: (...args: unknown[]) => unknown): vscode.Disposable {
  return vscode.commands.registerCommand(command, handler);
}
