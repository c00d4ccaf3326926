// A task run as a recording holds it: the tree's totals over time, its peak and where the peak
// comes from, every member, the exit. Shared by the host (which writes and reads it) and the
// recording view; no vscode, no DOM, no Node.

/** Where a peak figure comes from. */
export type PeakSource =
  /** The largest sum of the members' PSS over the samples: shared pages counted once; misses what lived between samples. */
  | 'sampled-pss'
  /** The kernel's high-water mark of the task's own cgroup: exact, but the group's charge (page cache included), not PSS. */
  | 'cgroup';

/** One process of the tree. Names are untrusted text. */
export interface TaskRunMember {
  pid: number;
  startTicks: number;
  name: string;
  /** Its parent when first seen. */
  parentPid: number;
  /** Its new parent once its own exited (a subreaper, or init). */
  reparentedTo?: { pid: number; name: string };
  /** Its highest VmHWM read: the kernel's peak RES of that process, read at the last sample before it exited. */
  hwmBytes: number;
  maxPssBytes: number;
  firstSeenMs: number;
  /** Undefined when it outlived the task. */
  exitedAtMs?: number;
  /** Listed as a child, but gone before its memory could be read. */
  lost?: boolean;
}

/** The group a run with a memory limit ran in. */
export interface TaskRunGroup {
  version: 1 | 2;
  path: string;
  /** The limit set (memory.max, memory.limit_in_bytes, or a systemd scope's MemoryMax). */
  limitBytes?: number;
  /** The group's peak charge and the file it comes from. */
  peakBytes?: number;
  peakFile?: string;
}

export interface TaskRun {
  /** The task's label as VS Code names it (untrusted text). */
  label: string;
  /** The task's source, e.g. "Workspace", "npm", "shell". */
  source: string;
  startMs: number;
  durationMs: number;
  /** undefined when VS Code did not report one (the terminal was closed). */
  exitCode?: number;
  sampleIntervalMs: number;
  /** Columns aligned with the recording's samples: PSS summed, and how many processes ran. */
  pss: number[];
  processes: number[];
  peak: {
    bytes: number;
    source: PeakSource;
    /** The sampled PSS peak, always there: what the status bar says first. */
    pssBytes: number;
    atMs: number;
    processes: number;
    /** The member with the largest PSS at the sampled peak. */
    largest?: { pid: number; name: string; pssBytes: number };
  };
  /** Sum of every member's VmHWM: an upper bound of the tree's RES peak (members need not peak together). */
  hwmSumBytes: number;
  members: TaskRunMember[];
  /** Members left out of the file beyond MAX_MEMBERS. */
  membersOmitted: number;
  /** The memory group of a run with a limit. */
  group?: TaskRunGroup;
  budgetBytes?: number;
  /** The OOM verdict with its evidence, when a counter rose. */
  oomKill?: string;
}

/** Members kept in a file: a build can start tens of thousands of compiler processes. */
export const MAX_MEMBERS = 2000;

/** Checks a task run read from a file: anything else is dropped, names stay text. */
export function parseTaskRun(value: unknown, samples: number): TaskRun | undefined {
  if (!isRecord(value) || !isRecord(value.peak) || typeof value.label !== 'string') {
    return undefined;
  }
  const peak = value.peak;
  const numbers = (column: unknown) =>
    Array.isArray(column) && column.length === samples && column.every(isCount) ? (column as number[]) : undefined;
  const pss = numbers(value.pss);
  const processes = numbers(value.processes);
  if (
    !pss ||
    !processes ||
    !isCount(value.startMs) ||
    !isCount(value.durationMs) ||
    !isCount(peak.bytes) ||
    !isCount(peak.pssBytes) ||
    !isCount(peak.atMs) ||
    !isCount(peak.processes) ||
    (peak.source !== 'sampled-pss' && peak.source !== 'cgroup')
  ) {
    return undefined;
  }
  const largest = isRecord(peak.largest) ? peak.largest : undefined;
  const group = isRecord(value.group) ? value.group : undefined;
  return {
    label: value.label.slice(0, 256),
    source: typeof value.source === 'string' ? value.source.slice(0, 256) : '',
    startMs: value.startMs,
    durationMs: value.durationMs,
    exitCode: Number.isSafeInteger(value.exitCode) ? (value.exitCode as number) : undefined,
    sampleIntervalMs: isCount(value.sampleIntervalMs) ? value.sampleIntervalMs : 0,
    pss,
    processes,
    peak: {
      bytes: peak.bytes,
      source: peak.source,
      pssBytes: peak.pssBytes,
      atMs: peak.atMs,
      processes: peak.processes,
      largest:
        largest && isCount(largest.pid) && typeof largest.name === 'string' && isCount(largest.pssBytes)
          ? { pid: largest.pid, name: largest.name.slice(0, 256), pssBytes: largest.pssBytes }
          : undefined,
    },
    hwmSumBytes: isCount(value.hwmSumBytes) ? value.hwmSumBytes : 0,
    members: Array.isArray(value.members)
      ? value.members.slice(0, MAX_MEMBERS).flatMap((member) => parseMember(member) ?? [])
      : [],
    membersOmitted: isCount(value.membersOmitted) ? value.membersOmitted : 0,
    group:
      group && (group.version === 1 || group.version === 2) && typeof group.path === 'string'
        ? {
            version: group.version,
            path: group.path.slice(0, 4096),
            limitBytes: isCount(group.limitBytes) ? group.limitBytes : undefined,
            peakBytes: isCount(group.peakBytes) ? group.peakBytes : undefined,
            peakFile: typeof group.peakFile === 'string' ? group.peakFile.slice(0, 64) : undefined,
          }
        : undefined,
    budgetBytes: isCount(value.budgetBytes) ? value.budgetBytes : undefined,
    oomKill: typeof value.oomKill === 'string' ? value.oomKill.slice(0, 4096) : undefined,
  };
}

function parseMember(value: unknown): TaskRunMember | undefined {
  if (
    !isRecord(value) ||
    !isCount(value.pid) ||
    !isCount(value.startTicks) ||
    typeof value.name !== 'string' ||
    !isCount(value.parentPid) ||
    !isCount(value.hwmBytes) ||
    !isCount(value.maxPssBytes) ||
    !isCount(value.firstSeenMs)
  ) {
    return undefined;
  }
  const reparented = isRecord(value.reparentedTo) ? value.reparentedTo : undefined;
  return {
    pid: value.pid,
    startTicks: value.startTicks,
    name: value.name.slice(0, 256),
    parentPid: value.parentPid,
    reparentedTo:
      reparented && isCount(reparented.pid) && typeof reparented.name === 'string'
        ? { pid: reparented.pid, name: reparented.name.slice(0, 256) }
        : undefined,
    hwmBytes: value.hwmBytes,
    maxPssBytes: value.maxPssBytes,
    firstSeenMs: value.firstSeenMs,
    exitedAtMs: isCount(value.exitedAtMs) ? value.exitedAtMs : undefined,
    lost: value.lost === true ? true : undefined,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
