// What is read from /proc when a debugged program stops. No `vscode`: unit tests and the bench
// call it on real processes.
import { describeProcError, Outcome } from '../proc/outcome';
import { childProcesses } from '../proc/processChildren';
import { ProcessIdentity } from '../proc/processIdentity';
import { readCommandLine } from '../proc/commandLine';
import { sampleProcess } from '../proc/sampleProcess';
import { GroupedSmaps, readSmapsGrouped } from '../proc/smaps';
import { MappingsAtStop } from '../proc/smapsDiff';
import { isDebuggerCommand } from './debuggeePid';

/** The figures of one stop, in bytes; `undefined` where the kernel would not say. */
export interface StopReading {
  timeMs: number;
  resBytes: number;
  pssBytes: number | undefined;
  anonBytes: number | undefined;
  fileBytes: number | undefined;
  shmemBytes: number | undefined;
  /** The program's child processes (the debugger's own helpers left out), summed; PSS so shared pages count once. */
  children: { count: number; resBytes: number; pssBytes: number | undefined };
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
  const children = { count: 0, resBytes: 0, pssBytes: 0 as number | undefined };
  const below = childProcesses(identity.pid, procRoot);
  for (const child of below.ok ? below.value : []) {
    if (isDebuggerCommand(child.name, readCommandLine(`${procRoot}/${child.identity.pid}`))) {
      continue; // js-debug's watchdog, a debugger's launcher: not the program's memory
    }
    const childSample = sampleProcess(child.identity.pid, { expected: child.identity, detail: true, procRoot });
    if (!childSample.ok || childSample.value.memoryless) {
      continue;
    }
    children.count++;
    children.resBytes += childSample.value.resBytes;
    const childRollup = childSample.value.rollup;
    children.pssBytes =
      children.pssBytes !== undefined && childRollup?.ok ? children.pssBytes + childRollup.value.pss : undefined;
  }
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
