// The alert rules and their hysteresis, free of `vscode` so they can be unit-tested with plain
// samples: memoryAlerts.ts feeds them the readings the product already takes and shows what fires.
import { describeForecast } from '../../shared/forecastText';
import { formatBytes } from '../../shared/format';
import type { LeakForecast } from '../../shared/model';
import { identityKey, ProcessIdentity } from '../proc/processIdentity';
import { ProcessSample } from '../proc/sampleProcess';
import { MiB } from '../../shared/units';
import { BoundedMap } from '../../shared/boundedMap';

/** Re-arm margins: a size alert re-arms below 90 % of its threshold, a share alert 5 points below its own. */
export const SIZE_REARM_FRACTION = 0.9;
export const SHARE_REARM_POINTS = 5;

/** The alert settings (`procMemory.alerts.*`); 0 turns a threshold off. */
export interface AlertSettings {
  resAboveMiB: number;
  workingSetAbovePercent: number;
  sustainedGrowth: boolean;
}

/** What a rule sees of one reading. */
export interface AlertInput {
  sample: ProcessSample;
  /** The leak forecast of its history; only given while `sustainedGrowth` is on. */
  forecast?: LeakForecast;
}

/**
 * One rule's judgement of one reading: `above` fires (once), `below` re-arms, `between` (inside the
 * margin) changes nothing. Undefined: the rule is off or its figure is unknown: nothing changes.
 */
export type Verdict = { level: 'above'; message: string } | { level: 'between' } | { level: 'below' };

export interface AlertRule {
  /** Stable name, part of the hysteresis key. */
  id: string;
  /**
   * The threshold in force: when it changes (the user edits the setting), the rule re-arms, so a
   * lowered threshold the process is already past fires at once.
   */
  threshold(settings: AlertSettings): number;
  judge(input: AlertInput, settings: AlertSettings): Verdict | undefined;
}

/** Above `threshold` fires; below `rearmBelow` re-arms; in between nothing changes. */
function band(value: number, threshold: number, rearmBelow: number, message: () => string): Verdict {
  if (value >= threshold) {
    return { level: 'above', message: message() };
  }
  return value < rearmBelow ? { level: 'below' } : { level: 'between' };
}

/** RES above `procMemory.alerts.resAboveMiB`. */
export const RES_ABOVE: AlertRule = {
  id: 'resAbove',
  threshold: (settings) => settings.resAboveMiB,
  judge({ sample }, { resAboveMiB }) {
    if (!(resAboveMiB > 0) || sample.memoryless) {
      return undefined;
    }
    const threshold = resAboveMiB * MiB;
    return band(
      sample.resBytes,
      threshold,
      threshold * SIZE_REARM_FRACTION,
      () => `RES ${formatBytes(sample.resBytes)} is above ${resAboveMiB} MiB (procMemory.alerts.resAboveMiB).`,
    );
  },
};

/** The working set of the cgroup level with the least headroom above a share of that level's limit. */
export const WORKING_SET_SHARE: AlertRule = {
  id: 'workingSetShare',
  threshold: (settings) => settings.workingSetAbovePercent,
  judge({ sample }, { workingSetAbovePercent: percent }) {
    const group = sample.cgroup?.ok ? sample.cgroup.value : undefined;
    const tightest = group?.tightest;
    if (!(percent > 0) || !tightest || sample.memoryless) {
      return undefined;
    }
    const { level, workingSetBytes: workingSet, sharePercent: share } = tightest;
    // Below 10 % a 5-point margin would never re-arm: half the threshold then.
    const rearmBelow = percent - Math.min(SHARE_REARM_POINTS, percent / 2);
    return band(share, percent, rearmBelow, () => {
      const where = level.path === group?.path ? `its cgroup ${level.path}` : `its parent cgroup ${level.path}`;
      return `the working set of ${where} is ${share.toFixed(0)}% of its limit (${formatBytes(workingSet)} of ${formatBytes(level.limitBytes)}, ${level.limitFile}), above ${percent}% (procMemory.alerts.workingSetAbovePercent).`;
    });
  },
};

/**
 * Sustained growth, as the leak forecast judges it: fires when it finds growth it can forecast
 * from; re-arms only once it finds RES level or shrinking (not while it is unsure or collecting).
 */
export const SUSTAINED_GROWTH: AlertRule = {
  id: 'sustainedGrowth',
  threshold: (settings) => (settings.sustainedGrowth ? 1 : 0),
  judge({ forecast, sample }, { sustainedGrowth }) {
    if (!sustainedGrowth || !forecast || sample.memoryless) {
      return undefined;
    }
    switch (forecast.verdict) {
      case 'growing':
        return {
          level: 'above',
          message: `RES keeps growing. ${describeForecast(forecast).verdict} (procMemory.alerts.sustainedGrowth)`,
        };
      case 'steady':
      case 'shrinking':
        return { level: 'below' };
      default:
        return { level: 'between' };
    }
  },
};

export const ALERT_RULES: readonly AlertRule[] = [RES_ABOVE, WORKING_SET_SHARE, SUSTAINED_GROWTH];

/** An alert that fired: which rule, for which process, and why. */
export interface FiredAlert {
  rule: string;
  identity: ProcessIdentity;
  message: string;
}

/** Processes whose hysteresis is kept; the oldest go first (an ended process is dropped at once). */
const KEPT_PROCESSES = 256;

/**
 * Once per crossing: each (process, rule) is armed until it fires, and re-armed only once the
 * figure falls below the rule's margin (or the threshold changes). Readings with the rule off or
 * its figure unknown change nothing, so a cgroup read every few seconds does not re-arm in between.
 */
export class AlertHysteresis {
  /** identity key -> rule id -> the threshold it fired at (absent: armed). */
  private readonly fired = new BoundedMap<string, Map<string, number>>(KEPT_PROCESSES);

  constructor(private readonly rules: readonly AlertRule[] = ALERT_RULES) {}

  /** The alerts this reading fires. */
  evaluate(input: AlertInput, settings: AlertSettings): FiredAlert[] {
    const key = identityKey(input.sample.identity);
    let state = this.fired.get(key);
    const alerts: FiredAlert[] = [];
    for (const rule of this.rules) {
      const verdict = rule.judge(input, settings);
      const threshold = rule.threshold(settings);
      const firedAt = state?.get(rule.id);
      if (firedAt !== undefined && firedAt !== threshold) {
        state?.delete(rule.id); // a new threshold: a new crossing to watch for
      }
      if (verdict?.level === 'below') {
        state?.delete(rule.id);
      } else if (verdict?.level === 'above' && !state?.has(rule.id)) {
        if (!state) {
          state = new Map();
          this.fired.set(key, state);
        }
        state.set(rule.id, threshold);
        alerts.push({ rule: rule.id, identity: input.sample.identity, message: verdict.message });
      }
    }
    return alerts;
  }

  /** Forgets a process that ended. */
  forget(identity: ProcessIdentity): void {
    this.fired.delete(identityKey(identity));
  }
}
