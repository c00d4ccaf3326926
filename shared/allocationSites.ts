// The lines that allocated memory between two stops, as host and webviews share them: no `vscode`,
// no DOM, no Node. Names and paths come from the debugged program: untrusted text.
import { formatBytes, formatDelta } from './format';

/** How many sites a stop keeps (in the view, the recordings and the comparison). */
export const MAX_SITES = 20;
/** How many frames of a site's stack are kept for its hover. */
export const MAX_SITE_FRAMES = 25;

/** Which tracer found the sites: Python's tracemalloc, or V8's sampling heap profiler. */
export type AllocationTracer = 'tracemalloc' | 'v8-sampler';

/** One frame of an allocation's stack. `line` is 1-based. */
export interface SiteFrame {
  functionName: string;
  /** The file's name, for people. */
  file: string;
  /** The full path (or URL) the runtime gave. */
  path: string;
  line: number;
  /** Whether it is the user's own code (not a library, the runtime or the debugger). */
  own: boolean;
}

/** Where memory was allocated since the previous stop and is still alive, summed by its frame in the user's code. */
export interface AllocationSite {
  /** The innermost frame in the user's own code; the innermost frame when the stack has none. */
  frame: SiteFrame;
  bytes: number;
  /** Blocks (tracemalloc) or samples (V8: each stands for about 32 KiB of allocation). */
  count: number;
  /** The largest stack that allocated there, innermost first (at most MAX_SITE_FRAMES). */
  stack: SiteFrame[];
}

/** The sites of one stop, or why there are none. */
export type StopAllocations =
  /** Asking the program; the stop's RES is shown meanwhile. */
  | { state: 'reading'; tracer: AllocationTracer }
  /** Tracking began at this stop: the next stop shows what was allocated since. */
  | { state: 'started'; tracer: AllocationTracer }
  | {
      state: 'sites';
      tracer: AllocationTracer;
      /** Largest first, at most MAX_SITES. */
      sites: AllocationSite[];
      /** All sites' bytes, including those past MAX_SITES. */
      sitesBytes: number;
      /** The runtime's own figure for its growth since the previous stop, to set the sites against. */
      runtimeGrowth: { bytes: number; label: string } | undefined;
      /** Set when the sites cover only part of the interval (the tracer was stopped by something else). */
      partial?: string;
      /** The stop the sites count from: the previous one, unless stops came faster than the reads. */
      sinceStopId: number;
      /** ms the read took in the program. */
      costMs: number;
    }
  | { state: 'unavailable'; reason: string };

/** What the debug view shows of a session's allocations: those of its current (or latest) stop. */
export interface SessionAllocations {
  stopId: number;
  /** Whether the program is still stopped there. */
  current: boolean;
  allocations: StopAllocations;
}

/** Debug view -> host: open the source of one of a stop's sites (the host looks the site up; the page sends no path). */
export interface OpenSiteIntent {
  type: 'openSite';
  sessionId: string;
  stopId: number;
  index: number;
}

/** Accepts a well-formed `openSite` intent only. */
export function parseOpenSite(message: Record<string, unknown>): OpenSiteIntent | undefined {
  const { sessionId, stopId, index } = message;
  return message.type === 'openSite' &&
    typeof sessionId === 'string' &&
    sessionId.length > 0 &&
    sessionId.length <= 200 &&
    Number.isSafeInteger(stopId) &&
    (stopId as number) > 0 &&
    Number.isSafeInteger(index) &&
    (index as number) >= 0 &&
    (index as number) < MAX_SITES
    ? { type: 'openSite', sessionId, stopId: stopId as number, index: index as number }
    : undefined;
}

/** A stop's site as a recording keeps it: no stack. */
export interface RecordedSite {
  file: string;
  line: number;
  functionName: string;
  bytes: number;
  count: number;
}

/** What each tracer's `count` counts. */
export function countNoun(tracer: AllocationTracer, count: number): string {
  const noun = tracer === 'tracemalloc' ? 'block' : 'sample';
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** `grow.py:5 in fill`. */
export function frameLabel(frame: Pick<SiteFrame, 'file' | 'line' | 'functionName'>): string {
  // Built-in functions have no line.
  const where = frame.line > 0 ? `${frame.file}:${frame.line}` : frame.file;
  return `${where} in ${frame.functionName || '(anonymous)'}`;
}

/** `grow.py:5 in fill · +80.0 MiB in 1 block`. */
export function siteLabel(site: AllocationSite, tracer: AllocationTracer): string {
  return `${frameLabel(site.frame)} · ${formatDelta(site.bytes)} in ${countNoun(tracer, site.count)}`;
}

/** The tip at the allocating line: `allocated +80.0 MiB since the last stop`. */
export function allocationTipText(bytes: number, tracer: AllocationTracer): string {
  // V8 records the function, not the line: its tip sits on the function's first line.
  return tracer === 'v8-sampler'
    ? `allocated ${formatDelta(bytes)} in this function since the last stop`
    : `allocated ${formatDelta(bytes)} since the last stop`;
}

/** What the runtime's growth figure is, for each tracer. */
export const RUNTIME_GROWTH_LABEL: Record<AllocationTracer, string> = {
  tracemalloc: "tracemalloc's traced memory",
  'v8-sampler': 'the V8 heap used',
};

/** "The sites account for 78.2 of 80.0 MiB (tracemalloc's traced memory grew by that much since the last stop)." */
export function accountSentence(allocations: Extract<StopAllocations, { state: 'sites' }>): string {
  const growth = allocations.runtimeGrowth;
  if (!growth) {
    return `The sites add up to ${formatBytes(allocations.sitesBytes)}.`;
  }
  if (growth.bytes <= 0) {
    return `The sites add up to ${formatBytes(allocations.sitesBytes)}, while ${growth.label} changed by ${formatDelta(growth.bytes)} since the last stop (more was freed than allocated).`;
  }
  const [sites, total] = sameUnit(allocations.sitesBytes, growth.bytes);
  return `The sites account for ${sites} of ${total} (${growth.label} grew by that much since the last stop).`;
}

/** Two sizes in the unit of the larger, e.g. `78.2` and `80.0 MiB`. */
function sameUnit(part: number, whole: number): [string, string] {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let unit = 0;
  let scale = 1;
  while (Math.max(Math.abs(part), Math.abs(whole)) / scale >= 1024 && unit < units.length - 1) {
    scale *= 1024;
    unit++;
  }
  const digits = unit === 0 ? 0 : 1;
  return [(part / scale).toFixed(digits), `${(whole / scale).toFixed(digits)} ${units[unit]}`];
}

/** The sites a recording keeps of a stop. */
export function recordedSites(allocations: StopAllocations | undefined): RecordedSite[] | undefined {
  if (allocations?.state !== 'sites') {
    return undefined;
  }
  return allocations.sites.slice(0, MAX_SITES).map((site) => ({
    file: site.frame.file,
    line: site.frame.line,
    functionName: site.frame.functionName,
    bytes: site.bytes,
    count: site.count,
  }));
}

/** A recording's sites, checked (the file is untrusted): well-formed ones only, at most MAX_SITES. */
export function parseRecordedSites(value: unknown): RecordedSite[] | undefined {
  if (!Array.isArray(value)) {
    return undefined;
  }
  const text = (item: unknown, max: number) => (typeof item === 'string' ? item.slice(0, max) : undefined);
  const sites: RecordedSite[] = [];
  for (const item of value.slice(0, MAX_SITES)) {
    if (typeof item !== 'object' || item === null) {
      continue;
    }
    const site = item as Record<string, unknown>;
    const file = text(site.file, 512);
    const functionName = text(site.functionName, 512);
    const { line, bytes, count } = site;
    if (
      file !== undefined &&
      functionName !== undefined &&
      Number.isSafeInteger(line) &&
      Number.isFinite(bytes) &&
      Number.isSafeInteger(count)
    ) {
      sites.push({ file, functionName, line: line as number, bytes: bytes as number, count: count as number });
    }
  }
  return sites;
}

/**
 * How the sites of the same stop differ between two runs, in words: sites matched by function and
 * file (lines move when code changes), the largest changes first. Empty when neither has sites.
 */
export function compareSites(a: readonly RecordedSite[] | undefined, b: readonly RecordedSite[] | undefined): string {
  if (!a?.length && !b?.length) {
    return '';
  }
  const key = (site: RecordedSite) => `${site.functionName}\u0000${site.file}`;
  const sum = (sites: readonly RecordedSite[] | undefined) => {
    const byKey = new Map<string, { site: RecordedSite; bytes: number }>();
    for (const site of sites ?? []) {
      const entry = byKey.get(key(site)) ?? { site, bytes: 0 };
      entry.bytes += site.bytes;
      byKey.set(key(site), entry);
    }
    return byKey;
  };
  const inA = sum(a);
  const inB = sum(b);
  const changes = [...new Set([...inA.keys(), ...inB.keys()])].map((id) => {
    const site = (inB.get(id) ?? inA.get(id))!.site;
    const before = inA.get(id)?.bytes ?? 0;
    const after = inB.get(id)?.bytes ?? 0;
    return { site, before, after, change: after - before };
  });
  changes.sort((x, y) => Math.abs(y.change) - Math.abs(x.change));
  const words = changes.slice(0, 3).map(({ site, before, after }) => {
    const where = `${site.functionName || '(anonymous)'} (${site.file})`;
    if (!inA.has(key(site))) {
      return `${where} ${formatDelta(after)} only in run B`;
    }
    if (!inB.has(key(site))) {
      return `${where} ${formatDelta(before)} only in run A`;
    }
    return `${where} ${formatDelta(before)} → ${formatDelta(after)}`;
  });
  return `allocated: ${words.join('; ')}`;
}
