import { describeState } from './format';
import { describeProcError } from './proc/outcome';
import { readCommandLine } from './proc/commandLine';
import { identityKey, ProcessIdentity, startTimeMs } from './proc/processIdentity';
import { ProcessSample } from './proc/sampleProcess';
import { SmapsRollup } from './proc/smapsRollup';
import { systemInfo } from './proc/systemInfo';
import { userName } from './proc/users';
import { Figure, MappingsFigure, ProcessSnapshot } from './protocol';
import { MAPPING_CATEGORIES } from './proc/smaps';

// The command line never changes after exec in practice, and reading it costs a syscall; read it
// once per process. Bounded so a long session that inspects many processes does not grow forever.
const commandLines = new Map<string, string>();

/** Turns an engine sample into what views show, with reasons where a figure is unknown. */
export function toSnapshot(sample: ProcessSample): ProcessSnapshot {
  const { clockTicks, bootTimeMs } = systemInfo();
  const status = sample.status;
  const notKept = sample.memoryless ? `a ${sample.memoryless.replace('-', ' ')} has no memory of its own` : 'not reported by this kernel';
  const fromStatus = (value: number | undefined): Figure => (value === undefined ? { unavailable: notKept } : { bytes: value });
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
    cgroup: cgroupFigure(sample),
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
  const pace = read && { pace: { everyMs: read.everyMs, byCost: read.byCost, costMs: read.costMs, reading: read.reading } };
  if (!mappings) {
    return { unavailable: sample.memoryless ? notKept : read?.reading ? 'reading /proc/PID/smaps…' : 'not read yet', ...pace };
  }
  if (!mappings.ok) {
    return { unavailable: describeProcError(mappings.error), ...pace };
  }
  let rows = mappingRows.get(mappings);
  if (!rows) {
    const { categories, top } = mappings.value;
    rows = {
      kinds: MAPPING_CATEGORIES.filter((kind) => categories[kind].count > 0)
        .map((kind) => ({ kind, ...categories[kind] }))
        .sort((a, b) => b.rssBytes - a.rssBytes || b.count - a.count),
      top: top.map(({ name, category, perms, rssBytes, pssBytes, privateBytes }) => ({ name, kind: category, perms, rssBytes, pssBytes, privateBytes })),
    };
    mappingRows.set(mappings, rows);
  }
  return {
    ...pace,
    ...rows,
    readAtMs: sample.mappingsTimeMs ?? sample.timeMs,
  };
}

function cgroupFigure(sample: ProcessSample): ProcessSnapshot['cgroup'] {
  const cgroup = sample.cgroup;
  if (!cgroup) {
    return { unavailable: 'not read yet' };
  }
  if (!cgroup.ok) {
    return { unavailable: describeProcError(cgroup.error) };
  }
  if (!cgroup.value) {
    return { unavailable: 'no cgroup memory accounting visible for this process' };
  }
  if (cgroup.value.limitBytes === undefined) {
    return { unavailable: `no limit set on its cgroup (${cgroup.value.path})` };
  }
  return { limitBytes: cgroup.value.limitBytes, currentBytes: cgroup.value.currentBytes, path: cgroup.value.path };
}

function commandLine(identity: ProcessIdentity): string {
  const key = identityKey(identity);
  let line = commandLines.get(key);
  if (line === undefined) {
    line = readCommandLine(`/proc/${identity.pid}`);
    if (commandLines.size >= 256) {
      commandLines.delete(commandLines.keys().next().value as string);
    }
    commandLines.set(key, line);
  }
  return line;
}
