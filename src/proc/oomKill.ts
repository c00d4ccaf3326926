import { OomCounters, readOomCounters } from './cgroup';
import { Outcome } from './outcome';

/** Reads the OOM counters of a group; a seam so tests can drive fixtures. */
export type OomCounterReader = (version: 1 | 2, path: string) => Outcome<OomCounters>;

/** The counters read while the process was known to be alive: what its end is compared with. */
export interface OomBaseline {
  group: OomCounters;
  /** v2 only: the parent's memory.events, which counts the group's kills too, for when the group is removed with its last process. */
  parent?: OomCounters;
}

/** Why we think a process ended, with the evidence: never "OOM-killed" without a counter that rose. */
export type ExitCause =
  | {
      kind: 'oom-kill';
      /** The counter that rose, e.g. "memory.oom_control oom_kill". */
      counter: string;
      /** The group it belongs to. */
      path: string;
      before: number;
      after: number;
    }
  | { kind: 'unknown'; why: string };

/** The kill counter to compare: the group's own where the kernel keeps one. */
export function killCounter(counters: OomCounters): { name: string; value: number } | undefined {
  if (counters.version === 1) {
    return counters.oomKillLocal === undefined
      ? undefined
      : { name: 'memory.oom_control oom_kill', value: counters.oomKillLocal };
  }
  if (counters.oomKillLocal !== undefined) {
    return { name: 'memory.events.local oom_kill', value: counters.oomKillLocal };
  }
  return counters.oomKill === undefined ? undefined : { name: 'memory.events oom_kill', value: counters.oomKill };
}

/** Reads what a baseline needs for a group (and, on v2, its parent). */
export function readOomBaseline(
  version: 1 | 2,
  path: string,
  read: OomCounterReader = readOomCounters,
): OomBaseline | undefined {
  const group = read(version, path);
  if (!group.ok) {
    return undefined;
  }
  const parentPath = path === '/' ? undefined : path.slice(0, path.lastIndexOf('/')) || '/';
  const parent = version === 2 && parentPath !== undefined ? read(version, parentPath) : undefined;
  return { group: group.value, parent: parent?.ok ? parent.value : undefined };
}

/**
 * Compares the counters read while the process lived with the counters now that it is gone. A rise
 * of the kill counter of its own group says the OOM killer most likely killed it; anything else
 * (no counter, no rise, a SIGKILL from systemd-oomd or a person) is not called an OOM kill.
 */
export function judgeExit(baseline: OomBaseline | undefined, read: OomCounterReader = readOomCounters): ExitCause {
  if (!baseline) {
    return { kind: 'unknown', why: 'the OOM counters of its cgroup were not read while it ran' };
  }
  const before = killCounter(baseline.group);
  if (!before) {
    return { kind: 'unknown', why: 'this kernel keeps no OOM kill counter for its cgroup' };
  }
  const now = read(baseline.group.version, baseline.group.path);
  if (now.ok) {
    const after = killCounter(now.value);
    if (after && after.value > before.value) {
      return {
        kind: 'oom-kill',
        counter: before.name,
        path: baseline.group.path,
        before: before.value,
        after: after.value,
      };
    }
    return { kind: 'unknown', why: `${before.name} of ${baseline.group.path} did not rise (${before.value})` };
  }
  // The group went with its last process: its parent's hierarchical count includes it (v2).
  const parentBefore = baseline.parent?.oomKill;
  if (baseline.parent && parentBefore !== undefined) {
    const parentNow = read(baseline.parent.version, baseline.parent.path);
    const after = parentNow.ok ? parentNow.value.oomKill : undefined;
    if (after !== undefined && after > parentBefore) {
      return {
        kind: 'oom-kill',
        counter: 'memory.events oom_kill',
        path: baseline.parent.path,
        before: parentBefore,
        after,
      };
    }
  }
  return { kind: 'unknown', why: `its cgroup ${baseline.group.path} is gone, and with it the counter` };
}

/** One sentence of evidence, for the banner, the status bar and the notification. */
export function describeOomKill(cause: Extract<ExitCause, { kind: 'oom-kill' }>): string {
  const times = cause.after - cause.before === 1 ? 'by 1' : `by ${cause.after - cause.before}`;
  return `${cause.counter} of cgroup ${cause.path} rose ${times} (${cause.before} → ${cause.after}) as it ended. Another process in the group may have been the victim instead.`;
}

/**
 * The baseline after a reading that found the process alive. `before`: the counters read just
 * before that reading, where its group was known (undefined when unreadable). Before the group is
 * known, the counters that came with its first reading serve (read right after the process was
 * seen). Without detail subscribers there is none: no claim at the end, rather than one resting on
 * an old reading (another process's kill since then).
 */
export function baselineAfterReading(
  previous: OomBaseline | undefined,
  reading: {
    before: OomBaseline | undefined;
    groupKnown: boolean;
    wantsDetail: boolean;
    firstCounters: Outcome<OomCounters> | undefined;
    read: OomCounterReader;
  },
): OomBaseline | undefined {
  const { before, groupKnown, wantsDetail, firstCounters, read } = reading;
  if (groupKnown || !wantsDetail) {
    return before;
  }
  if (!previous && firstCounters?.ok) {
    const first = firstCounters.value;
    return readOomBaseline(first.version, first.path, (version, path) =>
      path === first.path ? { ok: true, value: first } : read(version, path),
    );
  }
  return previous;
}
