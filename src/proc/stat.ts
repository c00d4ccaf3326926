import { malformed, ok, Outcome } from './outcome';

/** The fields of /proc/PID/stat this extension needs. */
export interface Stat {
  pid: number;
  /** The command name, up to 15 bytes; may hold spaces, parentheses, anything. */
  comm: string;
  state: string;
  ppid: number;
  /** The kernel's per-task flags; PF_KTHREAD marks a kernel thread. */
  flags: number;
  /** Clock ticks after boot when the process started: with the PID, its identity. */
  startTicks: number;
  vsizeBytes: number;
  rssPages: number;
  /** Page faults served without disk I/O (field 10, minflt), since the process started. */
  minorFaults: number;
  /** Page faults that had to read from disk or swap (field 12, majflt), since the process started. */
  majorFaults: number;
}

const PF_KTHREAD = 0x00200000;
const PF_EXITING = 0x00000004;

export function isKernelThread(stat: Stat): boolean {
  return (stat.flags & PF_KTHREAD) !== 0;
}

/** The process is in do_exit: its memory is being torn down, so its figures are no longer its own. */
export function isExiting(stat: Stat): boolean {
  return (stat.flags & PF_EXITING) !== 0;
}

/**
 * Parses `pid (comm) state ppid ...`. comm may contain spaces and ")", so the fields are read
 * after the LAST ")" in the line.
 */
export function parseStat(text: string): Outcome<Stat> {
  const open = text.indexOf(' (');
  const close = text.lastIndexOf(')');
  if (open < 1 || close < open) {
    return malformed('stat has no "(comm)"');
  }
  const pid = text.slice(0, open);
  // After ") ": field 3 (state) is rest[0]; field N is rest[N - 3].
  const rest = text
    .slice(close + 2)
    .trim()
    .split(' ');
  if (!/^\d+$/.test(pid) || !Number.isSafeInteger(Number(pid)) || rest.length < 22) {
    return malformed(`stat has ${rest.length + 2} fields, expected at least 24`);
  }
  const numbers = [rest[1], rest[6], rest[7], rest[9], rest[19], rest[20], rest[21]];
  if (
    !/^[A-Za-z]$/.test(rest[0]) ||
    numbers.some((field) => !/^-?\d+$/.test(field) || !Number.isSafeInteger(Number(field)))
  ) {
    return malformed('stat fields are not numbers where the kernel puts numbers');
  }
  return ok({
    pid: Number(pid),
    comm: text.slice(open + 2, close),
    state: rest[0],
    ppid: Number(rest[1]),
    flags: Number(rest[6]),
    startTicks: Number(rest[19]),
    vsizeBytes: Number(rest[20]),
    rssPages: Number(rest[21]),
    minorFaults: Number(rest[7]),
    majorFaults: Number(rest[9]),
  });
}

/**
 * The stat fields that count time and say nothing of memory: utime, stime, cutime, cstime (14–17),
 * the CPU it last ran on (39), block I/O delay and guest time (42–44). A process that runs moves
 * them at every reading.
 */
const TIME_FIELDS = new Set([14, 15, 16, 17, 39, 42, 43, 44]);
const SPACE = 0x20;
const CLOSE_PAREN = 0x29;

/**
 * Whether two readings of one process's stat differ at most in TIME_FIELDS: its state, parent,
 * flags, threads, fault counts, VIRT and RSS then stand as they did. Compared as bytes, with
 * nothing decoded: a tick asks it of every process that ran.
 */
export function sameBesideTime(a: Buffer, b: Buffer): boolean {
  const endA = a.lastIndexOf(CLOSE_PAREN);
  const endB = b.lastIndexOf(CLOSE_PAREN);
  if (endA < 0 || endA !== endB || a.compare(b, 0, endB, 0, endA) !== 0) {
    return false;
  }
  // Field 3 starts after ") "; each field is compared up to its space unless it counts time.
  let field = 2;
  let i = endA + 1;
  let j = endB + 1;
  while (i < a.length && j < b.length) {
    if (a[i] === SPACE && b[j] === SPACE) {
      field++;
      i++;
      j++;
      continue;
    }
    if (TIME_FIELDS.has(field)) {
      while (i < a.length && a[i] !== SPACE) {
        i++;
      }
      while (j < b.length && b[j] !== SPACE) {
        j++;
      }
      continue;
    }
    if (a[i] !== b[j]) {
      return false;
    }
    i++;
    j++;
  }
  return i === a.length && j === b.length;
}
