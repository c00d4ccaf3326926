// "Copy snapshot": every figure of the snapshot in the text, the cgroup, OOM and pressure ones included.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { cgroupOf, FIXTURE_CGROUP, FIXTURE_PROC } from './helpers';
import { systemInfo } from '../../src/proc/systemInfo';
import * as assert from 'node:assert/strict';
import { formatBytes } from '../../shared/format';
import { snapshotToText } from '../../src/core/snapshotText';
import { describeForecast } from '../../shared/forecastText';
import type { LeakForecast } from '../../shared/model';
import { fail, ok } from '../../src/proc/outcome';
import { ProcessSample, sampleProcess } from '../../src/proc/sampleProcess';
import { toSnapshot } from '../../src/core/processSnapshot';
import { MiB } from '../../shared/units';

/** The process of the fixture /proc (PID 1234), whose files the test reads itself below. */
function sample(): ProcessSample {
  const live = sampleProcess(1234, { detail: true, procRoot: FIXTURE_PROC, cgroupRoot: FIXTURE_CGROUP });
  assert.ok(live.ok);
  return {
    ...live.value,
    cgroup: ok(
      cgroupOf({
        version: 1,
        path: '/app/web',
        limitBytes: 1024 * MiB,
        currentBytes: 900 * MiB,
        workingSet: ok(100 * MiB),
        levels: [
          {
            path: '/app/web',
            limitBytes: 2048 * MiB,
            limitFile: 'memory.limit_in_bytes',
            usageBytes: 900 * MiB,
            workingSet: ok(100 * MiB),
          },
          {
            path: '/app',
            limitBytes: 1024 * MiB,
            limitFile: 'memory.limit_in_bytes',
            usageBytes: 1000 * MiB,
            workingSet: ok(800 * MiB),
          },
        ],
        oom: ok({ version: 1, path: '/app/web', oomKillLocal: 2, failcnt: 7 }),
      }),
    ),
    oomScore: ok({ score: 712, adj: 100 }),
    pressure: {
      system: ok({
        file: '/proc/pressure/memory',
        pressure: {
          some: { avg10: 2.5, avg60: 1, avg300: 0.2, totalUs: 10 },
          full: { avg10: 0.5, avg60: 0.25, avg300: 0, totalUs: 3 },
        },
      }),
      group: fail({ kind: 'unsupported', detail: 'no cgroup2 hierarchy is mounted' }),
    },
    faultRates: { minorPerSecond: 1234.56, majorPerSecond: 0.25, overMs: 1000 },
  };
}

describe('snapshotToText', () => {
  it('has every figure of the snapshot: memory, cgroup working set and headroom, OOM counters and score, pressure, faults', () => {
    const snapshot = toSnapshot(sample());
    const lines = snapshotToText(snapshot, formatBytes).split('\n');
    // The figures as the test reads them from the fixture's files, not from the snapshot.
    const file = (name: string) => readFileSync(path.join(FIXTURE_PROC, '1234', name), 'utf8');
    const kb = (text: string, key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(text)![1]) * 1024;
    const [size, resident, shared] = file('statm').split(' ').map(Number);
    const page = systemInfo().pageSize;
    const status = file('status');
    const rollup = file('smaps_rollup');
    const stat = file('stat').split(') ').at(-1)!.split(' ');
    assert.deepEqual(lines, [
      `evil) name) (x (PID 1234), ${new Date(snapshot.sampledAtMs).toISOString()}`,
      `VIRT ${formatBytes(size * page)}`,
      `RES  ${formatBytes(resident * page)} (anon ${formatBytes(kb(status, 'RssAnon'))}, file ${formatBytes(kb(status, 'RssFile'))}, shmem ${formatBytes(kb(status, 'RssShmem'))})`,
      `SHR  ${formatBytes(shared * page)}`,
      `PSS  ${formatBytes(kb(rollup, 'Pss'))}`,
      `USS  ${formatBytes(kb(rollup, 'Private_Clean') + kb(rollup, 'Private_Dirty'))}`,
      `Swap ${formatBytes(kb(status, 'VmSwap'))}`,
      `Peak RES ${formatBytes(kb(status, 'VmHWM'))}`,
      // The cgroup, OOM score, pressure and rates this test gave the sample (see sample()).
      'cgroup v1 /app/web: usage 900.0 MiB, working set 100.0 MiB',
      'Limit 1.00 GiB (memory.limit_in_bytes of /app): working set 800.0 MiB, headroom 224.0 MiB',
      'OOM counters of /app/web: memory.failcnt 7, memory.oom_control oom_kill 2',
      'OOM score 712 (oom_score_adj 100)',
      'Pressure, system: some 2.50% avg10, 1.00% avg60; full 0.50% avg10, 0.25% avg60 (/proc/pressure/memory)',
      'Pressure, group: unavailable (Not available on this system: no cgroup2 hierarchy is mounted)',
      // Totals: minflt and majflt, fields 10 and 12 of stat.
      `Page faults minor 1234.6/s, major 0.3/s (totals ${stat[7]} and ${stat[9]})`,
      // Read by the snapshot from the live /proc (no fixture root for it): the same text, whatever it is.
      `Command: ${snapshot.commandLine}`,
    ]);
    assert.equal(lines[1], `VIRT ${formatBytes(2990080)}`, 'statm size 730 pages of 4 KiB');
  });

  it('ends with the leak forecast in the panel’s words, when there is one', () => {
    const forecast: LeakForecast = { verdict: 'steady', reason: 'flat', spanMs: 600_000, bytesPerMinute: 0, r2: 0 };
    const lines = snapshotToText(toSnapshot(sample()), formatBytes, forecast).split('\n');
    assert.equal(lines.at(-2), `Leak forecast: ${describeForecast(forecast).verdict}`);
    assert.equal(lines.at(-2), 'Leak forecast: No leak: RES has stayed level over the last 10 min.');
  });

  it('says how much earlier than RES PSS and USS were read, when they were', () => {
    const read = sample();
    const lines = snapshotToText(toSnapshot({ ...read, rollupTimeMs: read.timeMs - 7300 }), formatBytes).split('\n');
    assert.match(lines[4], /^PSS {2}\S+ \S+ \(read 7\.3 s before RES\)$/);
    assert.match(lines[5], /^USS {2}\S+ \S+ \(read 7\.3 s before RES\)$/);
  });

  it('says why a figure is missing instead of leaving it out', () => {
    const text = snapshotToText(
      toSnapshot({ ...sample(), cgroup: ok(undefined), oomScore: undefined, faultRates: undefined }),
      formatBytes,
    );
    assert.match(text, /^cgroup unavailable \(no cgroup memory accounting visible for this process\)$/m);
    assert.match(text, /^OOM score unavailable \(not read yet\)$/m);
    assert.match(text, /^Page faults unavailable \(needs two readings\)$/m);
  });
});
