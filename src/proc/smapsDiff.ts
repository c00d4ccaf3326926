import { MAPPING_KINDS, MappingGroupChange, MappingKind, MappingKindChange } from '../../shared/model';
import { MappingGroup, MappingTotals } from './smaps';

/** One read of /proc/PID/smaps as a stop keeps it: totals by kind and the mappings by group key. */
export interface MappingsAtStop {
  categories: Record<MappingKind, MappingTotals>;
  groups: MappingGroup[];
}

export interface MappingsChange {
  /** Kinds that changed, largest change in RSS first (by magnitude). */
  kinds: MappingKindChange[];
  /** The groups that grew most in RSS, largest first. */
  grew: MappingGroupChange[];
  /** The groups that shrank most in RSS, largest drop first. */
  shrank: MappingGroupChange[];
}

export const CHANGED_GROUPS = 8;

/**
 * What changed between two reads of smaps. Groups are matched by key, never by address: the
 * kernel moves, splits and merges mappings between reads (a heap that grows, an mmap beside
 * another one). Unnamed anonymous mappings share one key, so their change is the kind's change.
 */
export function diffMappings(before: MappingsAtStop, after: MappingsAtStop): MappingsChange {
  const kinds: MappingKindChange[] = [];
  for (const kind of MAPPING_KINDS) {
    const a = before.categories[kind];
    const b = after.categories[kind];
    const change = {
      kind,
      rssBytes: b.rssBytes - a.rssBytes,
      pssBytes: b.pssBytes - a.pssBytes,
      privateBytes: b.privateBytes - a.privateBytes,
      rssAfterBytes: b.rssBytes,
    };
    if (change.rssBytes !== 0 || change.pssBytes !== 0 || change.privateBytes !== 0) {
      kinds.push(change);
    }
  }
  kinds.sort((x, y) => Math.abs(y.rssBytes) - Math.abs(x.rssBytes) || Math.abs(y.pssBytes) - Math.abs(x.pssBytes));

  const earlier = new Map(before.groups.map((group) => [group.key, group]));
  const changes: MappingGroupChange[] = [];
  for (const group of after.groups) {
    const old = earlier.get(group.key);
    earlier.delete(group.key);
    const delta = group.rssBytes - (old?.rssBytes ?? 0);
    if (delta !== 0) {
      changes.push({
        name: group.name,
        kind: group.category,
        perms: group.perms,
        rssBytes: delta,
        rssAfterBytes: group.rssBytes,
        appeared: !old,
        vanished: false,
      });
    }
  }
  for (const old of earlier.values()) {
    if (old.rssBytes !== 0) {
      changes.push({
        name: old.name,
        kind: old.category,
        perms: old.perms,
        rssBytes: -old.rssBytes,
        rssAfterBytes: 0,
        appeared: false,
        vanished: true,
      });
    }
  }
  const grew = changes
    .filter((change) => change.rssBytes > 0)
    .sort((x, y) => y.rssBytes - x.rssBytes)
    .slice(0, CHANGED_GROUPS);
  const shrank = changes
    .filter((change) => change.rssBytes < 0)
    .sort((x, y) => x.rssBytes - y.rssBytes)
    .slice(0, CHANGED_GROUPS);
  return { kinds, grew, shrank };
}
