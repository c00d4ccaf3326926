import { describeState } from '../../shared/format';
import { OomCounters } from '../proc/cgroup';
import { describeProcError, Outcome } from '../proc/outcome';
import { readCommandLine } from '../proc/commandLine';
import { identityKey, ProcessIdentity, startTimeMs } from '../proc/processIdentity';
import { ProcessSample } from '../proc/sampleProcess';
import { SmapsRollup } from '../proc/smapsRollup';
import { systemInfo } from '../proc/systemInfo';
import { userName } from '../proc/users';
import {
  CgroupFigure,
  Figure,
  MappingsFigure,
  OomCounterKey,
  PressureFigure,
  ProcessSnapshot,
} from '../../shared/model';
import { PressureReading } from '../proc/pressure';
import { MAPPING_KINDS } from '../../shared/model';
import { BoundedMap } from '../../shared/boundedMap';

// The command line never changes after exec in practice, and reading it costs a syscall; read it
// once per process. Bounded so a long session that inspects many processes does not grow forever.
const commandLines = new BoundedMap<string, string>(256);

function notKeptReason(sample: ProcessSample): string {
  return sample.memoryless
    ? `a ${sample.memoryless.replace('-', ' ')} has no memory of its own`
    : 'not reported by this kernel';
}

/** A figure of /proc/PID/status (`value`, of `sample`), with the reason where the kernel gives none. */
export function statusFigure(sample: ProcessSample, value: number | undefined): Figure {
  return value === undefined ? { unavailable: notKeptReason(sample) } : { bytes: value };
}

/** Turns an engine sample into what views show, with reasons where a figure is unknown. */
export function toSnapshot(sample: ProcessSample): ProcessSnapshot {
  const { clockTicks, bootTimeMs } = systemInfo();
  const status = sample.status;
  const notKept = notKeptReason(sample);
  const fromStatus = (value: number | undefined): Figure => statusFigure(sample, value);
  const rollup = sample.rollup;
  const rollupFigure = (pick: (value: SmapsRollup) => number): Figure => {
    if (!rollup) {
      return { unavailable: sample.memoryless ? notKept : 'not read yet' };
    }
    return rollup.ok ? { bytes: pick(rollup.value) } : { unavailable: describeProcError(rollup.error) };
  };
  return {
    pid: sample.identity.pid,
    startTicks: sample.identity.startTicks,
    name: sample.name,
    commandLine: commandLine(sample.identity),
    user: userName(sample.uid),
    state: sample.state,
    stateText: describeState(sample.state),
    startTimeMs: startTimeMs(sample.identity, bootTimeMs, clockTicks),
    sampledAtMs: sample.timeMs,
    threads: sample.threads,
    memoryless: sample.memoryless,
    resBytes: sample.resBytes,
    virtBytes: sample.virtBytes,
    shrBytes: sample.shrBytes,
    anon: fromStatus(status.rssAnon),
    file: fromStatus(status.rssFile),
    shmem: fromStatus(status.rssShmem),
    swap: fromStatus(status.vmSwap),
    peakRes: fromStatus(status.vmHWM),
    pss: rollupFigure((value) => value.pss),
    uss: rollupFigure((value) => value.uss),
    rollupReadAtMs: rollup ? sample.rollupTimeMs : undefined,
    cgroup: cgroupFigure(sample),
    oomScore: oomScoreFigure(sample),
    pressure: pressureFigures(sample),
    faults: faultsFigure(sample),
    mappings: mappingsFigure(sample, notKept),
  };
}

// The kinds and largest mappings only change when smaps is read again (every few seconds or
// minutes), not on every sample: built once per read, keyed by the read's own outcome object.
const mappingRows = new WeakMap<object, Pick<Extract<MappingsFigure, { kinds: unknown }>, 'kinds' | 'top'>>();

function mappingsFigure(sample: ProcessSample, notKept: string): MappingsFigure {
  const mappings = sample.mappings;
  const read = sample.mappingsPace;
  // How often it is read and why, for the panel's freshness line (absent until the Sampler read it).
  const pace = read && { pace: read };
  if (!mappings) {
    return {
      unavailable: sample.memoryless ? notKept : read?.reading ? 'reading /proc/PID/smaps…' : 'not read yet',
      ...pace,
    };
  }
  if (!mappings.ok) {
    return { unavailable: describeProcError(mappings.error), ...pace };
  }
  let rows = mappingRows.get(mappings);
  if (!rows) {
    const { categories, top } = mappings.value;
    rows = {
      kinds: MAPPING_KINDS.filter((kind) => categories[kind].count > 0)
        .map((kind) => ({ kind, ...categories[kind] }))
        .sort((a, b) => b.rssBytes - a.rssBytes || b.count - a.count),
      top: top.map(({ name, category, perms, rssBytes, pssBytes, privateBytes }) => ({
        name,
        kind: category,
        perms,
        rssBytes,
        pssBytes,
        privateBytes,
      })),
    };
    mappingRows.set(mappings, rows);
  }
  return {
    ...pace,
    ...rows,
    readAtMs: sample.mappingsTimeMs ?? sample.timeMs,
  };
}

// The cgroup and pressure are read every few seconds and carried over between reads (the same
// objects): their figures are built once per read, not once per view and sample.
const cgroupFigures = new WeakMap<object, CgroupFigure>();
const pressureFigureCache = new WeakMap<object, ProcessSnapshot['pressure']>();

function cgroupFigure(sample: ProcessSample): CgroupFigure {
  const cgroup = sample.cgroup;
  if (!cgroup) {
    return { unavailable: sample.memoryless ? 'no memory of its own' : 'not read yet' };
  }
  let figure = cgroupFigures.get(cgroup);
  if (!figure) {
    figure = cgroupFigureOf(cgroup);
    cgroupFigures.set(cgroup, figure);
  }
  return figure;
}

function cgroupFigureOf(cgroup: NonNullable<ProcessSample['cgroup']>): CgroupFigure {
  if (!cgroup.ok) {
    return { unavailable: describeProcError(cgroup.error) };
  }
  if (!cgroup.value) {
    return { unavailable: 'no cgroup memory accounting visible for this process' };
  }
  const memory = cgroup.value;
  const figure = (outcome: Outcome<number>): Figure =>
    outcome.ok ? { bytes: outcome.value } : { unavailable: describeProcError(outcome.error) };
  const tightest = memory.tightest;
  const levels = memory.levels.map((level) => ({
    path: level.path,
    limitBytes: level.limitBytes,
    limitFile: level.limitFile,
    usage:
      level.usageBytes === undefined
        ? { unavailable: level.workingSet.ok ? 'unknown' : describeProcError(level.workingSet.error) }
        : { bytes: level.usageBytes },
    workingSet: figure(level.workingSet),
    headroom: level.workingSet.ok
      ? { bytes: level.limitBytes - level.workingSet.value }
      : { unavailable: describeProcError(level.workingSet.error) },
  }));
  return {
    version: memory.version,
    path: memory.path,
    usageBytes: memory.currentBytes,
    workingSet: figure(memory.workingSet),
    levels,
    tightest: tightest
      ? {
          path: tightest.level.path,
          limitBytes: tightest.level.limitBytes,
          limitFile: tightest.level.limitFile,
          workingSetBytes: tightest.workingSetBytes,
          headroomBytes: tightest.headroomBytes,
        }
      : {
          unavailable:
            memory.levels.length === 0
              ? `no limit on its cgroup ${memory.path} or above`
              : 'the working set of the limited levels could not be read',
        },
    oom: memory.oom.ok
      ? { path: memory.oom.value.path, counters: oomCounterRows(memory.oom.value) }
      : { unavailable: describeProcError(memory.oom.error) },
  };
}

/** The counters a kernel keeps, in the order they escalate; v2 reads the group's own kill count where it can. */
function oomCounterRows(counters: OomCounters): { key: OomCounterKey; value: number; file: string }[] {
  const rows: { key: OomCounterKey; value: number | undefined; file: string }[] =
    counters.version === 2
      ? [
          { key: 'eventsHigh', value: counters.high, file: 'memory.events high' },
          { key: 'eventsMax', value: counters.max, file: 'memory.events max' },
          { key: 'eventsOom', value: counters.oom, file: 'memory.events oom' },
          counters.oomKillLocal !== undefined
            ? { key: 'oomKill', value: counters.oomKillLocal, file: 'memory.events.local oom_kill' }
            : { key: 'oomKill', value: counters.oomKill, file: 'memory.events oom_kill' },
        ]
      : [
          { key: 'failcnt', value: counters.failcnt, file: 'memory.failcnt' },
          { key: 'oomKill', value: counters.oomKillLocal, file: 'memory.oom_control oom_kill' },
        ];
  return rows.filter((row): row is { key: OomCounterKey; value: number; file: string } => row.value !== undefined);
}

function oomScoreFigure(sample: ProcessSample): ProcessSnapshot['oomScore'] {
  const score = sample.oomScore;
  if (!score) {
    return { unavailable: sample.memoryless ? 'no memory of its own' : 'not read yet' };
  }
  return score.ok
    ? { score: score.value.score, adj: score.value.adj }
    : { unavailable: describeProcError(score.error) };
}

function pressureFigures(sample: ProcessSample): ProcessSnapshot['pressure'] {
  const pressure = sample.pressure;
  let figures = pressure && pressureFigureCache.get(pressure);
  if (!figures) {
    figures = {
      system: pressureFigure(sample, (reading) => reading.system),
      group: pressureFigure(sample, (reading) => reading.group),
    };
    if (pressure) {
      pressureFigureCache.set(pressure, figures);
    }
  }
  return figures;
}

function pressureFigure(
  sample: ProcessSample,
  pick: (pressure: NonNullable<ProcessSample['pressure']>) => Outcome<PressureReading>,
): PressureFigure {
  if (!sample.pressure) {
    return { unavailable: sample.memoryless ? 'no memory of its own' : 'not read yet' };
  }
  const reading = pick(sample.pressure);
  if (!reading.ok) {
    return { unavailable: describeProcError(reading.error) };
  }
  const { some, full } = reading.value.pressure;
  return {
    file: reading.value.file,
    group: reading.value.path,
    someAvg10: some.avg10,
    someAvg60: some.avg60,
    fullAvg10: full.avg10,
    fullAvg60: full.avg60,
  };
}

function faultsFigure(sample: ProcessSample): ProcessSnapshot['faults'] {
  const rates = sample.faultRates;
  if (!rates) {
    return { unavailable: 'needs two readings' };
  }
  return {
    minorPerSecond: rates.minorPerSecond,
    majorPerSecond: rates.majorPerSecond,
    overMs: rates.overMs,
    minorTotal: sample.faults.minor,
    majorTotal: sample.faults.major,
  };
}

function commandLine(identity: ProcessIdentity): string {
  const key = identityKey(identity);
  let line = commandLines.get(key);
  if (line === undefined) {
    line = readCommandLine(`/proc/${identity.pid}`);
    commandLines.set(key, line);
  }
  return line;
}
