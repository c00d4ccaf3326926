import { formatInterval } from './format';
import type { ProcessSnapshot } from './model';

/**
 * How much earlier than RES a snapshot's PSS and USS were read ("read 7.3 s before RES"), or
 * undefined when they were read with it. smaps_rollup is read every few seconds, RES at every
 * reading: without it, a growing process's PSS and USS look too small beside its RES.
 */
export function rollupAgeText(snapshot: Pick<ProcessSnapshot, 'sampledAtMs' | 'rollupReadAtMs'>): string | undefined {
  const ageMs = snapshot.rollupReadAtMs === undefined ? 0 : snapshot.sampledAtMs - snapshot.rollupReadAtMs;
  return ageMs >= 1000 ? `read ${formatInterval(ageMs)} before RES` : undefined;
}
