import { parsePid } from '../../shared/pid';
import * as fs from 'fs';
import { ok, Outcome } from './outcome';
import { readProcText } from './procFile';
import { ProcessIdentity } from './processIdentity';
import { descendants } from './processTree';
import { scanProcessTable } from './processTable';
import { parseStat } from './stat';

/** A process below another one, with its parent and command name. */
export interface ChildProcess {
  identity: ProcessIdentity;
  ppid: number;
  name: string;
}

/**
 * Every process below `pid` (children, grandchildren...), read from the subtree itself:
 * /proc/PID/task/TID/children lists the children of each thread, so the cost grows with the
 * number of descendants, not with every process on the machine. The kernel only promises that
 * file is exact for stopped tasks, so each child's own stat must name its parent; a kernel built
 * without CONFIG_PROC_CHILDREN has no such file, and then the whole table is scanned.
 */
export function childProcesses(pid: number, procRoot = '/proc'): Outcome<ChildProcess[]> {
  const result: ChildProcess[] = [];
  const seen = new Set<number>([pid]);
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.pop() as number;
    const listed = listedChildren(parent, procRoot);
    if (listed === 'no-children-file') {
      return scanFallback(pid, procRoot);
    }
    for (const child of listed) {
      if (seen.has(child)) {
        continue;
      }
      const statText = readProcText(`${procRoot}/${child}/stat`);
      const stat = statText.ok ? parseStat(statText.value) : undefined;
      // Gone since it was listed, or re-parented: not ours any more.
      if (!stat?.ok || stat.value.ppid !== parent) {
        continue;
      }
      seen.add(child);
      result.push({ identity: { pid: child, startTicks: stat.value.startTicks }, ppid: parent, name: stat.value.comm });
      queue.push(child);
    }
  }
  return ok(result);
}

/** The children named by every thread of `pid`; [] when it exited meanwhile. */
function listedChildren(pid: number, procRoot: string): number[] | 'no-children-file' {
  let tasks: string[];
  try {
    tasks = fs.readdirSync(`${procRoot}/${pid}/task`);
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const task of tasks) {
    const text = readProcText(`${procRoot}/${pid}/task/${task}/children`);
    if (!text.ok) {
      if (text.error.kind === 'gone' && readProcText(`${procRoot}/${pid}/task/${task}/stat`).ok) {
        return 'no-children-file';
      }
      continue;
    }
    for (const field of text.value.split(' ')) {
      const child = parsePid(field);
      if (child !== undefined) {
        children.push(child);
      }
    }
  }
  return children;
}

function scanFallback(pid: number, procRoot: string): Outcome<ChildProcess[]> {
  const table = scanProcessTable(procRoot);
  if (!table.ok) {
    return table;
  }
  return ok(descendants(table.value, pid).map((row) => ({ identity: row.identity, ppid: row.ppid, name: row.name })));
}
