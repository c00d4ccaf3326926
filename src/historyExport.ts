import { HistoryPoint } from './proc/history';
import { ProcessSnapshot } from '../shared/protocol';

/** One row per sample: ISO time, then bytes, so spreadsheets and scripts read it as is. */
export function historyToCsv(points: HistoryPoint[]): string {
  const lines = ['time,time_ms,res_bytes,shr_bytes,virt_bytes'];
  for (const point of points) {
    lines.push(
      `${new Date(point.timeMs).toISOString()},${point.timeMs},${point.resBytes},${point.shrBytes},${point.virtBytes}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The current figures as plain text, in the order and names top uses. */
export function snapshotToText(snapshot: ProcessSnapshot, format: (bytes: number) => string): string {
  const figure = (value: { bytes: number } | { unavailable: string }) =>
    'bytes' in value ? format(value.bytes) : `unavailable (${value.unavailable})`;
  return [
    `${snapshot.name} (PID ${snapshot.pid}), ${new Date(snapshot.sampledAtMs).toISOString()}`,
    `VIRT ${format(snapshot.virtBytes)}`,
    `RES  ${format(snapshot.resBytes)} (anon ${figure(snapshot.anon)}, file ${figure(snapshot.file)}, shmem ${figure(snapshot.shmem)})`,
    `SHR  ${format(snapshot.shrBytes)}`,
    `PSS  ${figure(snapshot.pss)}`,
    `USS  ${figure(snapshot.uss)}`,
    `Swap ${figure(snapshot.swap)}`,
    `Peak RES ${figure(snapshot.peakRes)}`,
    `Command: ${snapshot.commandLine}`,
  ].join('\n');
}
