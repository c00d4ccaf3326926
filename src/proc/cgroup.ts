import { readProcText } from './procFile';
import { fail, malformed, ok, Outcome } from './outcome';

/** The memory accounting of the cgroup a process belongs to. */
export interface CgroupMemory {
  /** cgroup v2 (unified), or the v1 memory controller (older and hybrid hosts). */
  version: 1 | 2;
  /** The cgroup path, e.g. "/user.slice/user-1000.slice/session-2.scope". */
  path: string;
  /** The smallest limit on the way to the root in bytes (memory.max or memory.limit_in_bytes); undefined when none. */
  limitBytes: number | undefined;
  /** Everything charged to the cgroup (all its processes and page cache): memory.current or memory.usage_in_bytes. */
  currentBytes: number;
}

/** Finds the cgroup v2 path (`0::/path`) in /proc/PID/cgroup. */
export function parseCgroupV2Path(text: string): Outcome<string | undefined> {
  for (const line of text.split('\n')) {
    if (line.startsWith('0::')) {
      const path = line.slice(3).trim();
      return path.startsWith('/') ? ok(path) : malformed(`cgroup path "${path.slice(0, 40)}"`);
    }
  }
  // cgroup v1 only (or no hierarchy mounted: an empty file): no v2 path.
  return text.split('\n').every((line) => line === '' || /^\d+:[^:]*:\//.test(line)) ? ok(undefined) : malformed('cgroup lines are not "id:controllers:/path"');
}

/** Finds the path in the v1 memory hierarchy (`4:memory:/path`, or `4:cpu,memory:/path`). */
export function parseCgroupV1MemoryPath(text: string): string | undefined {
  for (const line of text.split('\n')) {
    const match = /^\d+:([^:]*):(\/.*)$/.exec(line);
    if (match && match[1].split(',').includes('memory')) {
      return match[2];
    }
  }
  return undefined;
}

/** v1 says "no limit" with the largest page count it can hold (9223372036854771712 on x86-64). */
const V1_UNLIMITED = 2 ** 62;

export function parseMemoryMax(text: string): Outcome<number | undefined> {
  const value = text.trim();
  if (value === 'max') {
    return ok(undefined);
  }
  if (!/^\d{1,20}$/.test(value)) {
    return malformed(`memory limit "${value.slice(0, 20)}"`);
  }
  return ok(Number(value) >= V1_UNLIMITED ? undefined : Number(value));
}

/** The files of each version: limit on every level, usage of the group itself. */
const FILES = {
  2: { base: '', limit: 'memory.max', usage: 'memory.current' },
  1: { base: '/memory', limit: 'memory.limit_in_bytes', usage: 'memory.usage_in_bytes' },
} as const;

/**
 * Reads the cgroup memory of a process: v2 where the unified hierarchy has the memory controller,
 * else the v1 memory controller (hybrid hosts); undefined when it has none we can see.
 */
export function readCgroupMemory(
  pid: number,
  procRoot = '/proc',
  cgroupRoot = '/sys/fs/cgroup',
): Outcome<CgroupMemory | undefined> {
  const membership = readProcText(`${procRoot}/${pid}/cgroup`);
  if (!membership.ok) {
    return membership;
  }
  const v2Path = parseCgroupV2Path(membership.value);
  if (!v2Path.ok) {
    return v2Path;
  }
  if (v2Path.value !== undefined) {
    const v2 = readGroup(2, v2Path.value, cgroupRoot);
    if (!v2.ok || v2.value) {
      return v2;
    }
  }
  const v1Path = parseCgroupV1MemoryPath(membership.value);
  return v1Path === undefined ? ok(undefined) : readGroup(1, v1Path, cgroupRoot);
}

function readGroup(version: 1 | 2, path: string, cgroupRoot: string): Outcome<CgroupMemory | undefined> {
  const files = FILES[version];
  const dirOf = (dir: string) => `${cgroupRoot}${files.base}${dir === '/' ? '' : dir}`;
  const current = readProcText(`${dirOf(path)}/${files.usage}`);
  if (!current.ok) {
    // No such file: this hierarchy has no memory controller here, or (in a container) the host's
    // path is not visible. Nothing to show rather than an error.
    return current.error.kind === 'gone' ? ok(undefined) : fail(current.error);
  }
  const currentBytes = current.value.trim();
  if (!/^\d{1,20}$/.test(currentBytes)) {
    return malformed(`${files.usage} "${currentBytes.slice(0, 20)}"`);
  }
  // Walk up to the root: every ancestor's limit applies, so the smallest one binds. Levels without
  // a limit file are skipped, not the end of the walk. "/" counts too: inside a container with its
  // own cgroup namespace, the container's limit sits at the namespace root.
  let limitBytes: number | undefined;
  for (let dir = path; ; dir = dir.slice(0, dir.lastIndexOf('/')) || '/') {
    const limit = readProcText(`${dirOf(dir)}/${files.limit}`);
    if (limit.ok) {
      const parsed = parseMemoryMax(limit.value);
      if (!parsed.ok) {
        return parsed;
      }
      if (parsed.value !== undefined && (limitBytes === undefined || parsed.value < limitBytes)) {
        limitBytes = parsed.value;
      }
    }
    if (dir === '/') {
      break;
    }
  }
  return ok({ version, path, limitBytes, currentBytes: Number(currentBytes) });
}
