import { readProcText } from './procFile';
import { fail, malformed, ok, Outcome } from './outcome';

/** One level on the way up from the group to the root that has a memory limit. */
export interface CgroupLimitLevel {
  /** The cgroup path of this level ("/" for the root of what we can see). */
  path: string;
  limitBytes: number;
  /** Where the limit comes from: memory.max or memory.high (v2), memory.limit_in_bytes or hierarchical_memory_limit (v1). */
  limitFile: string;
  /** Everything charged to this level, its descendants included; undefined when unreadable (see workingSet). */
  usageBytes: number | undefined;
  /** usage − inactive file of this level, clamped at 0; unavailable when its memory.stat cannot be read. */
  workingSet: Outcome<number>;
}

/** The counters the kernel keeps about a group running out of memory. */
export interface OomCounters {
  version: 1 | 2;
  /** The group they belong to. */
  path: string;
  /** v2 memory.events (this group and its descendants): times usage went over memory.high, hit memory.max, OOM situations, processes killed. */
  high?: number;
  max?: number;
  oom?: number;
  oomKill?: number;
  /** v2 memory.events.local oom_kill (this group only, Linux 5.2+); v1 memory.oom_control oom_kill (v1 counts only the victim's group). */
  oomKillLocal?: number;
  /** v1 memory.failcnt: times usage hit the limit (normal with a full page cache). */
  failcnt?: number;
}

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
  /**
   * What the group cannot easily give back: usage − inactive file (v2 memory.stat inactive_file,
   * v1 total_inactive_file), clamped at 0, as cAdvisor and the kubelet compute it.
   */
  workingSet: Outcome<number>;
  /** Every level with a limit, from the group up (v2: memory.max and memory.high; v1: memory.limit_in_bytes, and hierarchical_memory_limit). */
  levels: CgroupLimitLevel[];
  /** tightestLevel(levels), computed once when the group is read; undefined without a readable limited level. */
  tightest: TightestLevel | undefined;
  /** The OOM counters of the group; unavailable when the kernel has none or they cannot be read. */
  oom: Outcome<OomCounters>;
}

/**
 * The level with the least headroom, with that level's own figures together: the kernel reclaims
 * and kills by the working set of the level whose limit is hit, which may be a parent's.
 */
export interface TightestLevel {
  level: CgroupLimitLevel;
  /** The working set of this level (not of the process's own group, when the level is a parent). */
  workingSetBytes: number;
  /** limitBytes − workingSetBytes; negative when over the limit. */
  headroomBytes: number;
  /** workingSetBytes as a percentage of limitBytes. */
  sharePercent: number;
}

/** The level with the least headroom (its limit minus its own working set), or undefined without limits. */
export function tightestLevel(levels: readonly CgroupLimitLevel[]): TightestLevel | undefined {
  let best: TightestLevel | undefined;
  for (const level of levels) {
    if (level.workingSet.ok) {
      const workingSetBytes = level.workingSet.value;
      const headroomBytes = level.limitBytes - workingSetBytes;
      if (!best || headroomBytes < best.headroomBytes) {
        best = { level, workingSetBytes, headroomBytes, sharePercent: (workingSetBytes / level.limitBytes) * 100 };
      }
    }
  }
  return best;
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
  return text.split('\n').every((line) => line === '' || /^\d+:[^:]*:\//.test(line))
    ? ok(undefined)
    : malformed('cgroup lines are not "id:controllers:/path"');
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

/** The files of each version: limit on every level, usage of the group itself, inactive file in memory.stat. */
const FILES = {
  2: { base: '', limits: ['memory.max', 'memory.high'], usage: 'memory.current', inactiveFile: 'inactive_file' },
  1: {
    base: '/memory',
    limits: ['memory.limit_in_bytes'],
    usage: 'memory.usage_in_bytes',
    inactiveFile: 'total_inactive_file',
  },
} as const;

/** The directory of a group in a hierarchy. */
export function cgroupDir(version: 1 | 2, path: string, cgroupRoot = '/sys/fs/cgroup'): string {
  return `${cgroupRoot}${FILES[version].base}${path === '/' ? '' : path}`;
}

/** Parses `key value` lines (memory.stat, memory.events, memory.oom_control) into numbers. */
export function parseFlatKeyed(text: string, file: string): Outcome<Map<string, number>> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '') {
      continue;
    }
    // Lines of another shape are skipped, not fatal: kernels add keys, and we read only a few.
    const match = /^([a-z_0-9]+) (\d{1,20})$/.exec(line);
    if (match) {
      values.set(match[1], Number(match[2]));
    }
  }
  return values.size > 0 ? ok(values) : malformed(`${file} has no "key number" line`);
}

/** Which groups a process is in: readMembership, or the reading of it made in the same tick. */
export type MembershipReader = typeof readMembership;

/** /proc/PID/cgroup, and the process's group in the unified (v2) hierarchy when it has one. */
export function readMembership(pid: number, procRoot = '/proc'): Outcome<{ text: string; v2Path: string | undefined }> {
  const membership = readProcText(`${procRoot}/${pid}/cgroup`);
  if (!membership.ok) {
    return membership;
  }
  const v2Path = parseCgroupV2Path(membership.value);
  return v2Path.ok ? ok({ text: membership.value, v2Path: v2Path.value }) : v2Path;
}

/**
 * Reads the cgroup memory of a process: v2 where the unified hierarchy has the memory controller,
 * else the v1 memory controller (hybrid hosts); undefined when it has none we can see.
 */
export function readCgroupMemory(
  pid: number,
  procRoot = '/proc',
  cgroupRoot = '/sys/fs/cgroup',
  read: GroupReader = readGroup,
  readMembershipOf: MembershipReader = readMembership,
): Outcome<CgroupMemory | undefined> {
  const membership = readMembershipOf(pid, procRoot);
  if (!membership.ok) {
    return membership;
  }
  const { text, v2Path } = membership.value;
  if (v2Path !== undefined) {
    const v2 = read(2, v2Path, cgroupRoot);
    if (!v2.ok || v2.value) {
      return v2;
    }
  }
  const v1Path = parseCgroupV1MemoryPath(text);
  return v1Path === undefined ? ok(undefined) : read(1, v1Path, cgroupRoot);
}

/** Reads a file as text, or says why it cannot: readProcText, or a reader that keeps files open. */
export type TextReader = (path: string) => Outcome<string>;

/** Reads the memory files of one group and the limits above it: readGroup, or a cache of it. */
export type GroupReader = (version: 1 | 2, path: string, cgroupRoot: string) => Outcome<CgroupMemory | undefined>;

/**
 * Reads a file of a group whose usage was readable: a missing file here is a kernel (or a
 * container) without it, not a process that exited, so it says which file is missing.
 */
function readGroupFile(path: string, readText: TextReader): Outcome<string> {
  const text = readText(path);
  return !text.ok && text.error.kind === 'gone' ? fail({ kind: 'unsupported', detail: `no ${path}` }) : text;
}

function readUsage(version: 1 | 2, dir: string, readText: TextReader, own = false): Outcome<number> {
  const file = FILES[version].usage;
  const text = own ? readText(`${dir}/${file}`) : readGroupFile(`${dir}/${file}`, readText);
  if (!text.ok) {
    return text;
  }
  const value = text.value.trim();
  return /^\d{1,20}$/.test(value) ? ok(Number(value)) : malformed(`${file} "${value.slice(0, 20)}"`);
}

/** memory.stat of a group, for its inactive file pages and (v1) its hierarchical limit. */
function readStat(dir: string, readText: TextReader): Outcome<Map<string, number>> {
  const text = readGroupFile(`${dir}/memory.stat`, readText);
  return text.ok ? parseFlatKeyed(text.value, 'memory.stat') : text;
}

function workingSetOf(version: 1 | 2, usageBytes: number, stat: Outcome<Map<string, number>>): Outcome<number> {
  if (!stat.ok) {
    return stat;
  }
  const inactive = stat.value.get(FILES[version].inactiveFile);
  if (inactive === undefined) {
    return malformed(`memory.stat has no ${FILES[version].inactiveFile}`);
  }
  return ok(Math.max(0, usageBytes - inactive));
}

/**
 * Reads a group's memory files and the limits above it; `readText` reads each file (the Sampler's
 * keeps them open, see keptFiles.ts).
 */
export function readGroup(
  version: 1 | 2,
  path: string,
  cgroupRoot: string,
  readText: TextReader = readProcText,
): Outcome<CgroupMemory | undefined> {
  const files = FILES[version];
  const dirOf = (dir: string) => cgroupDir(version, dir, cgroupRoot);
  const current = readUsage(version, dirOf(path), readText, true);
  if (!current.ok) {
    // No such file: this hierarchy has no memory controller here, or (in a container) the host's
    // path is not visible. Nothing to show rather than an error.
    return current.error.kind === 'gone' ? ok(undefined) : fail(current.error);
  }
  const ownStat = readStat(dirOf(path), readText);
  // Walk up to the root: every ancestor's limit applies, and each level's headroom is its limit
  // minus its own working set (an ancestor also holds its other children). Levels without a limit
  // file are skipped, not the end of the walk. "/" counts too: inside a container with its own
  // cgroup namespace, the container's limit sits at the namespace root.
  const levels: CgroupLimitLevel[] = [];
  let limitBytes: number | undefined;
  for (let dir = path; ; dir = dir.slice(0, dir.lastIndexOf('/')) || '/') {
    let levelLimit: { bytes: number; file: string } | undefined;
    for (const file of files.limits) {
      const limit = readText(`${dirOf(dir)}/${file}`);
      if (limit.ok) {
        const parsed = parseMemoryMax(limit.value);
        if (!parsed.ok) {
          return malformed(`${file} "${limit.value.trim().slice(0, 20)}"`);
        }
        if (parsed.value === undefined) {
          continue;
        }
        if (file !== 'memory.high' && (limitBytes === undefined || parsed.value < limitBytes)) {
          limitBytes = parsed.value; // memory.high throttles, it never kills: not "the limit"
        }
        if (levelLimit === undefined || parsed.value < levelLimit.bytes) {
          levelLimit = { bytes: parsed.value, file };
        }
      }
    }
    if (levelLimit) {
      const usage = dir === path ? current : readUsage(version, dirOf(dir), readText);
      // A limit whose level cannot be measured still binds: keep it, with the reason.
      const workingSet = usage.ok
        ? workingSetOf(version, usage.value, dir === path ? ownStat : readStat(dirOf(dir), readText))
        : usage;
      levels.push({
        path: dir,
        limitBytes: levelLimit.bytes,
        limitFile: levelLimit.file,
        usageBytes: usage.ok ? usage.value : undefined,
        workingSet,
      });
    }
    if (dir === '/') {
      break;
    }
  }
  // v1: the kernel's own minimum over the hierarchy, which also covers ancestors we cannot see.
  const hierarchical = version === 1 && ownStat.ok ? ownStat.value.get('hierarchical_memory_limit') : undefined;
  if (
    hierarchical !== undefined &&
    hierarchical < V1_UNLIMITED &&
    (limitBytes === undefined || hierarchical < limitBytes)
  ) {
    limitBytes = hierarchical;
    levels.push({
      path,
      limitBytes: hierarchical,
      limitFile: 'hierarchical_memory_limit',
      usageBytes: current.value,
      workingSet: workingSetOf(version, current.value, ownStat),
    });
  }
  return ok({
    version,
    path,
    limitBytes,
    currentBytes: current.value,
    workingSet: workingSetOf(version, current.value, ownStat),
    levels,
    tightest: tightestLevel(levels),
    oom: readOomCounters(version, path, cgroupRoot, readText),
  });
}

/** The OOM counters of a group: v2 memory.events and memory.events.local, v1 memory.oom_control and memory.failcnt. */
export function readOomCounters(
  version: 1 | 2,
  path: string,
  cgroupRoot = '/sys/fs/cgroup',
  readText: TextReader = readProcText,
): Outcome<OomCounters> {
  const dir = cgroupDir(version, path, cgroupRoot);
  if (version === 2) {
    const events = readGroupFile(`${dir}/memory.events`, readText);
    if (!events.ok) {
      return events;
    }
    const parsed = parseFlatKeyed(events.value, 'memory.events');
    if (!parsed.ok) {
      return parsed;
    }
    const counters: OomCounters = {
      version,
      path,
      high: parsed.value.get('high'),
      max: parsed.value.get('max'),
      oom: parsed.value.get('oom'),
      oomKill: parsed.value.get('oom_kill'),
    };
    const local = readText(`${dir}/memory.events.local`); // Linux 5.2+
    if (local.ok) {
      const parsedLocal = parseFlatKeyed(local.value, 'memory.events.local');
      if (!parsedLocal.ok) {
        return parsedLocal;
      }
      counters.oomKillLocal = parsedLocal.value.get('oom_kill');
    }
    return ok(counters);
  }
  const control = readGroupFile(`${dir}/memory.oom_control`, readText);
  if (!control.ok) {
    return control;
  }
  const parsed = parseFlatKeyed(control.value, 'memory.oom_control');
  if (!parsed.ok) {
    return parsed;
  }
  const counters: OomCounters = { version, path, oomKillLocal: parsed.value.get('oom_kill') };
  const failcnt = readText(`${dir}/memory.failcnt`);
  if (failcnt.ok && /^\d{1,20}$/.test(failcnt.value.trim())) {
    counters.failcnt = Number(failcnt.value.trim());
  }
  if (counters.oomKillLocal === undefined) {
    return fail({ kind: 'unsupported', detail: 'memory.oom_control has no oom_kill counter (Linux 4.13+)' });
  }
  return ok(counters);
}
