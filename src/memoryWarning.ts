import { formatBytes } from './format';
import { ProcessSample } from './proc/sampleProcess';

const MiB = 1024 * 1024;

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
  if (thresholds.aboveCgroupPercent > 0 && cgroup?.limitBytes) {
    // The kernel acts on what is charged to the whole group (not on this process's RES, part of
    // which may be charged elsewhere), so that is what is compared with its limit.
    const used = cgroup.currentBytes;
    if (used >= (cgroup.limitBytes * thresholds.aboveCgroupPercent) / 100) {
      const share = Math.round((used / cgroup.limitBytes) * 100);
      return `Its cgroup uses ${share}% of its memory limit (${formatBytes(used)} of ${formatBytes(cgroup.limitBytes)}); at 100% the kernel reclaims memory and may kill processes in it.`;
    }
  }
  return undefined;
}
