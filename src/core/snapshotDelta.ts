import { describeForecast } from '../../shared/forecastText';
import type { LeakForecast, MappingsFigure, ProcessSnapshot, SampleSnapshot } from '../../shared/model';
import type { ReadPace } from '../../shared/readPace';
import type { ProcessSample } from '../proc/sampleProcess';

/**
 * The fields of `next` that differ from `shown`, the snapshot the page has: what a `sample` message
 * carries (see SampleSnapshot). The page merges it into what it has and gets `next` again.
 * Without `shown` (a page that has no snapshot yet) it is the whole of `next`.
 */
export function snapshotDelta(next: ProcessSnapshot, shown: ProcessSnapshot | undefined): SampleSnapshot {
  if (!shown) {
    return next;
  }
  const delta: Record<string, unknown> = {};
  for (const key in next) {
    const value = next[key as keyof ProcessSnapshot];
    const previous = shown[key as keyof ProcessSnapshot];
    const same =
      key === 'mappings'
        ? sameMappings(value as MappingsFigure, previous as MappingsFigure | undefined)
        : sameJson(value, previous);
    if (!same) {
      delta[key] = value;
    }
  }
  return delta as SampleSnapshot;
}

/**
 * Whether a page that has `shown` learns anything from `delta` but that time passed: a new reading
 * time, the same fault counts over a new window, the same mappings read again, the cgroup's sizes
 * (moved by every process in the group: they go with the next message). Without news, a
 * page need not hear of the reading (see InspectPanel: it is told at least every few seconds).
 */
export function hasNews(delta: SampleSnapshot, shown: ProcessSnapshot | undefined): boolean {
  if (!shown) {
    return true;
  }
  return Object.keys(delta).some((key) => {
    switch (key) {
      case 'sampledAtMs':
      case 'rollupReadAtMs': // read again, alike: the figures say nothing new (a change of them is news)
        return false;
      case 'faults':
        return !sameFaultCounts(delta.faults, shown.faults);
      case 'mappings':
        return !sameMappingRows(delta.mappings, shown.mappings);
      case 'cgroup':
        return !sameJson(delta.cgroup, shown.cgroup, isGroupSize);
      default:
        return true;
    }
  });
}

/**
 * The sizes of a cgroup that every process in the group moves: its usage, working sets and
 * headrooms (`bytes` and `…Bytes`). Those of a busy group change at every read, and wait for the
 * page's next message (QUIET_MESSAGE_MS at most). Its path, limits and OOM counters are news.
 */
function isGroupSize(key: string): boolean {
  return (key === 'bytes' || key.endsWith('Bytes')) && key !== 'limitBytes';
}

/**
 * Whether toSnapshot makes the same figures of two readings but for their time: every field alike
 * but the reading time and the fault rates' window. Cheap where nothing moved: the costly reads
 * carried over between reads are the same objects. A reading alike one that brought a page no news
 * brings none either, and need not be made a snapshot to tell.
 */
export function sameFigures(a: ProcessSample, b: ProcessSample): boolean {
  if (a === b) {
    return true;
  }
  // Field by field, so that the objects a reading shares with the last (its status, its costly
  // figures) are found alike at once; like sameJson, without allocating.
  for (const key in a) {
    if (!sameField(a, b, key as keyof ProcessSample)) {
      return false;
    }
  }
  for (const key in b) {
    if (!(key in a) && !sameField(a, b, key as keyof ProcessSample)) {
      return false;
    }
  }
  return true;
}

/** One field of two readings alike, but for their time and the fault rates' window. */
function sameField(a: ProcessSample, b: ProcessSample, key: keyof ProcessSample): boolean {
  return (
    key === 'timeMs' ||
    a[key] === b[key] ||
    (key === 'faultRates' ? sameRates(a.faultRates, b.faultRates) : sameJson(a[key], b[key]))
  );
}

/** The same rates, whatever window they were measured over. */
function sameRates(a: ProcessSample['faultRates'], b: ProcessSample['faultRates']): boolean {
  return a === b || (a?.minorPerSecond === b?.minorPerSecond && a?.majorPerSecond === b?.majorPerSecond);
}

/**
 * Whether a page that shows `shown` would say anything new with `next`: its verdict or its words.
 * Each refit (every 5 s) is a new object, but a steady process's forecast says the same thing.
 */
export function forecastNews(next: LeakForecast | undefined, shown: LeakForecast | undefined): boolean {
  if (next === shown) {
    return false;
  }
  if (!next || !shown) {
    return true;
  }
  return next.verdict !== shown.verdict || !sameJson(wordsOf(next), wordsOf(shown));
}

/** describeForecast of each refit, worded once: every panel of the process asks, at each reading. */
const forecastWords = new WeakMap<LeakForecast, ReturnType<typeof describeForecast>>();

function wordsOf(forecast: LeakForecast): ReturnType<typeof describeForecast> {
  let words = forecastWords.get(forecast);
  if (!words) {
    words = describeForecast(forecast);
    forecastWords.set(forecast, words);
  }
  return words;
}

function sameFaultCounts(a: ProcessSnapshot['faults'] | undefined, b: ProcessSnapshot['faults']): boolean {
  if (!a || 'unavailable' in a || 'unavailable' in b) {
    return sameJson(a, b);
  }
  return (
    a.minorPerSecond === b.minorPerSecond &&
    a.majorPerSecond === b.majorPerSecond &&
    a.minorTotal === b.minorTotal &&
    a.majorTotal === b.majorTotal
  );
}

/**
 * The same rows and pace, whenever they were read, and whether or not a read is under way: most
 * reads take a few ms, and "reading now…" shown for them would only flicker. A long one shows with
 * the next message.
 */
function sameMappingRows(a: MappingsFigure | undefined, b: MappingsFigure): boolean {
  if (!a || !('kinds' in a) || !('kinds' in b)) {
    return sameJson(a, b);
  }
  return sameShownPace(a.pace, b.pace) && sameRows(a.kinds, b.kinds) && sameRows(a.top, b.top);
}

/**
 * Rows of two reads found alike, by the newer's array: a held-back panel compares the same two
 * reads at every reading until its next message. Rows are never changed once built.
 */
const alikeRows = new WeakMap<readonly object[], readonly object[]>();

function sameRows(a: readonly object[], b: readonly object[]): boolean {
  if (a === b || alikeRows.get(a) === b) {
    return true;
  }
  const same = sameJson(a, b);
  if (same) {
    alikeRows.set(a, b);
  }
  return same;
}

/** The pace as the page words it: how often, and why (with the cost, when the cost sets it). */
function sameShownPace(a: ReadPace | undefined, b: ReadPace | undefined): boolean {
  if (!a || !b) {
    return a === b;
  }
  return a.everyMs === b.everyMs && a.byCost === b.byCost && (!a.byCost || a.costMs === b.costMs);
}

function samePace(a: MappingsFigure, b: MappingsFigure): boolean {
  return (
    a.pace?.everyMs === b.pace?.everyMs &&
    a.pace?.reading === b.pace?.reading &&
    a.pace?.costMs === b.pace?.costMs &&
    a.pace?.byCost === b.pace?.byCost
  );
}

/** Same figure as far as the page can tell: the same read (rows are built once per read), pace and state. */
function sameMappings(a: MappingsFigure, b: MappingsFigure | undefined): boolean {
  if (!b) {
    return false;
  }
  if ('kinds' in a) {
    return 'kinds' in b && a.kinds === b.kinds && a.top === b.top && a.readAtMs === b.readAtMs && samePace(a, b);
  }
  return 'unavailable' in b && a.unavailable === b.unavailable && samePace(a, b);
}

/**
 * Whether two JSON-like values (plain objects, arrays, primitives) serialise alike. Key order does
 * not matter; `undefined` members count as absent, as in JSON. Numbers under a key that `ignored`
 * names count as absent too. It allocates nothing: it runs for every view at every reading.
 */
export function sameJson(a: unknown, b: unknown, ignored?: (key: string) => boolean): boolean {
  if (a === b) {
    return true;
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return false;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) {
      return false;
    }
    for (let i = 0; i < a.length; i++) {
      if (!sameJson(a[i], b[i], ignored)) {
        return false;
      }
    }
    return true;
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  let members = 0;
  for (const key in left) {
    if (counted(key, left[key], ignored)) {
      members++;
      if (!sameJson(left[key], right[key], ignored)) {
        return false;
      }
    }
  }
  for (const key in right) {
    if (counted(key, right[key], ignored)) {
      members--;
    }
  }
  return members === 0;
}

/** Whether a member counts in sameJson: present, and not a number under an ignored key. */
function counted(key: string, value: unknown, ignored: ((key: string) => boolean) | undefined): boolean {
  return value !== undefined && !(ignored && typeof value === 'number' && ignored(key));
}
