// A task run while it runs: the tree's totals per walk, the peak and who held most at it. No
// vscode: unit-tested on readings.
import { TreeMember, TreeReading } from '../proc/processTreeWalk';
import { MAX_MEMBERS, TaskRun, TaskRunGroup } from '../../shared/taskRun';
import { thinOlderHalf } from '../recordings/recordingFile';

/** Beyond this many samples the older half is thinned: a long watch task stays bounded. */
export const MAX_TASK_SAMPLES = 100_000;

export interface TaskPoint {
  timeMs: number;
  resBytes: number;
  virtBytes: number;
  shrBytes: number;
  pssBytes: number;
  processes: number;
}

export class TaskRunRecording {
  readonly points: TaskPoint[] = [];
  private peak: TaskRun['peak'] | undefined;

  constructor(
    readonly label: string,
    readonly source: string,
    readonly startMs: number,
  ) {}

  add(reading: TreeReading): void {
    if (reading.members.length === 0) {
      return;
    }
    this.points.push({
      timeMs: reading.timeMs,
      resBytes: reading.resBytes,
      virtBytes: reading.virtBytes,
      shrBytes: reading.shrBytes,
      pssBytes: reading.pssBytes,
      processes: reading.members.length,
    });
    if (this.points.length > MAX_TASK_SAMPLES) {
      thinOlderHalf(this.points);
    }
    if (!this.peak || reading.pssBytes > this.peak.pssBytes) {
      let largest = reading.members[0];
      for (const member of reading.members) {
        if ((member.pssBytes ?? 0) > (largest.pssBytes ?? 0)) {
          largest = member;
        }
      }
      this.peak = {
        bytes: reading.pssBytes,
        source: 'sampled-pss',
        pssBytes: reading.pssBytes,
        atMs: reading.timeMs,
        processes: reading.members.length,
        largest: { pid: largest.identity.pid, name: largest.name, pssBytes: largest.pssBytes ?? 0 },
      };
    }
  }

  /** The run as the file keeps it; undefined when no walk read anything (a run shorter than a sample). */
  finish(
    endMs: number,
    exitCode: number | undefined,
    members: readonly TreeMember[],
    sampleIntervalMs: number,
    extra: { group?: TaskRunGroup; budgetBytes?: number; oomKill?: string } = {},
  ): TaskRun | undefined {
    if (!this.peak) {
      return undefined;
    }
    const exact = extra.group?.peakBytes;
    return {
      label: this.label,
      source: this.source,
      startMs: this.startMs,
      durationMs: Math.max(0, endMs - this.startMs),
      exitCode,
      sampleIntervalMs,
      pss: this.points.map((point) => point.pssBytes),
      processes: this.points.map((point) => point.processes),
      peak: exact === undefined ? this.peak : { ...this.peak, bytes: exact, source: 'cgroup' },
      hwmSumBytes: members.reduce((sum, member) => sum + member.hwmBytes, 0),
      members: members.slice(0, MAX_MEMBERS).map((member) => ({
        pid: member.identity.pid,
        startTicks: member.identity.startTicks,
        name: member.name,
        parentPid: member.firstParent,
        reparentedTo: member.reparentedTo,
        hwmBytes: member.hwmBytes,
        maxPssBytes: member.maxPssBytes,
        firstSeenMs: member.firstSeenMs,
        exitedAtMs: member.exitedAtMs,
        lost: member.lost,
      })),
      membersOmitted: Math.max(0, members.length - MAX_MEMBERS),
      ...extra,
    };
  }
}
