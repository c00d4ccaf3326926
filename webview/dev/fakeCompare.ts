// Dev harness only: what the host sends the comparison of two recordings (?scenario=compare|task-runs).
import type { HistorySeries } from '../../shared/model';
import type { ToCompareView } from '../../shared/protocol/compare';
import { MiB } from '../../shared/units';
import { NOW, leakingHistory } from './fakeProcess';

export function compareMessages(scenario: string): ToCompareView[] {
  if (scenario === 'task-runs') {
    return taskRunMessages();
  }
  const before = leakingHistory(300, NOW);
  const after = { ...before, res: before.res.map((value, i) => Math.min(value, before.res[0] + i * 40 * 1024)) };
  const run = (name: string, series: HistorySeries) => ({
    fileName: `${name}.procmem.json`,
    name: 'node',
    pid: name === 'before' ? 48213 : 51022,
    startMs: series.timesMs[0],
    durationMs: series.timesMs[series.timesMs.length - 1] - series.timesMs[0],
    peakBytes: Math.max(...series.res),
    peakResBytes: Math.max(...series.res),
    timesS: series.timesMs.map((time) => (time - series.timesMs[0]) / 1000),
    values: series.res,
  });
  return [
    {
      type: 'compare',
      figure: 'RES',
      a: run('before', before),
      b: run('after', after),
      alignment: 'first-stop',
      canAlignAtStops: true,
      stops: [
        {
          place: 'handleOrder (server.js)',
          a: { label: 'server.js:41', atS: 0, resBytes: 402 * MiB },
          b: { label: 'server.js:44', atS: 0, resBytes: 380 * MiB },
          change: '-22.0 MiB RES in run B',
        },
        {
          place: 'handleOrder (server.js)',
          a: { label: 'server.js:57', atS: 1.2, resBytes: 466 * MiB },
          b: { label: 'server.js:60', atS: 1.1, resBytes: 381 * MiB },
          change: '-85.0 MiB RES in run B',
        },
        {
          place: '<b>cleanup</b> (server.js)',
          a: undefined,
          b: { label: 'server.js:90', atS: 3, resBytes: 381 * MiB },
          change: 'only in run B',
        },
      ],
      verdict:
        'Run B peaks 120.0 MiB lower than run A (300.1 MiB against 420.1 MiB); run A keeps growing at +8.20 MiB/min at its end, run B levels off after 30 s.',
    },
  ];
}

/** Two runs of a task (`make`), compared by PSS summed over the task's processes, RES summed beside. */
function taskRunMessages(): ToCompareView[] {
  const run = (name: string, peak: number) => ({
    fileName: `${name}.procmem.json`,
    name: 'make',
    pid: 4100,
    startMs: NOW,
    durationMs: 60_000,
    peakBytes: peak,
    peakResBytes: peak * 3,
    timesS: [0, 1, 2],
    values: [0, peak, peak / 2],
  });
  return [
    {
      type: 'compare',
      figure: 'PSS summed',
      a: run('build-a', 300 * MiB),
      b: run('build-b', 400 * MiB),
      alignment: 'start',
      canAlignAtStops: false,
      stops: [],
      verdict: 'Run B peaks 100.0 MiB higher than run A in PSS summed',
    },
  ];
}
