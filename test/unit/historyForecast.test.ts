import * as assert from 'assert';
import { cgroupOf } from './helpers';
import { execFileSync } from 'child_process';
import { CgroupMemory } from '../../src/proc/cgroup';
import { History } from '../../src/proc/history';
import { forecastFor } from '../../src/proc/historyForecast';
import { parseMemAvailable, readMemAvailable } from '../../src/proc/meminfo';
import { ok } from '../../src/proc/outcome';
import { ProcessSample } from '../../src/proc/sampleProcess';
import { MiB } from '../../shared/units';

/**
 * Now, so a process started at boot (startTicks 0) is long past its warm-up; on the 5 s grid of
 * the wall clock that refits fall on.
 */
const BASE = Math.floor((Date.now() - 400_000) / 5000) * 5000;

/** A process started at boot (no warm-up left) leaking 12 MiB/min for 5 min, one reading a second. */
function leakingHistory(): History {
  const history = new History(1000);
  for (let s = 0; s <= 300; s++) {
    history.push({ timeMs: BASE + s * 1000, resBytes: 100 * MiB + s * 0.2 * MiB, shrBytes: 0, virtBytes: 0 });
  }
  return history;
}

function sampleIn(cgroup: CgroupMemory | undefined): ProcessSample {
  return { identity: { pid: 4242, startTicks: 0 }, cgroup: cgroup && ok(cgroup) } as ProcessSample;
}

function groupWithHeadroom(headroomBytes: number): CgroupMemory {
  const limitBytes = 1024 * MiB;
  return cgroupOf({
    version: 2,
    path: '/app.slice/app.service',
    limitBytes,
    currentBytes: limitBytes - headroomBytes,
    workingSet: ok(limitBytes - headroomBytes),
    levels: [
      {
        path: '/app.slice/app.service',
        limitBytes,
        limitFile: 'memory.max',
        usageBytes: limitBytes - headroomBytes,
        workingSet: ok(limitBytes - headroomBytes),
      },
    ],
    oom: ok({ version: 2, path: '/app.slice/app.service' }),
  });
}

describe('forecastFor (a history and the limit it grows towards)', () => {
  it('forecasts against the cgroup when its headroom is the tighter', () => {
    const forecast = forecastFor(leakingHistory(), sampleIn(groupWithHeadroom(240 * MiB)), () => ok(8000 * MiB));
    assert.ok(forecast.verdict === 'growing' && forecast.limit?.kind === 'cgroup', JSON.stringify(forecast));
    assert.strictEqual(forecast.limit.headroomBytes, 240 * MiB);
    assert.ok(Math.abs(forecast.limit.timeToLimitMs - 20 * 60000) < 1000, String(forecast.limit.timeToLimitMs));
  });

  it('forecasts against MemAvailable when the machine runs out first, or without a cgroup limit', () => {
    const tighter = forecastFor(leakingHistory(), sampleIn(groupWithHeadroom(900 * MiB)), () => ok(120 * MiB));
    assert.ok(tighter.verdict === 'growing' && tighter.limit?.kind === 'memAvailable', JSON.stringify(tighter));
    assert.ok(Math.abs(tighter.limit.timeToLimitMs - 10 * 60000) < 1000);
    const noGroup = forecastFor(leakingHistory(), sampleIn(undefined), () => ok(600 * MiB));
    assert.ok(noGroup.verdict === 'growing' && noGroup.limit?.kind === 'memAvailable');
    const nothing = forecastFor(leakingHistory(), sampleIn(undefined), () => parseMemAvailable('MemTotal: 1 kB\n'));
    assert.ok(nothing.verdict === 'growing' && nothing.limit === undefined, 'no limit known: no time to it');
  });

  it('reads MemAvailable only for a RES that grows (no limit matters to any other verdict)', () => {
    let reads = 0;
    const memAvailable = () => {
      reads++;
      return ok(600 * MiB);
    };
    const level = new History(1000);
    for (let s = 0; s <= 300; s++) {
      level.push({ timeMs: BASE + s * 1000, resBytes: 100 * MiB, shrBytes: 0, virtBytes: 0 });
    }
    const steady = forecastFor(level, sampleIn(undefined), memAvailable);
    assert.ok(steady.verdict === 'steady', JSON.stringify(steady));
    assert.strictEqual(reads, 0, 'a level RES read /proc/meminfo');
    const growing = forecastFor(leakingHistory(), sampleIn(undefined), memAvailable);
    assert.ok(growing.verdict === 'growing' && growing.limit?.headroomBytes === 600 * MiB, JSON.stringify(growing));
    assert.strictEqual(reads, 1);
  });

  it('is refitted once per 5 s of the wall clock, the same object in between', () => {
    const history = leakingHistory();
    const first = forecastFor(history, sampleIn(undefined), () => ok(600 * MiB));
    history.push({ timeMs: BASE + 301_000, resBytes: 161 * MiB, shrBytes: 0, virtBytes: 0 });
    assert.strictEqual(
      forecastFor(history, sampleIn(undefined), () => ok(600 * MiB)),
      first,
    );
    for (let s = 302; s <= 306; s++) {
      history.push({ timeMs: BASE + s * 1000, resBytes: 100 * MiB + s * 0.2 * MiB, shrBytes: 0, virtBytes: 0 });
    }
    const refit = forecastFor(history, sampleIn(undefined), () => ok(600 * MiB));
    assert.notStrictEqual(refit, first);
    // On the grid, not 5 s after the last refit: the next comes at BASE + 310 s, 4 s later.
    history.push({ timeMs: BASE + 309_900, resBytes: 162 * MiB, shrBytes: 0, virtBytes: 0 });
    assert.strictEqual(
      forecastFor(history, sampleIn(undefined), () => ok(600 * MiB)),
      refit,
    );
    history.push({ timeMs: BASE + 310_000, resBytes: 162 * MiB, shrBytes: 0, virtBytes: 0 });
    assert.notStrictEqual(
      forecastFor(history, sampleIn(undefined), () => ok(600 * MiB)),
      refit,
    );
  });

  it('keeps the forecast of a full, level window while RES stays at that level, and refits once it moves', () => {
    const history = new History(2000);
    const push = (s: number, resBytes: number) =>
      history.push({ timeMs: BASE + s * 1000, resBytes, shrBytes: 0, virtBytes: 0 });
    for (let s = 0; s <= 700; s++) {
      push(s, 100 * MiB);
    }
    const level = forecastFor(history, sampleIn(undefined));
    assert.ok(level.verdict === 'steady' && level.reason === 'flat', JSON.stringify(level));
    for (let s = 701; s <= 760; s++) {
      push(s, 100 * MiB);
    }
    // Twelve refit slots later: the same object, as a refit would find the same (but for its span, by a reading at most).
    assert.strictEqual(forecastFor(history, sampleIn(undefined)), level);
    const refit = forecastFor(leveledCopy(history), sampleIn(undefined));
    assert.ok(refit.verdict === 'steady', JSON.stringify(refit));
    assert.deepStrictEqual({ ...level, spanMs: 0 }, { ...refit, spanMs: 0 });
    assert.ok(Math.abs(level.spanMs - refit.spanMs) <= 1000, `${level.spanMs} vs ${refit.spanMs}`);

    // One reading 4 KiB higher: the window is no longer level, and it is refitted.
    push(761, 100 * MiB + 4096);
    for (let s = 762; s <= 770; s++) {
      push(s, 100 * MiB);
    }
    const moved = forecastFor(history, sampleIn(undefined));
    assert.notStrictEqual(moved, level);
  });

  it('refits a level window that is not full yet (its span grows) or still in the warm-up', () => {
    const history = new History(2000);
    for (let s = 0; s <= 300; s++) {
      history.push({ timeMs: BASE + s * 1000, resBytes: 100 * MiB, shrBytes: 0, virtBytes: 0 });
    }
    const young = forecastFor(history, sampleIn(undefined));
    for (let s = 301; s <= 310; s++) {
      history.push({ timeMs: BASE + s * 1000, resBytes: 100 * MiB, shrBytes: 0, virtBytes: 0 });
    }
    const older = forecastFor(history, sampleIn(undefined));
    assert.notStrictEqual(older, young);
    assert.ok(older.verdict === 'steady' && young.verdict === 'steady' && older.spanMs > young.spanMs);
  });
});

/** The same points in a history of their own: forecastFor's cache does not know it. */
function leveledCopy(history: History): History {
  const copy = new History(history.capacity);
  for (const point of history.points()) {
    copy.push(point);
  }
  return copy;
}

describe('MemAvailable (/proc/meminfo)', () => {
  it('equals the "available" column of free(1), read around it', () => {
    const free = () =>
      Number(
        execFileSync('free', ['-b'], { encoding: 'utf8' })
          .split('\n')
          .find((line) => line.startsWith('Mem:'))
          ?.trim()
          .split(/\s+/)[6],
      );
    // free reads the same line; the machine moves between reads, so ours must lie between a pair
    // of free's readings taken around it (retried while the machine is busy).
    const seen: string[] = [];
    for (let attempt = 0; attempt < 20; attempt++) {
      const before = free();
      const ours = readMemAvailable();
      const after = free();
      assert.ok(ours.ok);
      if (ours.value >= Math.min(before, after) && ours.value <= Math.max(before, after)) {
        return;
      }
      seen.push(`${before} ${ours.value} ${after}`);
    }
    assert.fail(`never framed by free: ${seen.join('; ')}`);
  });

  it('says why it is missing, never 0', () => {
    for (const text of ['', 'MemTotal: 1000 kB\n', 'MemAvailable: -5 kB\n', 'MemAvailable: 12 MB\n', '<html>']) {
      const result = parseMemAvailable(text);
      assert.ok(!result.ok && result.error.kind === 'malformed', text);
    }
    assert.deepStrictEqual(parseMemAvailable('MemTotal: 4 kB\nMemAvailable:    2048 kB\n'), ok(2 * MiB));
  });
});
