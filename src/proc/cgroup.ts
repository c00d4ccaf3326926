import { readProcText } from './procFile';
import { fail, malformed, ok, Outcome } from './outcome';

/** The memory accounting of the cgroup v2 a process belongs to. */
export interface CgroupMemory {
  /** The cgroup path, e.g. "/user.slice/user-1000.slice/session-2.scope". */
  path: string;
  /** memory.max in bytes, or undefined when it is "max" (no limit). */
  limitBytes: number | undefined;
  /** memory.current: everything charged to the cgroup (all its processes and page cache). */
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
  // cgroup v1 only (or no hierarchy mounted: an empty file): no single limit to show.
  return text.split('\n').every((line) => line === '' || /^\d+:[^:]*:\//.test(line)) ? ok(undefined) : malformed('cgroup lines are not "id:controllers:/path"');
}

export function parseMemoryMax(text: string): Outcome<number | undefined> {
  const value = text.trim();
  if (value === 'max') {
    return ok(undefined);
  }
  return /^\d{1,20}$/.test(value) ? ok(Number(value)) : malformed(`memory.max "${value.slice(0, 20)}"`);
}

/** Reads the cgroup v2 memory of a process; undefined when it has none we can see. */
export function readCgroupMemory(
  pid: number,
  procRoot = '/proc',
  cgroupRoot = '/sys/fs/cgroup',
): Outcome<CgroupMemory | undefined> {
  const membership = readProcText(`${procRoot}/${pid}/cgroup`);
  if (!membership.ok) {
    return membership;
  }
  const path = parseCgroupV2Path(membership.value);
  if (!path.ok || path.value === undefined) {
    return path as Outcome<undefined>;
  }
  // Walk up to the root: every ancestor's limit applies, so the smallest one binds. Levels without
  // a memory.max are skipped, not the end of the walk. "/" counts too: inside a container with its
  // own cgroup namespace, the container's limit sits at the namespace root.
  let limitBytes: number | undefined;
  for (let dir = path.value; ; dir = dir.slice(0, dir.lastIndexOf('/')) || '/') {
    const max = readProcText(`${cgroupRoot}${dir === '/' ? '' : dir}/memory.max`);
    if (max.ok) {
      const parsed = parseMemoryMax(max.value);
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
  const current = readProcText(`${cgroupRoot}${path.value === '/' ? '' : path.value}/memory.current`);
  if (!current.ok) {
    // Inside a container the host path is not visible: say there is nothing to show.
    return current.error.kind === 'gone' ? ok(undefined) : fail(current.error);
  }
  const currentBytes = current.value.trim();
  if (!/^\d{1,20}$/.test(currentBytes)) {
    return malformed(`memory.current "${currentBytes.slice(0, 20)}"`);
  }
  return ok({ path: path.value, limitBytes, currentBytes: Number(currentBytes) });
}
