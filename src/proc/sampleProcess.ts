import * as fs from 'fs';
import { CgroupMemory, readCgroupMemory } from './cgroup';
import { fail, ok, Outcome, ProcError } from './outcome';
import { errnoToProcError, readProcText } from './procFile';
import { ProcessIdentity } from './processIdentity';
import { MappingSummary, readSmaps } from './smaps';
import { SmapsRollup, parseSmapsRollup } from './smapsRollup';
import { isKernelThread, parseStat } from './stat';
import { parseStatm } from './statm';
import { ReadPace } from './readPace';
import { parseStatus, StatusMemory } from './status';
import { systemInfo } from './systemInfo';

/** Why a live process has no memory figures at all. */
export type MemorylessReason = 'kernel-thread' | 'zombie';

/** One reading of one process: what top shows plus the breakdown of /proc/PID/status. */
export interface ProcessSample {
  identity: ProcessIdentity;
  /** When it was read, ms since the epoch. */
  timeMs: number;
  name: string;
  state: string;
  ppid: number;
  uid: number;
  threads: number;
  /** Set when the kernel keeps no memory for it (statm is all zeros). */
  memoryless?: MemorylessReason;
  resBytes: number;
  virtBytes: number;
  shrBytes: number;
  /** Breakdown and peaks from /proc/PID/status (bytes); fields absent where the kernel has none. */
  status: StatusMemory;
  /** smaps_rollup (PSS, USS, swap), when asked for: it costs a walk of every mapping. */
  rollup?: Outcome<SmapsRollup>;
  /** cgroup v2 memory limit and usage, when asked for; undefined value when there is none. */
  cgroup?: Outcome<CgroupMemory | undefined>;
  /** RES by kind of mapping from /proc/PID/smaps, when asked for: the costliest read of all. */
  mappings?: Outcome<MappingSummary>;
  /** When `mappings` was read (ms since the epoch): it is older than the rest between detail reads. */
  mappingsTimeMs?: number;
  /** How the Sampler paces the smaps read of this process (set by the Sampler, not here). */
  mappingsPace?: ReadPace;
}

export interface SampleOptions {
  /** Also read smaps_rollup and the cgroup (about 1 ms instead of 50 us). */
  detail?: boolean;
  /**
   * Also read /proc/PID/smaps and sum it by kind of mapping (1-2 ms for a Node process: the kernel
   * prints ~25 lines per mapping). Only the inspect panel shows it.
   */
  mappings?: boolean;
  /** The process we expect at this PID; a different start time means the PID was reused. */
  expected?: ProcessIdentity;
  procRoot?: string;
  cgroupRoot?: string;
}

/** Reads stat, statm and status of one process (and smaps_rollup and its cgroup with detail). */
export function sampleProcess(pid: number, options: SampleOptions = {}): Outcome<ProcessSample> {
  const procRoot = options.procRoot ?? '/proc';
  const dir = `${procRoot}/${pid}`;
  const statText = readProcText(`${dir}/stat`);
  if (!statText.ok) {
    return noProcfs(statText.error, procRoot);
  }
  const stat = parseStat(statText.value);
  if (!stat.ok) {
    return stat;
  }
  const identity = { pid, startTicks: stat.value.startTicks };
  if (options.expected && options.expected.startTicks !== identity.startTicks) {
    return fail({ kind: 'pid-reused', detail: `PID ${pid} started at tick ${identity.startTicks}, not ${options.expected.startTicks}` });
  }
  const statmText = readProcText(`${dir}/statm`);
  if (!statmText.ok) {
    return statmText;
  }
  const statm = parseStatm(statmText.value, systemInfo().pageSize);
  if (!statm.ok) {
    return statm;
  }
  const statusText = readProcText(`${dir}/status`);
  if (!statusText.ok) {
    return statusText;
  }
  const status = parseStatus(statusText.value);
  if (!status.ok) {
    return status;
  }
  const { name, state, ppid, uid, threads, nspid, ...memory } = status.value;
  void nspid; // namespaces are not shown yet; keep them out of the memory figures
  const sample: ProcessSample = {
    identity,
    timeMs: Date.now(),
    name,
    state,
    ppid,
    uid,
    threads,
    memoryless: memorylessReason(isKernelThread(stat.value), state, statm.value.virtBytes),
    resBytes: statm.value.resBytes,
    virtBytes: statm.value.virtBytes,
    shrBytes: statm.value.shrBytes,
    status: memory,
  };
  if (options.detail && !sample.memoryless) {
    sample.rollup = readSmapsRollup(pid, procRoot);
    sample.cgroup = readCgroupMemory(pid, procRoot, options.cgroupRoot);
  }
  if (options.mappings && !sample.memoryless) {
    sample.mappings = readSmaps(pid, procRoot);
    sample.mappingsTimeMs = sample.timeMs;
  }
  return ok(sample);
}

function memorylessReason(kernelThread: boolean, state: string, virtBytes: number): MemorylessReason | undefined {
  if (kernelThread) {
    return 'kernel-thread';
  }
  if (state === 'Z' || (state === 'X' && virtBytes === 0)) {
    return 'zombie';
  }
  return undefined;
}

/** /proc/PID/smaps_rollup, parsed (PSS, USS, swap): the kernel walks every mapping to print it. */
export function readSmapsRollup(pid: number, procRoot = '/proc'): Outcome<SmapsRollup> {
  const dir = `${procRoot}/${pid}`;
  const text = readProcText(`${dir}/smaps_rollup`);
  return text.ok ? parseSmapsRollup(text.value) : rollupError(text.error, dir);
}

/** readSmapsRollup with the read in the thread pool: for a process whose rollup proved costly. */
export async function readSmapsRollupAsync(pid: number, procRoot = '/proc'): Promise<Outcome<SmapsRollup>> {
  const dir = `${procRoot}/${pid}`;
  let text: string;
  try {
    text = await fs.promises.readFile(`${dir}/smaps_rollup`, 'utf8');
  } catch (error) {
    return rollupError(errnoToProcError(error, `${dir}/smaps_rollup`), dir);
  }
  return parseSmapsRollup(text);
}

/** smaps_rollup came with Linux 4.14: ENOENT while the process is still there means an older kernel. */
function rollupError(error: ProcError, dir: string): Outcome<SmapsRollup> {
  if (error.kind === 'gone' && readProcText(`${dir}/stat`).ok) {
    return fail({ kind: 'unsupported', detail: 'smaps_rollup needs Linux 4.14 or later' });
  }
  return fail(error);
}

/** Without /proc at all (macOS, Windows, a container without procfs), say so once, clearly. */
function noProcfs(error: ProcError, procRoot: string): Outcome<ProcessSample> {
  if (error.kind === 'gone' && !hasProcfs(procRoot)) {
    return fail({ kind: 'unsupported', detail: `${procRoot} is not mounted (Linux only)` });
  }
  return fail(error);
}

function hasProcfs(procRoot: string): boolean {
  return readProcText(`${procRoot}/self/stat`).ok || readProcText(`${procRoot}/1/stat`).ok;
}
