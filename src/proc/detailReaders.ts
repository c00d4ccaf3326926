// The costly reads of a process (smaps_rollup, smaps, the cgroup and the cheap files read with
// it), each timed so that its cost can set its pace: the Sampler's seam for tests.
import {
  CgroupMemory,
  MembershipReader,
  readCgroupMemory,
  readGroup,
  readMembership,
  readOomCounters,
  TextReader,
} from './cgroup';
import { KeptFiles } from './keptFiles';
import { OomCounterReader } from './oomKill';
import { Outcome } from './outcome';
import { readGroupPressure, readSystemPressure } from './pressure';
import { OomScore, ProcessSample, readOomScore, readSmapsRollup, readSmapsRollupAsync } from './sampleProcess';
import { MappingSummary, readShortSmaps, readSmaps } from './smaps';
import { readProcText } from './procFile';
import { SAME_TICK_MS, SharedReads } from './sharedReads';
import { OffThreadSmaps, Timed } from './smapsOffThread';
import { SmapsRollup } from './smapsRollup';

/** How long a read of /proc/self/mountinfo serves: it only says where the v2 hierarchy is mounted. */
const MOUNTINFO_MAX_AGE_MS = 30000;

/** The costly reads, each timed so that its cost sets its pace; a seam like ProcessReader. */
export interface DetailReaders {
  /** smaps_rollup in this thread: only for a process whose rollup proved cheap; `previous` again where it reads alike. */
  rollupSync(pid: number, previous?: Outcome<SmapsRollup>): Timed<Outcome<SmapsRollup>>;
  /** smaps_rollup with the kernel's part in the thread pool. */
  rollupAsync(pid: number): Promise<Timed<Outcome<SmapsRollup>>>;
  /** /proc/PID/smaps summed by kind of mapping, read and parsed off this thread. */
  smaps(pid: number): Promise<Timed<Outcome<MappingSummary>>>;
  /** The same in this thread: only for a process whose smaps proved cheap; `previous` again where it reads alike. */
  smapsSync(pid: number, previous?: Outcome<MappingSummary>): Timed<Outcome<MappingSummary>>;
  /**
   * The same in this thread where the text is at most `maxBytes`: a small process's first read.
   * Undefined where it is longer (and then the kernel printed `maxBytes` of it, no more).
   */
  shortSmapsSync(pid: number, maxBytes: number): Timed<Outcome<MappingSummary>> | undefined;
  cgroup(pid: number): Outcome<CgroupMemory | undefined>;
  /** oom_score and oom_score_adj, and memory pressure of the system and the process's group: cheap files, read with the cgroup. */
  oomScore(pid: number): Outcome<OomScore>;
  pressure(pid: number): NonNullable<ProcessSample['pressure']>;
  /** The OOM counters of a group for a baseline (see oomKill.ts): read once a tick for all its processes. */
  oomCounters: OomCounterReader;
  /**
   * The OOM counters of a group read now, never from the tick's reads: an end is judged on
   * counters read after the process was found gone, and the tick's may have been read before.
   */
  oomCountersNow: OomCounterReader;
  dispose(): void;
}

/** The real readers: rollup in the thread pool or inline by its cost, smaps in a worker thread. */
export function realDetailReaders(procRoot = '/proc'): DetailReaders {
  const smaps = new OffThreadSmaps();
  // What processes share (their group's files and OOM counters, the system's pressure) is read once per tick.
  const shared = new SharedReads();
  // The files of groups and pressure, read by path every detail interval: kept open.
  const kept = new KeptFiles();
  const sharedText = (maxAgeMs: number, read: TextReader) => (path: string) =>
    shared.get(`text ${path}`, maxAgeMs, () => read(path));
  // The cgroup's figures and its pressure both start from /proc/PID/cgroup, in the same tick. Kept
  // apart from the shared reads: one entry per process must not push a group's out of them.
  const memberships = new SharedReads();
  const membership: MembershipReader = (pid, root) =>
    memberships.get(`${root} ${pid}`, SAME_TICK_MS, () => readMembership(pid, root));
  const groupPressureReaders = {
    mountinfo: sharedText(MOUNTINFO_MAX_AGE_MS, readProcText),
    pressure: sharedText(SAME_TICK_MS, kept.readText),
    membership,
  };
  // A group read each tick; where the hierarchy has no memory controller (v2 on a hybrid host,
  // whose v1 hierarchy has it), that answer serves like mountinfo: it changes with the host's setup.
  const sharedGroup = (version: 1 | 2, path: string, cgroupRoot: string) =>
    shared.get(
      `group ${version} ${cgroupRoot} ${path}`,
      (group: Outcome<CgroupMemory | undefined>) =>
        group.ok && group.value === undefined ? MOUNTINFO_MAX_AGE_MS : SAME_TICK_MS,
      () => readGroup(version, path, cgroupRoot, kept.readText),
    );
  const timed = <T>(started: number, value: T): Timed<T> => ({ value, costMs: performance.now() - started });
  const timedInThread = <T>(read: () => T): Timed<T> => timed(performance.now(), read());
  let rollupsInPool: Promise<unknown> = Promise.resolve();
  return {
    rollupSync: (pid, previous) => timedInThread(() => readSmapsRollup(pid, procRoot, previous)),
    rollupAsync: (pid) => {
      // One at a time: each read's round trip is then its own, not its wait behind the reads of
      // every process due in the same tick, which kept cheap rollups off the tick for good.
      const read = rollupsInPool.then(async () => {
        const started = performance.now();
        return timed(started, await readSmapsRollupAsync(pid, procRoot));
      });
      rollupsInPool = read.catch(() => undefined);
      return read;
    },
    smaps: (pid) => smaps.read(pid, procRoot),
    smapsSync: (pid, previous) => timedInThread(() => readSmaps(pid, procRoot, previous)),
    shortSmapsSync: (pid, maxBytes) => {
      const read = timedInThread(() => readShortSmaps(pid, procRoot, maxBytes));
      return read.value && { value: read.value, costMs: read.costMs };
    },
    cgroup: (pid) => readCgroupMemory(pid, procRoot, undefined, sharedGroup, membership),
    oomScore: (pid) => readOomScore(`${procRoot}/${pid}`),
    pressure: (pid) => ({
      system: shared.get('system pressure', SAME_TICK_MS, () => readSystemPressure(procRoot, kept.readText)),
      group: readGroupPressure(pid, procRoot, groupPressureReaders),
    }),
    oomCounters: (version, path) =>
      shared.get(`oom ${version} ${path}`, SAME_TICK_MS, () =>
        readOomCounters(version, path, undefined, kept.readText),
      ),
    oomCountersNow: (version, path) => readOomCounters(version, path, undefined, kept.readText),
    dispose: () => {
      smaps.dispose();
      kept.dispose();
    },
  };
}
