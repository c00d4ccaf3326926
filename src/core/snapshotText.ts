// Copy snapshot: the inspect panel's figures as plain text for the clipboard.
import { describeForecast } from '../../shared/forecastText';
import { CgroupFigure, LeakForecast, PressureFigure, ProcessSnapshot } from '../../shared/model';
import { rollupAgeText } from '../../shared/rollupAge';

/** The current figures as plain text, in the order and names top uses. */
export function snapshotToText(
  snapshot: ProcessSnapshot,
  format: (bytes: number) => string,
  forecast?: LeakForecast,
): string {
  const figure = (value: { bytes: number } | { unavailable: string }) =>
    'bytes' in value ? format(value.bytes) : `unavailable (${value.unavailable})`;
  const rollupAge = rollupAgeText(snapshot);
  const fromRollup = (value: { bytes: number } | { unavailable: string }) =>
    'bytes' in value && rollupAge ? `${figure(value)} (${rollupAge})` : figure(value);
  return [
    `${snapshot.name} (PID ${snapshot.pid}), ${new Date(snapshot.sampledAtMs).toISOString()}`,
    `VIRT ${format(snapshot.virtBytes)}`,
    `RES  ${format(snapshot.resBytes)} (anon ${figure(snapshot.anon)}, file ${figure(snapshot.file)}, shmem ${figure(snapshot.shmem)})`,
    `SHR  ${format(snapshot.shrBytes)}`,
    `PSS  ${fromRollup(snapshot.pss)}`,
    `USS  ${fromRollup(snapshot.uss)}`,
    `Swap ${figure(snapshot.swap)}`,
    `Peak RES ${figure(snapshot.peakRes)}`,
    ...cgroupLines(snapshot.cgroup, format),
    `OOM score ${'unavailable' in snapshot.oomScore ? `unavailable (${snapshot.oomScore.unavailable})` : `${snapshot.oomScore.score} (oom_score_adj ${snapshot.oomScore.adj})`}`,
    `Pressure, system: ${pressureText(snapshot.pressure.system)}`,
    `Pressure, group: ${pressureText(snapshot.pressure.group)}`,
    `Page faults ${
      'unavailable' in snapshot.faults
        ? `unavailable (${snapshot.faults.unavailable})`
        : `minor ${snapshot.faults.minorPerSecond.toFixed(1)}/s, major ${snapshot.faults.majorPerSecond.toFixed(1)}/s (totals ${snapshot.faults.minorTotal} and ${snapshot.faults.majorTotal})`
    }`,
    ...(forecast ? [`Leak forecast: ${describeForecast(forecast).verdict}`] : []),
    `Command: ${snapshot.commandLine}`,
  ].join('\n');
}

/** The cgroup: usage and working set, the tightest limit with its headroom, and the OOM counters. */
function cgroupLines(cgroup: CgroupFigure, format: (bytes: number) => string): string[] {
  if ('unavailable' in cgroup) {
    return [`cgroup unavailable (${cgroup.unavailable})`];
  }
  const workingSet =
    'bytes' in cgroup.workingSet ? format(cgroup.workingSet.bytes) : `unavailable (${cgroup.workingSet.unavailable})`;
  const tightest = cgroup.tightest;
  const oom = cgroup.oom;
  return [
    `cgroup v${cgroup.version} ${cgroup.path}: usage ${format(cgroup.usageBytes)}, working set ${workingSet}`,
    'unavailable' in tightest
      ? `Limit unavailable (${tightest.unavailable})`
      : `Limit ${format(tightest.limitBytes)} (${tightest.limitFile} of ${tightest.path}): working set ${format(tightest.workingSetBytes)}, headroom ${format(tightest.headroomBytes)}`,
    'unavailable' in oom
      ? `OOM counters unavailable (${oom.unavailable})`
      : `OOM counters of ${oom.path}: ${oom.counters.map((counter) => `${counter.file} ${counter.value}`).join(', ')}`,
  ];
}

/** PSI as the kernel prints it: percent of time, averaged over 10 and 60 s. */
function pressureText(pressure: PressureFigure): string {
  if ('unavailable' in pressure) {
    return `unavailable (${pressure.unavailable})`;
  }
  return `some ${pressure.someAvg10.toFixed(2)}% avg10, ${pressure.someAvg60.toFixed(2)}% avg60; full ${pressure.fullAvg10.toFixed(2)}% avg10, ${pressure.fullAvg60.toFixed(2)}% avg60 (${pressure.file})`;
}
