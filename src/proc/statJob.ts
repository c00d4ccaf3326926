import { malformed, ok, Outcome } from './outcome';

/** The job-control fields of /proc/PID/stat: who shares a terminal and who holds it. */
export interface StatJob {
  /** Process group (field 5). */
  pgrp: number;
  /** Session id (field 6): a tree's members keep it when re-parented, unless they call setsid. */
  session: number;
  /** The foreground process group of its controlling terminal (field 8, tpgid); -1 without one. */
  tpgid: number;
}

/** Fields 5, 6 and 8 of a stat line, read after the LAST ")" as parseStat does (comm may hold ")"). */
export function parseStatJob(text: string): Outcome<StatJob> {
  const close = text.lastIndexOf(')');
  const rest =
    close < 0
      ? []
      : text
          .slice(close + 2)
          .trim()
          .split(' ');
  const fields = [rest[2], rest[3], rest[5]];
  if (fields.some((field) => field === undefined || !/^-?\d{1,10}$/.test(field))) {
    return malformed('stat has no process group, session or tpgid');
  }
  const [pgrp, session, tpgid] = fields.map(Number);
  return ok({ pgrp, session, tpgid });
}
