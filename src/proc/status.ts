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

/** The memory lines and their properties, as two arrays: looped over by index, with no iterator per line. */
const MEMORY_LINES = Object.keys(MEMORY_KEYS);
const MEMORY_PROPERTIES = Object.values(MEMORY_KEYS);

/**
 * How each line read is found: "Key:" at the start, "\nKey:" after it. Each is looked up with
 * indexOf, so the ~55 lines of status are never split into strings (status is parsed at every
 * reading of a process that moved). Name comes first and, like every line, holds no newline: the
 * kernel escapes control characters in it.
 */
const NEEDLES = new Map(
  ['Name', 'State', 'PPid', 'Uid', 'Threads', ...Object.keys(MEMORY_KEYS)].map((key) => [
    key,
    { first: `${key}:`, later: `\n${key}:` },
  ]),
);

/** The value of status's line `key` (after its colon, trimmed), or undefined without one. */
function lineValue(text: string, key: string): string | undefined {
  const needle = NEEDLES.get(key) as { first: string; later: string };
  let start: number;
  if (text.startsWith(needle.first)) {
    start = needle.first.length;
  } else {
    const at = text.indexOf(needle.later);
    if (at < 0) {
      return undefined;
    }
    start = at + needle.later.length;
  }
  const end = text.indexOf('\n', start);
  return text.slice(start, end < 0 ? text.length : end).trim();
}

export function parseStatus(text: string): Outcome<Status> {
  // The kernel escapes control characters in Name as backslash sequences; keep it as text.
  const name = lineValue(text, 'Name');
  const state = lineValue(text, 'State')?.charAt(0);
  const ppid = parseCount(lineValue(text, 'PPid'));
  const uid = parseCount(lineValue(text, 'Uid')?.split(/\s+/)[0]);
  const threads = parseCount(lineValue(text, 'Threads'));
  if (name === undefined || !state || ppid === undefined || uid === undefined || threads === undefined) {
    return malformed('status lacks Name, State, PPid, Uid or Threads');
  }
  const status: Status = { name, state, ppid, uid, threads };
  for (let i = 0; i < MEMORY_LINES.length; i++) {
    const raw = lineValue(text, MEMORY_LINES[i]);
    if (raw === undefined) {
      continue;
    }
    const bytes = kilobytesOf(raw);
    if (bytes === undefined) {
      return malformed(`status ${MEMORY_LINES[i]} is "${raw.slice(0, 30)}", expected "N kB"`);
    }
    status[MEMORY_PROPERTIES[i]] = bytes;
  }
  return ok(status);
}

/** The memory lines of a parsed status, without its name, state, parent, uid and threads. */
export function statusMemory(status: Status): StatusMemory {
  const memory: StatusMemory = {};
  for (const property of MEMORY_PROPERTIES) {
    if (status[property] !== undefined) {
      memory[property] = status[property];
    }
  }
  return memory;
}

/** "N kB" (digits, blanks, "kB") in bytes; undefined where it is not that or too big to be exact. */
function kilobytesOf(raw: string): number | undefined {
  let i = 0;
  let kilobytes = 0;
  for (; i < raw.length && raw.charCodeAt(i) >= 48 && raw.charCodeAt(i) <= 57; i++) {
    kilobytes = kilobytes * 10 + raw.charCodeAt(i) - 48;
  }
  const digits = i;
  while (raw[i] === ' ' || raw[i] === '\t') {
    i++;
  }
  const valid = digits > 0 && i > digits && i === raw.length - 2 && raw.endsWith('kB');
  return valid && Number.isSafeInteger(kilobytes * 1024) ? kilobytes * 1024 : undefined;
}

function parseCount(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value) && Number.isSafeInteger(Number(value)) ? Number(value) : undefined;
}
