import type { MappingsFigure, ProcessSnapshot, SampleSnapshot } from '../../shared/model';

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
  for (const [key, value] of Object.entries(next)) {
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

/** Same figure as far as the page can tell: the same read (rows are built once per read), pace and state. */
function sameMappings(a: MappingsFigure, b: MappingsFigure | undefined): boolean {
  if (!b) {
    return false;
  }
  const samePace =
    a.pace?.everyMs === b.pace?.everyMs &&
    a.pace?.reading === b.pace?.reading &&
    a.pace?.costMs === b.pace?.costMs &&
    a.pace?.byCost === b.pace?.byCost;
  if ('kinds' in a) {
    return 'kinds' in b && a.kinds === b.kinds && a.top === b.top && a.readAtMs === b.readAtMs && samePace;
  }
  return 'unavailable' in b && a.unavailable === b.unavailable && samePace;
}

/**
 * Whether two JSON-like values (plain objects, arrays, primitives) serialise alike. Key order does
 * not matter; `undefined` members count as absent, as in JSON.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) {
    return true;
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return false;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => sameJson(item, b[i]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = (record: Record<string, unknown>) => Object.keys(record).filter((key) => record[key] !== undefined);
  const leftKeys = keys(left);
  return leftKeys.length === keys(right).length && leftKeys.every((key) => sameJson(left[key], right[key]));
}
