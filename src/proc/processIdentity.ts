import { isPid } from '../../shared/pid';
import { fail, ok, Outcome } from './outcome';
import { readProcText } from './procFile';
import { parseStat } from './stat';

/**
 * A process is its PID plus its start time: PIDs are reused, start times (clock ticks after boot)
 * tell the new owner of a number from the old one.
 */
export interface ProcessIdentity {
  pid: number;
  startTicks: number;
}

export function identityKey(identity: ProcessIdentity): string {
  return `${identity.pid}@${identity.startTicks}`;
}

export function sameProcess(a: ProcessIdentity, b: ProcessIdentity): boolean {
  return a.pid === b.pid && a.startTicks === b.startTicks;
}

/** Wall-clock start time in ms since the epoch. */
export function startTimeMs(identity: ProcessIdentity, bootTimeMs: number, clockTicks: number): number {
  return bootTimeMs + (identity.startTicks * 1000) / clockTicks;
}

/** Reads who holds this PID now, from /proc/PID/stat. */
export function readIdentity(pid: number, procRoot = '/proc'): Outcome<ProcessIdentity> {
  if (!isPid(pid)) {
    return fail({ kind: 'gone', detail: `${String(pid)} is not a PID` });
  }
  const text = readProcText(`${procRoot}/${pid}/stat`);
  if (!text.ok) {
    return text;
  }
  const stat = parseStat(text.value);
  return stat.ok ? ok({ pid, startTicks: stat.value.startTicks }) : stat;
}
