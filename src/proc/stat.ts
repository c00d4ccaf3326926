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
