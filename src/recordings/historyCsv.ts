import { HistoryPoint } from '../proc/history';

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
