import { ProcessTreeWalk } from '../proc/processTreeWalk';

/** A terminal command's process tree as one walk read it: what the status bar hover and the debug view both show. */
export interface CommandTree {
  processes: number;
  /** RES summed over the members. */
  resBytes: number;
  /** PSS summed over the members whose smaps_rollup could be read. */
  pssBytes: number;
  /** Members without a PSS reading: the PSS total is then a lower bound. */
  pssMissing: number;
  /** The largest members, largest first, by PSS (RES where PSS could not be read). */
  largest: { pid: number; name: string; bytes: number; figure: 'PSS' | 'RES' }[];
}

/** Walks the tree once and keeps the figures both views show, so the hover and the view cannot disagree. */
export function readCommandTree(walk: ProcessTreeWalk, largestCount: number): CommandTree {
  const reading = walk.walk();
  const largest = reading.members
    .map((member) => ({
      pid: member.identity.pid,
      name: member.name,
      bytes: member.pssBytes ?? member.resBytes,
      figure: member.pssBytes === undefined ? ('RES' as const) : ('PSS' as const),
    }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, largestCount);
  return {
    processes: reading.members.length,
    resBytes: reading.resBytes,
    pssBytes: reading.pssBytes,
    pssMissing: reading.pssMissing,
    largest,
  };
}
