import { MAPPING_KINDS, MappingKind } from '../../shared/model';
import { MappingGroup, MappingTotals } from './smaps';

/** One read of /proc/PID/smaps as a stop keeps it: totals by kind and the mappings by group key. */
export interface MappingsAtStop {
  categories: Record<MappingKind, MappingTotals>;
  groups: MappingGroup[];
}

/** How one kind of mapping changed between two reads, in bytes (after − before). */
export interface KindChange {
  kind: MappingKind;
  rssBytes: number;
  pssBytes: number;
  privateBytes: number;
  /** RSS at the later read. */
  rssAfterBytes: number;
}

/** How one group of mappings changed (a file with its permissions, a named region, or all anonymous memory). */
export interface GroupChange {
  name: string;
  kind: MappingKind;
  perms: string;
  rssBytes: number;
  rssAfterBytes: number;
  /** Only in the later read (a file mapped between the two), or only in the earlier one. */
  appeared: boolean;
  vanished: boolean;
}

export interface MappingsChange {
  /** Kinds that changed, largest change in RSS first (by magnitude). */
  kinds: KindChange[];
  /** The groups that grew most in RSS, largest first. */
  grew: GroupChange[];
  /** The groups that shrank most in RSS, largest drop first. */
  shrank: GroupChange[];
}

export const CHANGED_GROUPS = 8;

/**
 * What changed between two reads of smaps. Groups are matched by key, never by address: the
 * kernel moves, splits and merges mappings between reads (a heap that grows, an mmap beside
 * another one). Unnamed anonymous mappings share one key, so their change is the kind's change.
 */
export function diffMappings(before: MappingsAtStop, after: MappingsAtStop): MappingsChange {
  const kinds: KindChange[] = [];
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
  const changes: GroupChange[] = [];
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
