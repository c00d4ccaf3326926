import * as fs from 'fs';
import { MAPPING_KINDS, MappingKind } from '../../shared/model';
import { fail, malformed, ok, Outcome } from './outcome';
import { parseUnlessSame } from './parseUnlessSame';
import { classifyMapping } from './mappingKind';
import { errnoToProcError, readProcBytes } from './procFile';

/** Sums over the mappings of one category, in bytes. */
export interface MappingTotals {
  count: number;
  rssBytes: number;
  pssBytes: number;
  /** Private_Clean + Private_Dirty: what exiting would free. */
  privateBytes: number;
  swapBytes: number;
}

/** One mapping, for the "largest mappings" list. */
export interface MappingEntry {
  /** The path the kernel prints, or `[anonymous]` when it prints none. */
  name: string;
  category: MappingKind;
  /** e.g. `rw-p`. */
  perms: string;
  /** Start address, hex, as printed. */
  start: string;
  rssBytes: number;
  pssBytes: number;
  privateBytes: number;
}

/** /proc/PID/smaps summed by kind of mapping. */
export interface MappingSummary {
  categories: Record<MappingKind, MappingTotals>;
  /** The largest mappings by Rss, largest first (at most TOP_MAPPINGS). */
  top: MappingEntry[];
  /** Number of mappings. */
  count: number;
}

export const TOP_MAPPINGS = 8;

/**
 * Mappings summed under one key, for comparing two reads of smaps: mappings move, split and merge
 * between reads, so addresses are no key. A file is keyed by its path and permissions (its code
 * and its data stay apart); named kernel regions (`[heap]`, `[stack]`, `[anon:name]`) by name;
 * every unnamed anonymous mapping shares one key.
 */
export interface MappingGroup {
  key: string;
  name: string;
  category: MappingKind;
  /** Permissions of a file mapping; empty for named and anonymous regions. */
  perms: string;
  count: number;
  rssBytes: number;
  pssBytes: number;
  privateBytes: number;
}

/** The key two reads of smaps are compared by (see MappingGroup). */
export function groupKey(path: string, perms: string): string {
  if (path.length === 0) {
    return '[anonymous]';
  }
  return path.charCodeAt(0) === 0x5b /* [ */ ? path : `${path} ${perms}`;
}

// The five lines read per mapping, as bits: a mapping without all of them is malformed.
const RSS = 1;
const PSS = 2;
const PRIVATE_CLEAN = 4;
const PRIVATE_DIRTY = 8;
const SWAP = 16;
const ALL = RSS | PSS | PRIVATE_CLEAN | PRIVATE_DIRTY | SWAP;
/** Larger than any real mapping in kB, and small enough that kB × 1024 and the sums stay exact. */
const MAX_KB_DIGITS = 12;

function emptyTotals(): MappingTotals {
  return { count: 0, rssBytes: 0, pssBytes: 0, privateBytes: 0, swapBytes: 0 };
}

/**
 * Parses /proc/PID/smaps: a header line per mapping (`start-end perms offset dev inode   path`)
 * then `Key:   N kB` lines. Reads only Rss, Pss, Private_Clean, Private_Dirty and Swap, telling
 * lines apart by their first characters (a Node process has ~1000 mappings and ~25 000 lines).
 */
export function parseSmaps(text: string, exe?: string, groups?: Map<string, MappingGroup>): Outcome<MappingSummary> {
  const categories = {} as Record<MappingKind, MappingTotals>;
  for (const category of MAPPING_KINDS) {
    categories[category] = emptyTotals();
  }
  const top: MappingEntry[] = [];
  let count = 0;
  let current: MappingEntry | undefined;
  let seen = ALL;
  let swap = 0;
  let privateClean = 0;
  let path = '';
  const finish = (): string | undefined => {
    if (!current) {
      return undefined;
    }
    if (seen !== ALL) {
      return `mapping at ${current.start} lacks ${missingNames(seen)}`;
    }
    current.privateBytes = privateClean + current.privateBytes;
    const totals = categories[current.category];
    totals.count++;
    totals.rssBytes += current.rssBytes;
    totals.pssBytes += current.pssBytes;
    totals.privateBytes += current.privateBytes;
    totals.swapBytes += swap;
    keepTop(top, current);
    if (groups) {
      addToGroup(groups, current, path);
    }
    return undefined;
  };

  const length = text.length;
  let line = 0;
  while (line < length) {
    let end = text.indexOf('\n', line);
    if (end < 0) {
      end = length;
    }
    const c = text.charCodeAt(line);
    if ((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66)) {
      // A header: it starts with the start address in lower-case hex; the keys start upper case.
      const problem = finish();
      if (problem) {
        return malformed(problem);
      }
      const header = parseHeader(text, line, end, exe);
      if (typeof header === 'string') {
        return malformed(header);
      }
      current = header.entry;
      path = header.path;
      seen = 0;
      swap = 0;
      privateClean = 0;
      count++;
    } else if (
      c === 0x52 /* R */ &&
      text.charCodeAt(line + 1) === 0x73 &&
      text.charCodeAt(line + 2) === 0x73 &&
      text.charCodeAt(line + 3) === 0x3a
    ) {
      const value = kbValue(text, line + 4, end);
      if (value < 0 || !current) {
        return malformed(`bad Rss line "${excerpt(text, line, end)}"`);
      }
      current.rssBytes = value;
      seen |= RSS;
    } else if (c === 0x50 /* P */) {
      if (
        text.charCodeAt(line + 1) === 0x73 &&
        text.charCodeAt(line + 2) === 0x73 &&
        text.charCodeAt(line + 3) === 0x3a
      ) {
        const value = kbValue(text, line + 4, end);
        if (value < 0 || !current) {
          return malformed(`bad Pss line "${excerpt(text, line, end)}"`);
        }
        current.pssBytes = value;
        seen |= PSS;
      } else if (text.startsWith('Private_Clean:', line)) {
        const value = kbValue(text, line + 14, end);
        if (value < 0 || !current) {
          return malformed(`bad Private_Clean line "${excerpt(text, line, end)}"`);
        }
        privateClean = value;
        seen |= PRIVATE_CLEAN;
      } else if (text.startsWith('Private_Dirty:', line)) {
        const value = kbValue(text, line + 14, end);
        if (value < 0 || !current) {
          return malformed(`bad Private_Dirty line "${excerpt(text, line, end)}"`);
        }
        current.privateBytes = value;
        seen |= PRIVATE_DIRTY;
      }
    } else if (c === 0x53 /* S */ && text.startsWith('Swap:', line)) {
      const value = kbValue(text, line + 5, end);
      if (value < 0 || !current) {
        return malformed(`bad Swap line "${excerpt(text, line, end)}"`);
      }
      swap = value;
      seen |= SWAP;
    } else if (!current && end > line) {
      return malformed(`smaps starts with "${excerpt(text, line, end)}", not a mapping`);
    }
    line = end + 1;
  }
  const problem = finish();
  if (problem) {
    return malformed(problem);
  }
  if (count > 0 && text.charCodeAt(length - 1) !== 0x0a) {
    return malformed('smaps ends in the middle of a line (truncated)');
  }
  if (count === 0) {
    return malformed('smaps lists no mapping');
  }
  for (const category of MAPPING_KINDS) {
    const totals = categories[category];
    if (!Number.isSafeInteger(totals.rssBytes + totals.pssBytes + totals.privateBytes + totals.swapBytes)) {
      return malformed(`${category} sums beyond exact numbers`);
    }
  }
  return ok({ categories, top, count });
}

/** `start-end perms offset dev inode` then, after padding, the path (which may hold spaces). */
function parseHeader(
  text: string,
  from: number,
  end: number,
  exe: string | undefined,
): { entry: MappingEntry; path: string } | string {
  const dash = text.indexOf('-', from);
  const s1 = text.indexOf(' ', from);
  if (dash < 0 || s1 < 0 || s1 > end || dash > s1 || !isHex(text, from, dash) || !isHex(text, dash + 1, s1)) {
    return `bad mapping header "${excerpt(text, from, end)}"`;
  }
  const s2 = s1 + 5;
  if (text.charCodeAt(s2) !== 0x20 || !isPerms(text, s1 + 1)) {
    return `bad permissions in "${excerpt(text, from, end)}"`;
  }
  // offset, dev, inode: three more single-space separated fields.
  let at = s2;
  for (let field = 0; field < 3; field++) {
    const next = text.indexOf(' ', at + 1);
    const stop = next < 0 || next > end ? end : next;
    if (stop === at + 1) {
      return `bad mapping header "${excerpt(text, from, end)}"`;
    }
    at = stop;
  }
  // The kernel pads to a column before the path, and prints no padding when there is no path.
  let pathStart = at;
  while (pathStart < end && text.charCodeAt(pathStart) === 0x20) {
    pathStart++;
  }
  const path = text.slice(pathStart, end);
  const category = classifyMapping(path, exe);
  const entry = {
    name: path.length > 0 ? path : `[${category}]`,
    category,
    perms: text.slice(s1 + 1, s2),
    start: text.slice(from, dash),
    rssBytes: 0,
    pssBytes: 0,
    privateBytes: 0,
  };
  return { entry, path };
}

function addToGroup(groups: Map<string, MappingGroup>, entry: MappingEntry, path: string): void {
  const key = groupKey(path, entry.perms);
  let group = groups.get(key);
  if (!group) {
    const named = path.length > 0 && path.charCodeAt(0) !== 0x5b;
    group = {
      key,
      name: entry.name,
      category: entry.category,
      perms: named ? entry.perms : '',
      count: 0,
      rssBytes: 0,
      pssBytes: 0,
      privateBytes: 0,
    };
    groups.set(key, group);
  }
  group.count++;
  group.rssBytes += entry.rssBytes;
  group.pssBytes += entry.pssBytes;
  group.privateBytes += entry.privateBytes;
}

function isHex(text: string, from: number, to: number): boolean {
  if (to <= from || to - from > 16) {
    return false;
  }
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) {
      return false;
    }
  }
  return true;
}

/** `[r-][w-][x-][ps]` */
function isPerms(text: string, at: number): boolean {
  const r = text.charCodeAt(at);
  const w = text.charCodeAt(at + 1);
  const x = text.charCodeAt(at + 2);
  const p = text.charCodeAt(at + 3);
  return (
    (r === 0x72 || r === 0x2d) && (w === 0x77 || w === 0x2d) && (x === 0x78 || x === 0x2d) && (p === 0x70 || p === 0x73)
  );
}

/** `   1234 kB` from `from` to `end` in bytes, or -1 when it is anything else. */
function kbValue(text: string, from: number, end: number): number {
  let i = from;
  while (i < end && text.charCodeAt(i) === 0x20) {
    i++;
  }
  const digitsStart = i;
  let kb = 0;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) {
      break;
    }
    kb = kb * 10 + (c - 0x30);
    i++;
  }
  const digits = i - digitsStart;
  if (digits === 0 || digits > MAX_KB_DIGITS || end - i !== 3 || !text.startsWith(' kB', i)) {
    return -1;
  }
  return kb * 1024;
}

function keepTop(top: MappingEntry[], entry: MappingEntry): void {
  if (top.length === TOP_MAPPINGS && entry.rssBytes <= top[TOP_MAPPINGS - 1].rssBytes) {
    return;
  }
  let at = top.length;
  while (at > 0 && top[at - 1].rssBytes < entry.rssBytes) {
    at--;
  }
  top.splice(at, 0, entry);
  if (top.length > TOP_MAPPINGS) {
    top.pop();
  }
}

function missingNames(seen: number): string {
  const names: [number, string][] = [
    [RSS, 'Rss'],
    [PSS, 'Pss'],
    [PRIVATE_CLEAN, 'Private_Clean'],
    [PRIVATE_DIRTY, 'Private_Dirty'],
    [SWAP, 'Swap'],
  ];
  return names
    .filter(([bit]) => (seen & bit) === 0)
    .map(([, name]) => name)
    .join(', ');
}

function excerpt(text: string, from: number, end: number): string {
  return text.slice(from, Math.min(end, from + 60));
}

/**
 * Reads /proc/PID/smaps and the executable's path, and sums RES by kind of mapping. Another user's
 * process answers permission-denied (smaps needs ptrace-read access, like smaps_rollup). Where both
 * read as they did for `previous`, it is `previous` again (parseUnlessSame).
 */
export function readSmaps(
  pid: number,
  procRoot = '/proc',
  previous?: Outcome<MappingSummary>,
): Outcome<MappingSummary> {
  const dir = `${procRoot}/${pid}`;
  return summed(dir, readProcBytes(`${dir}/smaps`), previous);
}

/**
 * readSmaps of a process whose smaps is at most `maxBytes` long; undefined, left unparsed, where it
 * is longer (the kernel then printed `maxBytes` of it, no more).
 */
export function readShortSmaps(pid: number, procRoot: string, maxBytes: number): Outcome<MappingSummary> | undefined {
  const dir = `${procRoot}/${pid}`;
  const bytes = readProcBytes(`${dir}/smaps`, maxBytes + 1);
  return bytes.ok && bytes.value.length > maxBytes ? undefined : summed(dir, bytes);
}

function summed(dir: string, bytes: Outcome<Buffer>, previous?: Outcome<MappingSummary>): Outcome<MappingSummary> {
  if (!bytes.ok) {
    return bytes;
  }
  const exe = readExe(dir);
  return parseUnlessSame(bytes.value, previous, (smaps) => parseSmaps(smaps, exe), exe);
}

/** readSmaps with the mappings also summed by group, for comparing two reads. */
export interface GroupedSmaps {
  summary: MappingSummary;
  groups: MappingGroup[];
  /** Wall time the read and the parse took, ms: the cost that decides how often it may be read. */
  costMs: number;
}

/**
 * Reads /proc/PID/smaps without blocking the extension host: the kernel prints it in the libuv
 * thread pool (a process with 40 000 mappings takes ~170 ms), and only the parse runs here.
 */
export async function readSmapsGrouped(pid: number, procRoot = '/proc'): Promise<Outcome<GroupedSmaps>> {
  const dir = `${procRoot}/${pid}`;
  const started = performance.now();
  let text: string;
  try {
    text = await fs.promises.readFile(`${dir}/smaps`, 'utf8');
  } catch (error) {
    return fail(errnoToProcError(error, `${dir}/smaps`));
  }
  let exe: string | undefined;
  try {
    exe = await fs.promises.readlink(`${dir}/exe`);
  } catch {
    exe = undefined;
  }
  const groups = new Map<string, MappingGroup>();
  const summary = parseSmaps(text, exe, groups);
  if (!summary.ok) {
    return summary;
  }
  return ok({ summary: summary.value, groups: [...groups.values()], costMs: performance.now() - started });
}

/** The target of /proc/PID/exe; undefined when refused (EACCES) or gone, and then no mapping is `program`. */
function readExe(dir: string): string | undefined {
  try {
    return fs.readlinkSync(`${dir}/exe`);
  } catch {
    return undefined;
  }
}
