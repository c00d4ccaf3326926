import * as fs from 'fs';
import { fail, ok, Outcome } from './outcome';
import { readProcText } from './procFile';
import { readCommandLine } from './commandLine';
import { ProcessIdentity } from './processIdentity';
import { isKernelThread, parseStat } from './stat';
import { parseStatm } from './statm';
import { systemInfo } from './systemInfo';

/** One row of the process table, as the process picker lists it. */
export interface ProcessRow {
  identity: ProcessIdentity;
  ppid: number;
  uid: number;
  /** The kernel's command name (comm, at most 15 bytes). */
  name: string;
  /** argv joined by spaces; empty for kernel threads and zombies. */
  commandLine: string;
  state: string;
  kernelThread: boolean;
  resBytes: number;
  virtBytes: number;
  shrBytes: number;
}

/**
 * Reads every process in /proc: stat (identity, name), statm (memory), cmdline, and the owner from
 * the directory's uid (one stat() call, cheaper than parsing status). Processes that exit during
 * the scan are skipped; that is normal.
 */
export function scanProcessTable(procRoot = '/proc'): Outcome<ProcessRow[]> {
  let entries: string[];
  try {
    entries = fs.readdirSync(procRoot);
  } catch {
    return fail({ kind: 'unsupported', detail: `${procRoot} is not readable (Linux only)` });
  }
  const pageSize = systemInfo().pageSize;
  const rows: ProcessRow[] = [];
  for (const entry of entries) {
    const first = entry.charCodeAt(0);
    if (first < 48 || first > 57) {
      continue; // not a PID directory
    }
    const row = readRow(`${procRoot}/${entry}`, Number(entry), pageSize);
    if (row) {
      rows.push(row);
    }
  }
  return ok(rows);
}

/** How many processes a chunk of scanProcessTableInChunks reads before it yields (~15 ms of reads). */
export const SCAN_CHUNK = 250;

/**
 * scanProcessTable in chunks, yielding to the event loop between them, so that a machine with
 * thousands of processes neither blocks the extension host nor keeps a picker empty: `onChunk`
 * gets the rows read so far after each chunk. It stops early, with what it has, when `cancelled`
 * says so (the picker closed).
 */
export async function scanProcessTableInChunks(
  onChunk: (rowsSoFar: readonly ProcessRow[], done: boolean) => void,
  cancelled: () => boolean = () => false,
  procRoot = '/proc',
): Promise<Outcome<ProcessRow[]>> {
  let entries: string[];
  try {
    entries = (await fs.promises.readdir(procRoot)).filter(
      (entry) => entry.charCodeAt(0) >= 48 && entry.charCodeAt(0) <= 57,
    );
  } catch {
    return fail({ kind: 'unsupported', detail: `${procRoot} is not readable (Linux only)` });
  }
  const pageSize = systemInfo().pageSize;
  const rows: ProcessRow[] = [];
  for (let start = 0; start < entries.length && !cancelled(); start += SCAN_CHUNK) {
    for (const entry of entries.slice(start, start + SCAN_CHUNK)) {
      const row = readRow(`${procRoot}/${entry}`, Number(entry), pageSize);
      if (row) {
        rows.push(row);
      }
    }
    const done = start + SCAN_CHUNK >= entries.length;
    onChunk(rows, done);
    if (!done) {
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return ok(rows);
}

function readRow(dir: string, pid: number, pageSize: number): ProcessRow | undefined {
  let uid: number;
  try {
    uid = fs.statSync(dir).uid;
  } catch {
    return undefined;
  }
  const statText = readProcText(`${dir}/stat`);
  const stat = statText.ok ? parseStat(statText.value) : undefined;
  const statmText = readProcText(`${dir}/statm`);
  const statm = statmText.ok ? parseStatm(statmText.value, pageSize) : undefined;
  if (!stat?.ok || !statm?.ok) {
    return undefined;
  }
  return {
    identity: { pid, startTicks: stat.value.startTicks },
    ppid: stat.value.ppid,
    uid,
    name: stat.value.comm,
    commandLine: readCommandLine(dir),
    state: stat.value.state,
    kernelThread: isKernelThread(stat.value),
    resBytes: statm.value.resBytes,
    virtBytes: statm.value.virtBytes,
    shrBytes: statm.value.shrBytes,
  };
}
