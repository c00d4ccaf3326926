import { MembershipReader, readMembership } from './cgroup';
import { fail, malformed, ok, Outcome, ProcError } from './outcome';
import { readProcText } from './procFile';

/** One line of a PSI file: the share of time (percent) tasks stalled, over 10, 60 and 300 s, and the total in µs. */
export interface PressureLine {
  avg10: number;
  avg60: number;
  avg300: number;
  totalUs: number;
}

/** Memory pressure (PSI): `some` task waited for memory, or `full`: all non-idle tasks did at once. */
export interface Pressure {
  some: PressureLine;
  full: PressureLine;
}

/** Where a pressure reading comes from, and the reading. */
export interface PressureReading {
  /** The file read, e.g. /proc/pressure/memory or /sys/fs/cgroup/unified/app.slice/memory.pressure. */
  file: string;
  /** The group in the unified (v2) hierarchy; undefined for the system-wide figure. */
  path?: string;
  pressure: Pressure;
}

export function parsePressure(text: string): Outcome<Pressure> {
  const lines: Partial<Pressure> = {};
  for (const line of text.split('\n')) {
    if (line === '') {
      continue;
    }
    const match =
      /^(some|full) avg10=(\d{1,3}\.\d\d) avg60=(\d{1,3}\.\d\d) avg300=(\d{1,3}\.\d\d) total=(\d{1,20})$/.exec(line);
    if (!match) {
      return malformed(`pressure line "${line.slice(0, 60)}"`);
    }
    lines[match[1] as 'some' | 'full'] = {
      avg10: Number(match[2]),
      avg60: Number(match[3]),
      avg300: Number(match[4]),
      totalUs: Number(match[5]),
    };
  }
  // Memory PSI has had both lines since it came (Linux 4.20).
  if (!lines.some || !lines.full) {
    return malformed('pressure has no "some" and "full" lines');
  }
  return ok(lines as Pressure);
}

/** PSI files that are missing or refused mean the kernel has no PSI, or it is off: say which. */
function noPsi(error: ProcError, file: string): ProcError {
  if (error.kind === 'gone') {
    return {
      kind: 'unsupported',
      detail: `no ${file}: this kernel has no pressure stall information (Linux 4.20+ with CONFIG_PSI)`,
    };
  }
  if (error.kind === 'io-error' && /EOPNOTSUPP|ENOTSUP/.test(error.detail)) {
    return { kind: 'unsupported', detail: `${file}: pressure stall information is turned off (boot with psi=1)` };
  }
  return error;
}

function readPressureFile(file: string, read: (path: string) => Outcome<string> = readProcText): Outcome<Pressure> {
  const text = read(file);
  return text.ok ? parsePressure(text.value) : fail(noPsi(text.error, file));
}

/** The system-wide memory pressure. */
export function readSystemPressure(
  procRoot = '/proc',
  read: (path: string) => Outcome<string> = readProcText,
): Outcome<PressureReading> {
  const file = `${procRoot}/pressure/memory`;
  const pressure = readPressureFile(file, read);
  return pressure.ok ? ok({ file, pressure: pressure.value }) : pressure;
}

/**
 * Where the unified (v2) hierarchy is mounted: /sys/fs/cgroup on v2 hosts, /sys/fs/cgroup/unified
 * on hybrid ones. Found through mountinfo (`... - cgroup2 ...`), with the root of the mount, which a
 * container's cgroup namespace or a bind mount can make other than "/".
 */
export function parseCgroup2Mount(mountinfo: string): Cgroup2Mount | undefined {
  // The same text serves every watched process for up to 30 s (detailReaders.ts): parsed once.
  if (lastMount?.mountinfo !== mountinfo) {
    lastMount = { mountinfo, mount: findCgroup2Mount(mountinfo) };
  }
  return lastMount.mount;
}

interface Cgroup2Mount {
  mountPoint: string;
  root: string;
}

let lastMount: { mountinfo: string; mount: Cgroup2Mount | undefined } | undefined;

function findCgroup2Mount(mountinfo: string): Cgroup2Mount | undefined {
  for (const line of mountinfo.split('\n')) {
    const [before, after] = line.split(' - ');
    if (after?.split(' ')[0] === 'cgroup2') {
      const fields = before.split(' ');
      if (fields.length >= 5) {
        const unescape = (text: string) =>
          text.replace(/\\(\d{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
        return { root: unescape(fields[3]), mountPoint: unescape(fields[4]) };
      }
    }
  }
  return undefined;
}

/**
 * How readGroupPressure reads its files: readProcText, or a cache of it whose age each caller
 * chooses (mountinfo changes about never, a pressure file all the time).
 */
export interface GroupPressureReaders {
  /** /proc/self/mountinfo: where the v2 hierarchy is mounted. */
  mountinfo: (path: string) => Outcome<string>;
  /** The group's memory.pressure. */
  pressure: (path: string) => Outcome<string>;
  /** /proc/PID/cgroup: read with the cgroup's figures in the same tick, so read once for both. */
  membership?: MembershipReader;
}

/**
 * The memory pressure of the process's group in the unified hierarchy (memory.pressure). On hybrid
 * hosts that is not the v1 group that holds the memory limit: the reading says which group it is.
 */
export function readGroupPressure(
  pid: number,
  procRoot = '/proc',
  read: GroupPressureReaders = { mountinfo: readProcText, pressure: readProcText },
): Outcome<PressureReading> {
  const membership = (read.membership ?? readMembership)(pid, procRoot);
  if (!membership.ok) {
    return membership;
  }
  const path = membership.value.v2Path;
  if (path === undefined) {
    return fail({
      kind: 'unsupported',
      detail: 'the process is in no cgroup v2 group (no "0::" line in its cgroup file)',
    });
  }
  const mountinfo = read.mountinfo(`${procRoot}/self/mountinfo`);
  if (!mountinfo.ok) {
    return mountinfo;
  }
  const mount = parseCgroup2Mount(mountinfo.value);
  if (!mount) {
    return fail({ kind: 'unsupported', detail: 'no cgroup2 hierarchy is mounted' });
  }
  const relative =
    mount.root === '/'
      ? path
      : path === mount.root || path.startsWith(`${mount.root}/`)
        ? path.slice(mount.root.length) || '/'
        : undefined;
  if (relative === undefined) {
    return fail({
      kind: 'unsupported',
      detail: `its group ${path} is outside the mounted part of the hierarchy (${mount.root})`,
    });
  }
  const file = `${mount.mountPoint}${relative === '/' ? '' : relative}/memory.pressure`;
  const pressure = readPressureFile(file, read.pressure);
  return pressure.ok ? ok({ file, path, pressure: pressure.value }) : pressure;
}
