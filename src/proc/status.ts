import { malformed, ok, Outcome } from './outcome';

/** The memory lines of /proc/PID/status, converted from kB to bytes. Absent on kernel threads. */
export interface StatusMemory {
  vmPeak?: number;
  vmSize?: number;
  /** Peak RES ("high water mark"). */
  vmHWM?: number;
  vmRSS?: number;
  rssAnon?: number;
  rssFile?: number;
  rssShmem?: number;
  vmData?: number;
  vmStk?: number;
  vmExe?: number;
  vmLib?: number;
  vmPTE?: number;
  vmSwap?: number;
}

/** /proc/PID/status, the parts this extension shows. */
export interface Status extends StatusMemory {
  name: string;
  /** One letter, as ps prints it: R S D Z T t X I ... */
  state: string;
  ppid: number;
  /** Real user id. */
  uid: number;
  threads: number;
}

const MEMORY_KEYS: Record<string, keyof StatusMemory> = {
  VmPeak: 'vmPeak',
  VmSize: 'vmSize',
  VmHWM: 'vmHWM',
  VmRSS: 'vmRSS',
  RssAnon: 'rssAnon',
  RssFile: 'rssFile',
  RssShmem: 'rssShmem',
  VmData: 'vmData',
  VmStk: 'vmStk',
  VmExe: 'vmExe',
  VmLib: 'vmLib',
  VmPTE: 'vmPTE',
  VmSwap: 'vmSwap',
};

const MEMORY_ENTRIES = Object.entries(MEMORY_KEYS);
/** The only lines read: status has ~55, and skipping the rest halves the parse (see bench/). */
const WANTED = new Set(['Name', 'State', 'PPid', 'Uid', 'Threads', ...Object.keys(MEMORY_KEYS)]);

export function parseStatus(text: string): Outcome<Status> {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) {
      const key = line.slice(0, colon);
      if (WANTED.has(key)) {
        fields.set(key, line.slice(colon + 1).trim());
      }
    }
  }
  // The kernel escapes control characters in Name as backslash sequences; keep it as text.
  const name = fields.get('Name');
  const state = fields.get('State')?.charAt(0);
  const ppid = parseCount(fields.get('PPid'));
  const uid = parseCount(fields.get('Uid')?.split(/\s+/)[0]);
  const threads = parseCount(fields.get('Threads'));
  if (name === undefined || !state || ppid === undefined || uid === undefined || threads === undefined) {
    return malformed('status lacks Name, State, PPid, Uid or Threads');
  }
  const status: Status = { name, state, ppid, uid, threads };
  for (const [key, property] of MEMORY_ENTRIES) {
    const raw = fields.get(key);
    if (raw === undefined) {
      continue;
    }
    const match = /^(\d+)\s+kB$/.exec(raw);
    if (!match || !Number.isSafeInteger(Number(match[1]) * 1024)) {
      return malformed(`status ${key} is "${raw.slice(0, 30)}", expected "N kB"`);
    }
    status[property] = Number(match[1]) * 1024;
  }
  return ok(status);
}

/** The memory lines of a parsed status, without its name, state, parent, uid and threads. */
export function statusMemory(status: Status): StatusMemory {
  const memory: StatusMemory = {};
  for (const [, property] of MEMORY_ENTRIES) {
    if (status[property] !== undefined) {
      memory[property] = status[property];
    }
  }
  return memory;
}

function parseCount(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value) && Number.isSafeInteger(Number(value)) ? Number(value) : undefined;
}
