import * as path from 'path';
import * as vscode from 'vscode';
import { formatBytes } from '../shared/format';
import { ProcessIdentity } from './proc/processIdentity';
import { ProcessRow, scanProcessTableInChunks } from './proc/processTable';
import { descendants } from './proc/processTree';
import { userName } from './proc/users';
import { escapeIcons } from './core/textEscapes';

export interface ProcessItem extends vscode.QuickPickItem {
  identity: ProcessIdentity;
}

/**
 * A searchable list of every process, largest RES first. On Linux it comes from our own /proc
 * scan, measured by `npm run bench` on 75-90 processes: 2.1-6.9 ms, against 10.7-60 ms for
 * ps-list (which spawns `ps`: 5-9x slower) and 7-15 ms for `ps -eo` itself. ps-list is only the
 * fallback where there is no /proc. `first` (the commands running in terminals) leads the list.
 */
export async function pickProcess(title: string, first: ProcessItem[] = []): Promise<ProcessIdentity | undefined> {
  const quickPick = vscode.window.createQuickPick<ProcessItem>();
  quickPick.title = title;
  quickPick.placeholder = 'Filter by name, PID or command line';
  quickPick.matchOnDescription = true;
  quickPick.matchOnDetail = true;
  quickPick.busy = true;
  const refresh: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('refresh'), tooltip: 'Refresh' };
  quickPick.buttons = [refresh];
  let closed = false;
  let loads = 0;
  const load = async () => {
    const load = ++loads;
    const stale = () => closed || load !== loads;
    quickPick.busy = true;
    const startedMs = performance.now();
    // Rows as they come: with thousands of processes the first ones show at once, the rest follow.
    const scan = await scanProcessTableInChunks((rows, done) => {
      if (stale()) {
        return;
      }
      quickPick.items = [...first, ...toItems([...rows])];
      lastPickerTimings.firstRowsMs ??= performance.now() - startedMs;
      if (done) {
        lastPickerTimings.allRowsMs = performance.now() - startedMs;
      }
    }, stale);
    if (stale()) {
      return;
    }
    if (!scan.ok) {
      quickPick.items = [...first, ...(await listWithPsList())];
    }
    quickPick.busy = false;
  };
  lastPickerTimings = { firstRowsMs: undefined, allRowsMs: undefined };
  quickPick.show();
  void load();
  return new Promise((resolve) => {
    quickPick.onDidTriggerButton(() => void load());
    quickPick.onDidAccept(() => {
      resolve(quickPick.selectedItems[0]?.identity);
      quickPick.hide();
    });
    quickPick.onDidHide(() => {
      // Stops a scan still under way and lets go of its rows: nothing of the picker outlives it.
      closed = true;
      resolve(undefined);
      quickPick.items = [];
      quickPick.dispose();
    });
  });
}

/** Host time from opening the last picker to its first rows and to all of them: for tests. */
export let lastPickerTimings: { firstRowsMs: number | undefined; allRowsMs: number | undefined } = {
  firstRowsMs: undefined,
  allRowsMs: undefined,
};

/** The picker's rows for a process table: kernel threads left out, largest RES first. */
export function toItems(rows: ProcessRow[]): ProcessItem[] {
  const vscodePids = vscodeProcesses(rows);
  return rows
    .filter((row) => !row.kernelThread)
    .sort((a, b) => b.resBytes - a.resBytes)
    .map((row) => toItem(row, vscodePids.get(row.identity.pid)));
}

function toItem(row: ProcessRow, vscodeRole: string | undefined): ProcessItem {
  const state = row.state === 'Z' ? ' · zombie' : '';
  return {
    identity: row.identity,
    label: `${vscodeRole ? '$(vscode) ' : ''}${escapeIcons(row.name)}`,
    description: `${row.identity.pid} · ${formatBytes(row.resBytes)} · ${escapeIcons(userName(row.uid))}${state}${vscodeRole ? ` · ${vscodeRole}` : ''}`,
    detail: escapeIcons(row.commandLine || `[${row.name}]`),
  };
}

/**
 * Marks VS Code's own processes so users can tell them from theirs: this extension host, the
 * processes above it that run from VS Code's installation (the desktop app or the server; not the
 * shell or session manager that started it), and everything those started.
 */
function vscodeProcesses(rows: ProcessRow[]): Map<number, string> {
  const byPid = new Map(rows.map((row) => [row.identity.pid, row]));
  // appRoot is <install>/resources/app (desktop) or <code-server>/lib/vscode (server).
  const installRoot = path.dirname(path.dirname(vscode.env.appRoot));
  const roles = new Map<number, string>([[process.pid, 'VS Code extension host']]);
  let root = process.pid;
  for (
    let parent = byPid.get(process.pid)?.ppid;
    parent && byPid.get(parent)?.commandLine.includes(installRoot);
    parent = byPid.get(parent)?.ppid
  ) {
    roles.set(parent, 'VS Code');
    root = parent;
  }
  for (const row of descendants(rows, root)) {
    if (!roles.has(row.identity.pid)) {
      roles.set(row.identity.pid, 'started by VS Code');
    }
  }
  return roles;
}

/** Without /proc (macOS, Windows), ps-list is the portable way to list processes. */
async function listWithPsList(): Promise<ProcessItem[]> {
  try {
    const { default: psList } = await import('ps-list');
    const processes = await psList();
    return processes
      .sort((a, b) => (b.memory ?? 0) - (a.memory ?? 0))
      .map((entry) => ({
        identity: { pid: entry.pid, startTicks: -1 },
        label: escapeIcons(entry.name),
        description: `${entry.pid}${entry.memory !== undefined ? ` · ${entry.memory.toFixed(1)}% of RAM` : ''}`,
        detail: escapeIcons(entry.cmd ?? ''),
      }));
  } catch (error) {
    void vscode.window.showErrorMessage(`Proc Memory could not list processes: ${String(error)}`);
    return [];
  }
}
