import { readCommandLine } from './commandLine';
import { childProcesses } from './processChildren';
import { SubtreeChildrenFiles } from './subtreeChildrenFiles';
import { readSmapsRollup, sampleProcess } from './sampleProcess';

/** A program's child processes, summed; PSS so that pages they share count once. */
export interface ChildrenTotals {
  /** The children that hold memory: a zombie (exited, not yet collected by its parent) holds none and is left out. */
  count: number;
  resBytes: number;
  /** Undefined when the PSS of any counted child could not be read: a partial sum would understate. */
  pssBytes: number | undefined;
}

/**
 * Every process below `pid` (children, grandchildren...), summed, except those `leaveOut` names
 * (a debugger's own helpers, judged by name and command line) and those that hold no memory. A
 * child that exits between the listing and its reading is not counted. The one rule for the debug
 * view's row and the reading at each stop, so the two always agree.
 */
export function readChildrenTotals(
  pid: number,
  leaveOut: (name: string, commandLine: string) => boolean,
  procRoot = '/proc',
  /** Where `pid` is watched: the children files of its subtree's threads, kept open. */
  kept?: SubtreeChildrenFiles,
): ChildrenTotals {
  const totals: ChildrenTotals = { count: 0, resBytes: 0, pssBytes: 0 };
  const below = childProcesses(pid, procRoot, kept);
  for (const child of below.ok ? below.value : []) {
    if (leaveOut(child.name, readCommandLine(`${procRoot}/${child.identity.pid}`))) {
      continue;
    }
    // Its RES and its PSS, nothing more: a full detail reading would read its cgroup, OOM score
    // and pressure files too, for every child, every detail interval, to throw them away.
    const sample = sampleProcess(child.identity.pid, { expected: child.identity, procRoot });
    if (!sample.ok || sample.value.memoryless) {
      continue;
    }
    totals.count++;
    totals.resBytes += sample.value.resBytes;
    const rollup = readSmapsRollup(child.identity.pid, procRoot);
    totals.pssBytes = totals.pssBytes !== undefined && rollup.ok ? totals.pssBytes + rollup.value.pss : undefined;
  }
  return totals;
}
