import type { MemorylessReason } from '../../shared/model';
import * as fs from 'fs';
import { CgroupMemory, readCgroupMemory } from './cgroup';
import { fail, malformed, ok, Outcome, ProcError } from './outcome';
import { PressureReading, readGroupPressure, readSystemPressure } from './pressure';
import { asText, errnoToProcError, readOpenProcText, readProcBytes, readProcText } from './procFile';
import { ProcessFiles } from './processFiles';
import { ProcessIdentity } from './processIdentity';
import { MappingSummary, readSmaps } from './smaps';
import { SmapsRollup, parseSmapsRollup } from './smapsRollup';
import { isExiting, isKernelThread, parseStat, sameBesideTime } from './stat';
import { parseStatm } from './statm';
import { ReadPace } from '../../shared/readPace';
import { parseStatus, StatusMemory, statusMemory } from './status';
import { parseUnlessSame } from './parseUnlessSame';
import { systemInfo } from './systemInfo';

export type { MemorylessReason };

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
  /** When `rollup` was read (ms since the epoch): between detail reads it is older than the rest. */
  rollupTimeMs?: number;
  /** cgroup v2 memory limit and usage, when asked for; undefined value when there is none. */
  cgroup?: Outcome<CgroupMemory | undefined>;
  /** RES by kind of mapping from /proc/PID/smaps, when asked for: the costliest read of all. */
  mappings?: Outcome<MappingSummary>;
  /** When `mappings` was read (ms since the epoch): it is older than the rest between detail reads. */
  mappingsTimeMs?: number;
  /** How the Sampler paces the smaps read of this process (set by the Sampler, not here). */
  mappingsPace?: ReadPace;
  /** Page faults since the process started (/proc/PID/stat minflt, majflt). */
  faults: { minor: number; major: number };
  /** Faults per second since the previous reading; the sampler sets it once it has two readings. */
  faultRates?: { minorPerSecond: number; majorPerSecond: number; overMs: number };
  /** /proc/PID/oom_score and oom_score_adj, read with detail. */
  oomScore?: Outcome<OomScore>;
  /** Memory pressure (PSI) of the system and of the process's v2 group, read with detail. */
  pressure?: { system: Outcome<PressureReading>; group: Outcome<PressureReading> };
}

/** How the OOM killer ranks the process: it kills the highest score first. */
export interface OomScore {
  /** /proc/PID/oom_score: 0–2000 since Linux 5.9 (0–1000 before). */
  score: number;
  /** /proc/PID/oom_score_adj: −1000 (never kill) to 1000, added to the score. */
  adj: number;
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
  /** The process's files kept open by a caller that reads it again and again (the Sampler). */
  files?: ProcessFiles;
  /**
   * The caller's last reading of this process: its figures serve again, status unread and nothing
   * parsed, where statm reads exactly as it did with it and stat too but for its time counters, for
   * up to STATUS_MAX_AGE_MS (see unchangedSince).
   */
  previous?: ProcessSample;
}

/**
 * How long the status of a process whose statm and stat (but for its time counters) have not
 * changed by a byte serves unread. Every figure it gives but the uid moves stat or statm when it
 * moves (see unchangedSince); the age bounds how long a rarer change (a setuid, an mprotect that
 * flips only execute, a khugepaged collapse that frees a page table) can go unseen.
 */
export const STATUS_MAX_AGE_MS = 5000;

/**
 * By a reading's status lines: the figures read with them (never changed after: each reading is a
 * copy), copies of the stat and statm bytes they were read from, and when (see unchangedSince).
 */
const readWith = new WeakMap<StatusMemory, ReadWith>();

interface ReadWith {
  figures: ProcessSample;
  stat: Buffer;
  statm: Buffer;
  readAtMs: number;
}

/** Reads stat, statm and status of one process (and smaps_rollup and its cgroup with detail). */
export function sampleProcess(pid: number, options: SampleOptions = {}): Outcome<ProcessSample> {
  const procRoot = options.procRoot ?? '/proc';
  const dir = `${procRoot}/${pid}`;
  // Bytes, a view of the shared read buffer: each is compared or copied before the next read.
  const read = (name: string) => {
    const path = `${dir}/${name}`;
    return options.files ? options.files.read(path) : readProcBytes(path);
  };
  const source = options.previous && readWith.get(options.previous.status);
  const statBytes = read('stat');
  if (!statBytes.ok) {
    return noProcfs(statBytes.error, procRoot);
  }
  const stat = source?.stat.equals(statBytes.value) ? source.stat : Buffer.from(statBytes.value);
  const statmBytes = read('statm');
  if (!statmBytes.ok) {
    return statmBytes;
  }
  const statm = source?.statm.equals(statmBytes.value) ? source.statm : Buffer.from(statmBytes.value);
  const timeMs = Date.now();
  let figures = unchangedSince(source, stat, statm, timeMs);
  if (!figures) {
    const readStatus = () => asText(read('status'));
    figures = parseFigures(pid, stat.toString('utf8'), statm.toString('utf8'), readStatus, options.expected, timeMs);
    if (figures.ok) {
      readWith.set(figures.value.status, { figures: figures.value, stat, statm, readAtMs: timeMs });
    }
  }
  if (!figures.ok) {
    return figures;
  }
  const sample = sampleCopy(figures.value, timeMs);
  if (options.detail && !sample.memoryless) {
    sample.rollup = readSmapsRollup(pid, procRoot);
    sample.rollupTimeMs = sample.timeMs;
    sample.cgroup = readCgroupMemory(pid, procRoot, options.cgroupRoot);
    sample.oomScore = readOomScore(dir);
    sample.pressure = { system: readSystemPressure(procRoot), group: readGroupPressure(pid, procRoot) };
  }
  if (options.mappings && !sample.memoryless) {
    sample.mappings = readSmaps(pid, procRoot);
    sample.mappingsTimeMs = sample.timeMs;
  }
  return ok(sample);
}

/**
 * A reading at `timeMs`: its figures and fault rates, with room for the detail the Sampler puts on
 * it. Built as a literal with every field, so every reading has the one shape: a spread copy gets
 * a map of its own in V8, and each property then added to it (the detail, the fault rates) builds
 * a new map: ~15 us and ~4.6 KB of garbage per reading against 0.2 us (Node 20, measured).
 */
export function sampleCopy(sample: ProcessSample, timeMs: number): ProcessSample {
  return {
    identity: sample.identity,
    timeMs,
    name: sample.name,
    state: sample.state,
    ppid: sample.ppid,
    uid: sample.uid,
    threads: sample.threads,
    memoryless: sample.memoryless,
    resBytes: sample.resBytes,
    virtBytes: sample.virtBytes,
    shrBytes: sample.shrBytes,
    status: sample.status,
    rollup: sample.rollup,
    rollupTimeMs: sample.rollupTimeMs,
    cgroup: sample.cgroup,
    mappings: sample.mappings,
    mappingsTimeMs: sample.mappingsTimeMs,
    mappingsPace: sample.mappingsPace,
    faults: sample.faults,
    faultRates: sample.faultRates,
    oomScore: sample.oomScore,
    pressure: sample.pressure,
  };
}

/** A reading's figures from its stat and statm texts and its status, parsed. */
function parseFigures(
  pid: number,
  statText: string,
  statmText: string,
  readStatus: () => Outcome<string>,
  expected: ProcessIdentity | undefined,
  timeMs: number,
): Outcome<ProcessSample> {
  const stat = parseStat(statText);
  if (!stat.ok) {
    return stat;
  }
  const identity = { pid, startTicks: stat.value.startTicks };
  if (expected && expected.startTicks !== identity.startTicks) {
    return fail({
      kind: 'pid-reused',
      detail: `PID ${pid} started at tick ${identity.startTicks}, not ${expected.startTicks}`,
    });
  }
  const statm = parseStatm(statmText, systemInfo().pageSize);
  if (!statm.ok) {
    return statm;
  }
  const statusText = readStatus();
  if (!statusText.ok) {
    return statusText;
  }
  const status = parseStatus(statusText.value);
  if (!status.ok) {
    return status;
  }
  const { name, state, ppid, uid, threads } = status.value;
  return ok({
    identity,
    timeMs,
    name,
    state,
    ppid,
    uid,
    threads,
    memoryless: memorylessReason(isKernelThread(stat.value), isExiting(stat.value), state, statm.value.virtBytes),
    resBytes: statm.value.resBytes,
    virtBytes: statm.value.virtBytes,
    shrBytes: statm.value.shrBytes,
    status: statusMemory(status.value),
    faults: { minor: stat.value.minorFaults, major: stat.value.majorFaults },
  });
}

/**
 * The figures of the reading `source` describes, where they still hold: this reading's `statm` is
 * the very copy kept with them (its bytes read alike), its `stat` too or one that differs only in
 * time counters (sameBesideTime), under STATUS_MAX_AGE_MS ago. Nothing it shows can have moved
 * then: RSS (and so RssAnon, RssFile, RssShmem, which only trade places through a fault) and VIRT
 * are in both, the peaks follow them and the faults, swapping moves RSS, mmap and mprotect of
 * writable memory move VIRT or statm's data; name, state, parent, threads and fault counts are in
 * stat. A process that only computes (a debuggee that runs) moves nothing but its CPU times.
 */
function unchangedSince(
  source: ReadWith | undefined,
  stat: Buffer,
  statm: Buffer,
  timeMs: number,
): Outcome<ProcessSample> | undefined {
  return source &&
    source.statm === statm &&
    (source.stat === stat || sameBesideTime(source.stat, stat)) &&
    timeMs - source.readAtMs < STATUS_MAX_AGE_MS
    ? ok(source.figures)
    : undefined;
}

/** Reads oom_score and oom_score_adj (both readable by anyone). */
export function readOomScore(dir: string): Outcome<OomScore> {
  const values: number[] = [];
  for (const file of ['oom_score', 'oom_score_adj']) {
    const text = readProcText(`${dir}/${file}`);
    if (!text.ok) {
      return text;
    }
    const value = text.value.trim();
    if (!/^-?\d{1,5}$/.test(value)) {
      return malformed(`${file} "${value.slice(0, 20)}"`);
    }
    values.push(Number(value));
  }
  return ok({ score: values[0], adj: values[1] });
}

function memorylessReason(
  kernelThread: boolean,
  exiting: boolean,
  state: string,
  virtBytes: number,
): MemorylessReason | undefined {
  if (kernelThread) {
    return 'kernel-thread';
  }
  // Between the start of do_exit and the zombie state, a dying process reads with RES falling to
  // 0 and no Vm lines, in any state letter (seen as "R" under load): it has ended, not shrunk to 0.
  // Only an exiting process has no address space at all (VIRT 0) without being a kernel thread.
  if (state === 'Z' || exiting || virtBytes === 0) {
    return 'zombie';
  }
  return undefined;
}

/**
 * /proc/PID/smaps_rollup, parsed (PSS, USS, swap): the kernel walks every mapping to print it.
 * Where it reads as it did for `previous`, it is `previous` again (parseUnlessSame).
 */
export function readSmapsRollup(
  pid: number,
  procRoot = '/proc',
  previous?: Outcome<SmapsRollup>,
): Outcome<SmapsRollup> {
  const dir = `${procRoot}/${pid}`;
  const bytes = readProcBytes(`${dir}/smaps_rollup`);
  return bytes.ok ? parseUnlessSame(bytes.value, previous, parseSmapsRollup) : rollupError(bytes.error, dir);
}

/** Room for a rollup's text in one read (Linux 6.x prints about 700 bytes). */
const ROLLUP_READ_BYTES = 8192;

/**
 * readSmapsRollup with the kernel's walk in the thread pool: for a process whose rollup proved
 * costly, or whose cost is not known yet. One round trip (the read at offset 0); the open and the
 * close are cheap and done here: fs.promises.readFile would make four trips, each waking the host.
 */
export async function readSmapsRollupAsync(pid: number, procRoot = '/proc'): Promise<Outcome<SmapsRollup>> {
  const dir = `${procRoot}/${pid}`;
  const path = `${dir}/smaps_rollup`;
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (error) {
    return rollupError(errnoToProcError(error, path), dir);
  }
  try {
    const buffer = Buffer.allocUnsafe(ROLLUP_READ_BYTES);
    const length = await new Promise<number>((resolve, reject) =>
      fs.read(fd, buffer, 0, buffer.length, 0, (error, bytes) => (error ? reject(error) : resolve(bytes))),
    );
    // Fuller than any kernel prints it: read whole again, here.
    const text = length < buffer.length ? ok(buffer.toString('utf8', 0, length)) : readOpenProcText(fd, path);
    return text.ok ? parseSmapsRollup(text.value) : rollupError(text.error, dir);
  } catch (error) {
    return rollupError(errnoToProcError(error, path), dir);
  } finally {
    fs.closeSync(fd);
  }
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
