import { cgroupDir, parseCgroupV1MemoryPath, readMembership } from './cgroup';
import { readProcText } from './procFile';
import { fail, malformed, ok, Outcome } from './outcome';

/** A memory cgroup: its hierarchy version and its path in it. */
export interface MemoryGroup {
  version: 1 | 2;
  path: string;
}

/** The kernel's own high-water mark of a group's charge (its processes' memory and page cache). */
export interface CgroupPeak {
  bytes: number;
  /** v2 memory.peak, v1 memory.max_usage_in_bytes. */
  file: 'memory.peak' | 'memory.max_usage_in_bytes';
  group: MemoryGroup;
}

const PEAK_FILE = { 2: 'memory.peak', 1: 'memory.max_usage_in_bytes' } as const;

/** Reads the peak charge of a group; v2 memory.peak needs Linux 5.19. */
export function readCgroupPeak(group: MemoryGroup, cgroupRoot = '/sys/fs/cgroup'): Outcome<CgroupPeak> {
  const file = PEAK_FILE[group.version];
  const text = readProcText(`${cgroupDir(group.version, group.path, cgroupRoot)}/${file}`);
  if (!text.ok) {
    return text.error.kind === 'gone' ? fail({ kind: 'unsupported', detail: `no ${file} for ${group.path}` }) : text;
  }
  const value = text.value.trim();
  return /^\d{1,20}$/.test(value)
    ? ok({ bytes: Number(value), file, group })
    : malformed(`${file} "${value.slice(0, 20)}"`);
}

/** The memory group of a process: v2 when its unified group has the memory controller, else v1's. */
export function memoryGroupOf(pid: number, procRoot = '/proc', cgroupRoot = '/sys/fs/cgroup'): MemoryGroup | undefined {
  const membership = readMembership(pid, procRoot);
  if (!membership.ok) {
    return undefined;
  }
  const { v2Path, text } = membership.value;
  if (v2Path !== undefined && readProcText(`${cgroupDir(2, v2Path, cgroupRoot)}/memory.current`).ok) {
    return { version: 2, path: v2Path };
  }
  const v1Path = parseCgroupV1MemoryPath(text);
  return v1Path === undefined ? undefined : { version: 1, path: v1Path };
}

/** The PIDs in a group (cgroup.procs), or undefined when it cannot be read. */
export function groupProcesses(group: MemoryGroup, cgroupRoot = '/sys/fs/cgroup'): number[] | undefined {
  const text = readProcText(`${cgroupDir(group.version, group.path, cgroupRoot)}/cgroup.procs`);
  return text.ok ? text.value.split('\n').filter(Boolean).map(Number) : undefined;
}

/**
 * Whether `group` holds the tree alone: it is not the group of `outsider` (the extension host, whose
 * group holds everything it starts) and every process in it is a member. Only then is the group's
 * peak the tree's.
 */
export function isOwnGroup(
  group: MemoryGroup,
  memberPids: ReadonlySet<number>,
  outsider: MemoryGroup | undefined,
  cgroupRoot = '/sys/fs/cgroup',
): boolean {
  if (outsider && outsider.version === group.version && outsider.path === group.path) {
    return false;
  }
  const pids = groupProcesses(group, cgroupRoot);
  return pids !== undefined && pids.length > 0 && pids.every((pid) => memberPids.has(pid));
}
