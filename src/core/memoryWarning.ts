import { formatBytes } from '../../shared/format';
import { ProcessSample } from '../proc/sampleProcess';
import { MiB } from '../../shared/units';

/** The thresholds the user sets (0 turns one off). */
export interface WarningThresholds {
  aboveMiB: number;
  aboveCgroupPercent: number;
}

/** Why the status bar should warn about this sample, or undefined. */
export function memoryWarning(sample: ProcessSample, thresholds: WarningThresholds): string | undefined {
  if (thresholds.aboveMiB > 0 && sample.resBytes > thresholds.aboveMiB * MiB) {
    return `RES is above ${thresholds.aboveMiB} MiB (setting procMemory.statusBar.warnAboveMiB).`;
  }
  const cgroup = sample.cgroup?.ok ? sample.cgroup.value : undefined;
  const tightest = cgroup?.tightest;
  if (thresholds.aboveCgroupPercent > 0 && tightest) {
    // The kernel acts on what is charged to the whole group (not on this process's RES, part of
    // which may be charged elsewhere), and reclaims inactive page cache before it kills anything:
    // so the group's working set, not its usage, is compared with its limit, at the level with the
    // least headroom.
    const { level, workingSetBytes: used, sharePercent } = tightest;
    if (sharePercent >= thresholds.aboveCgroupPercent) {
      const share = Math.round(sharePercent);
      const where = level.path === cgroup?.path ? 'Its cgroup' : `Its parent cgroup ${level.path}`;
      return `${where} has a working set of ${share}% of its memory limit (${formatBytes(used)} of ${formatBytes(level.limitBytes)}, ${level.limitFile}); at 100% the kernel reclaims memory and may kill processes in it.`;
    }
  }
  return undefined;
}
