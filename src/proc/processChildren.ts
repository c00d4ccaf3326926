import { ok, Outcome } from './outcome';
import { readProcText } from './procFile';
import { ProcessIdentity } from './processIdentity';
import { descendants } from './processTree';
import { scanProcessTable } from './processTable';
import { parseStat } from './stat';
import { SubtreeChildrenFiles } from './subtreeChildrenFiles';
import { ThreadChildrenFiles } from './threadChildrenFiles';

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
export function childProcesses(
  pid: number,
  procRoot = '/proc',
  /** The children files of the subtree's threads, kept open by the watcher of `pid`. */
  kept?: SubtreeChildrenFiles,
): Outcome<ChildProcess[]> {
  const result: ChildProcess[] = [];
  const seen = new Set<number>([pid]);
  // Each parent to list, with its start time (the watched process's own is its watcher's to know).
  const queue: [number, number | undefined][] = [[pid, undefined]];
  while (queue.length > 0) {
    const [parent, startTicks] = queue.pop() as [number, number | undefined];
    const listed = (
      kept ? kept.of(parent, startTicks, procRoot) : new ThreadChildrenFiles(parent, false, procRoot)
    ).list();
    if (listed === 'no-children-file') {
      kept?.close();
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
      queue.push([child, stat.value.startTicks]);
    }
  }
  kept?.keepOnly(seen);
  return ok(result);
}

function scanFallback(pid: number, procRoot: string): Outcome<ChildProcess[]> {
  const table = scanProcessTable(procRoot);
  if (!table.ok) {
    return table;
  }
  return ok(descendants(table.value, pid).map((row) => ({ identity: row.identity, ppid: row.ppid, name: row.name })));
}
