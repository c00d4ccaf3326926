// The words said about a task run: the end-of-run line, the comparison with the last run, the
// budget verdict. Shared by the status bar, the notifications and the recording view.
import { formatBytes, formatDelta } from './format';
import { TaskRun } from './taskRun';

/** Within this share of the budget, a run is said to come close to it. */
export const BUDGET_MARGIN = 0.1;

/** `build peaked at 1.84 GiB (PSS, 23 processes)`, and the group's exact peak where there is one. */
export function peakText(run: TaskRun): string {
  const { peak } = run;
  const processes = `${peak.processes} ${peak.processes === 1 ? 'process' : 'processes'}`;
  const pss = `${run.label} peaked at ${formatBytes(peak.pssBytes)} (PSS, ${processes})`;
  if (peak.source === 'cgroup' && run.group?.peakBytes !== undefined) {
    return `${pss}; its cgroup's exact peak ${formatBytes(run.group.peakBytes)} (${run.group.peakFile}, page cache included)`;
  }
  return pss;
}

/** `+312 MiB vs the last run`: the sampled PSS peaks of two runs of the same task. */
export function versusLastText(run: TaskRun, last: TaskRun | undefined): string | undefined {
  return last ? `${formatDelta(run.peak.pssBytes - last.peak.pssBytes)} vs the last run` : undefined;
}

/** The figure a budget is judged on: the group's exact peak where the run had its own group, else the sampled PSS peak. */
export function judgedPeak(run: TaskRun): { bytes: number; what: string } {
  return run.peak.source === 'cgroup' && run.group?.peakBytes !== undefined
    ? { bytes: run.group.peakBytes, what: `its cgroup's peak (${run.group.peakFile})` }
    : { bytes: run.peak.pssBytes, what: 'its peak PSS summed over the tree' };
}

/** The budget verdict: undefined when the run stayed more than BUDGET_MARGIN below it (or has none). */
export function budgetText(run: TaskRun): { level: 'near' | 'over'; text: string } | undefined {
  const budget = run.budgetBytes;
  if (!budget) {
    return undefined;
  }
  const { bytes, what } = judgedPeak(run);
  const share = `${Math.round((bytes / budget) * 100)} %`;
  if (bytes > budget) {
    return {
      level: 'over',
      text: `${run.label} went over its memory budget: ${what} was ${formatBytes(bytes)}, ${formatBytes(bytes - budget)} more than the ${formatBytes(budget)} budget (${share}).`,
    };
  }
  if (bytes >= budget * (1 - BUDGET_MARGIN)) {
    return {
      level: 'near',
      text: `${run.label} came within ${Math.round(BUDGET_MARGIN * 100)} % of its memory budget: ${what} was ${formatBytes(bytes)} of the ${formatBytes(budget)} budget (${share}, ${formatBytes(budget - bytes)} left).`,
    };
  }
  return undefined;
}
