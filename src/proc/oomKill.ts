import { CgroupMemory, OomCounters, readOomCounters } from './cgroup';
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
 * From this share of a limit on, a kill may come before the next cgroup read, so the baseline is
 * read before every reading. Below it the group's working set must grow by a fifth of its limit
 * within one detail interval to be killed; and the status bar warns at 90 % by default, so a group
 * it warns about is read every tick already.
 */
export const OOM_NEAR_SHARE_PERCENT = 80;

/**
 * Whether the OOM killer may be near for a group: the working set of some level with a limit is
 * at OOM_NEAR_SHARE_PERCENT of it or more, or cannot be measured. Judged on the group alone: the
 * sampler reads nothing that says the machine is short of memory (MemAvailable is the forecast's).
 */
export function oomKillNear(group: CgroupMemory): boolean {
  return group.levels.some(
    (level) => !level.workingSet.ok || level.workingSet.value * 100 >= level.limitBytes * OOM_NEAR_SHARE_PERCENT,
  );
}

/**
 * The baseline after a reading that found the process alive, read before that reading or with it
 * (right after, in the same tick), never later: `before`, read just before it where a kill is
 * near; else the counters its group's read brought with it (at the detail pace, and at the first
 * reading); else the previous one, read with an earlier reading that found it alive. Without
 * detail subscribers there is none: no claim at the end, rather than one resting on an old reading
 * (another process's kill since then).
 */
export function baselineAfterReading(
  previous: OomBaseline | undefined,
  reading: {
    readsGroup: boolean;
    before: OomBaseline | undefined;
    withReading: Outcome<OomCounters> | undefined;
    read: OomCounterReader;
  },
): OomBaseline | undefined {
  const { readsGroup, before, withReading, read } = reading;
  if (!readsGroup) {
    return undefined;
  }
  if (before) {
    return before;
  }
  if (withReading?.ok) {
    const group = withReading.value;
    return readOomBaseline(group.version, group.path, (version, path) =>
      path === group.path ? { ok: true, value: group } : read(version, path),
    );
  }
  return previous;
}
