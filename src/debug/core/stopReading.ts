// What is read from /proc when a debugged program stops. No `vscode`: unit tests and the bench
// call it on real processes.
import { describeProcError, Outcome } from '../../proc/outcome';
import { ChildrenTotals, readChildrenTotals } from '../../proc/childrenTotals';
import { ProcessIdentity } from '../../proc/processIdentity';
import { sampleProcess } from '../../proc/sampleProcess';
import { GroupedSmaps, readSmapsGrouped } from '../../proc/smaps';
import { MappingsAtStop } from '../../proc/smapsDiff';
import { isDebuggerCommand } from './debuggeePid';

/** The figures of one stop, in bytes; `undefined` where the kernel would not say. */
export interface StopReading {
  timeMs: number;
  resBytes: number;
  pssBytes: number | undefined;
  anonBytes: number | undefined;
  fileBytes: number | undefined;
  shmemBytes: number | undefined;
  /** The program's child processes, the debugger's own helpers left out. */
  children: ChildrenTotals;
}

/**
 * statm, status and smaps_rollup of the program, and the same for its children: about 0.1 ms
 * plus 50 us per child. Fails only when the program itself cannot be read.
 */
export function readStopReading(identity: ProcessIdentity, procRoot = '/proc'): Outcome<StopReading> {
  const sample = sampleProcess(identity.pid, { expected: identity, detail: true, procRoot });
  if (!sample.ok) {
    return sample;
  }
  const { resBytes, status, rollup, timeMs } = sample.value;
  // The debugger's own helpers (js-debug's watchdog, a launcher) are not the program's memory.
  const children = readChildrenTotals(identity.pid, isDebuggerCommand, procRoot);
  return {
    ok: true,
    value: {
      timeMs,
      resBytes,
      pssBytes: rollup?.ok ? rollup.value.pss : undefined,
      anonBytes: status.rssAnon,
      fileBytes: status.rssFile,
      shmemBytes: status.rssShmem,
      children,
    },
  };
}

/** smaps at a stop, or why it was not read. */
export type StopMappings =
  | ({ ok: true; readAtMs: number; costMs: number; count: number } & MappingsAtStop)
  | { ok: false; reason: string };

/** Reads smaps off the main thread (see readSmapsGrouped) and keeps what a comparison needs. */
export async function readStopMappings(identity: ProcessIdentity, procRoot = '/proc'): Promise<StopMappings> {
  const readAtMs = Date.now();
  const grouped: Outcome<GroupedSmaps> = await readSmapsGrouped(identity.pid, procRoot);
  if (!grouped.ok) {
    return { ok: false, reason: describeProcError(grouped.error) };
  }
  return {
    ok: true,
    readAtMs,
    costMs: grouped.value.costMs,
    count: grouped.value.summary.count,
    categories: grouped.value.summary.categories,
    groups: grouped.value.groups,
  };
}
