import * as vscode from 'vscode';
import { readCommandLine } from '../proc/commandLine';
import { terminalForeground } from '../proc/terminalForeground';
import { ProcessItem } from '../processPicker';
import { escapeIcons, visibleText } from '../core/textEscapes';

/**
 * "The command in terminal N" for each terminal that runs something: what the process picker lists
 * first. Read once, when the picker opens; terminals whose shell waits, or is not ours to see, are
 * left out.
 */
export async function terminalCommandItems(): Promise<ProcessItem[]> {
  const items: ProcessItem[] = [];
  const terminals = vscode.window.terminals;
  const pids = await Promise.all(terminals.map((terminal) => terminal.processId));
  terminals.forEach((terminal, index) => {
    const shellPid = pids[index];
    const foreground = shellPid === undefined || shellPid <= 0 ? undefined : terminalForeground(shellPid);
    if (foreground?.kind !== 'command') {
      return;
    }
    items.push({
      identity: foreground.identity,
      label: `$(terminal) the command in terminal ${index + 1}: ${escapeIcons(visibleText(foreground.name))}`,
      description: `${foreground.identity.pid} · ${escapeIcons(visibleText(terminal.name))}`,
      detail: escapeIcons(visibleText(readCommandLine(`/proc/${foreground.identity.pid}`))),
      alwaysShow: true,
    });
  });
  return items;
}
