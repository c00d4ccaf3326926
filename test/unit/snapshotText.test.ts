// "Copy snapshot": every figure of the snapshot in the text, the cgroup, OOM and pressure ones included.
import { cgroupOf } from './helpers';
import * as assert from 'node:assert/strict';
import { formatBytes } from '../../shared/format';
import { snapshotToText } from '../../src/core/snapshotText';
import { describeForecast } from '../../shared/forecastText';
import type { LeakForecast } from '../../shared/model';
import { fail, ok } from '../../src/proc/outcome';
import { ProcessSample, sampleProcess } from '../../src/proc/sampleProcess';
import { toSnapshot } from '../../src/core/processSnapshot';
import { MiB } from '../../shared/units';

function sample(): ProcessSample {
  const live = sampleProcess(process.pid, { detail: true });
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
    assert.ok(!('unavailable' in snapshot.cgroup) && !('unavailable' in snapshot.cgroup.tightest));
    assert.ok('minorTotal' in snapshot.faults && 'score' in snapshot.oomScore);
    const { tightest } = snapshot.cgroup;
    const figure = (value: { bytes: number } | { unavailable: string }) =>
      'bytes' in value ? formatBytes(value.bytes) : `unavailable (${value.unavailable})`;
    assert.deepEqual(lines.slice(0, 8), [
      `${snapshot.name} (PID ${snapshot.pid}), ${new Date(snapshot.sampledAtMs).toISOString()}`,
      `VIRT ${formatBytes(snapshot.virtBytes)}`,
      `RES  ${formatBytes(snapshot.resBytes)} (anon ${figure(snapshot.anon)}, file ${figure(snapshot.file)}, shmem ${figure(snapshot.shmem)})`,
      `SHR  ${formatBytes(snapshot.shrBytes)}`,
      `PSS  ${figure(snapshot.pss)}`,
      `USS  ${figure(snapshot.uss)}`,
      `Swap ${figure(snapshot.swap)}`,
      `Peak RES ${figure(snapshot.peakRes)}`,
    ]);
    assert.deepEqual(lines.slice(8), [
      `cgroup v1 /app/web: usage ${formatBytes(snapshot.cgroup.usageBytes)}, working set 100.0 MiB`,
      `Limit ${formatBytes(tightest.limitBytes)} (memory.limit_in_bytes of /app): working set ${formatBytes(tightest.workingSetBytes)}, headroom ${formatBytes(tightest.headroomBytes)}`,
      'OOM counters of /app/web: memory.failcnt 7, memory.oom_control oom_kill 2',
      'OOM score 712 (oom_score_adj 100)',
      'Pressure, system: some 2.50% avg10, 1.00% avg60; full 0.50% avg10, 0.25% avg60 (/proc/pressure/memory)',
      'Pressure, group: unavailable (Not available on this system: no cgroup2 hierarchy is mounted)',
      `Page faults minor 1234.6/s, major 0.3/s (totals ${snapshot.faults.minorTotal} and ${snapshot.faults.majorTotal})`,
      `Command: ${snapshot.commandLine}`,
    ]);
    assert.equal(tightest.headroomBytes, 224 * MiB, 'the tightest level is the parent, by its own working set');
  });

  it('ends with the leak forecast in the panel’s words, when there is one', () => {
    const forecast: LeakForecast = { verdict: 'steady', reason: 'flat', spanMs: 600_000, bytesPerMinute: 0, r2: 0 };
    const lines = snapshotToText(toSnapshot(sample()), formatBytes, forecast).split('\n');
    assert.equal(lines.at(-2), `Leak forecast: ${describeForecast(forecast).verdict}`);
    assert.equal(lines.at(-2), 'Leak forecast: No leak: RES has stayed level over the last 10 min.');
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
