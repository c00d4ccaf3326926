import * as assert from 'assert';
import { forecastLeak, ResSeries } from '../../src/proc/leakForecast';
import { FORECAST_WARM_UP_MS, type ForecastLimit, type LeakForecast } from '../../shared/model';
import { Prng } from './helpers';
import { MiB } from '../../shared/units';

const MINUTE = 60000;
const START = 1.7e12;

/** One reading a second for `minutes` from the process's start, RES given by `res(seconds)`. */
function series(minutes: number, res: (seconds: number) => number): ResSeries {
  const timesMs: number[] = [];
  const values: number[] = [];
  for (let s = 0; s <= minutes * 60; s++) {
    timesMs.push(START + s * 1000);
    values.push(Math.round(res(s)));
  }
  return { timesMs, res: values };
}

const cgroupLimit: ForecastLimit = {
  kind: 'cgroup',
  path: '/app.slice',
  limitFile: 'memory.max',
  limitBytes: 2048 * MiB,
  headroomBytes: 516 * MiB,
};

function verdictOf(forecast: LeakForecast): string {
  return 'reason' in forecast ? `${forecast.verdict}/${forecast.reason}` : forecast.verdict;
}

describe('forecastLeak', () => {
  it('collects until a minute of readings past the warm-up, and says how much longer', () => {
    const young = series(1, () => 100 * MiB);
    const forecast = forecastLeak(young, START, undefined);
    assert.strictEqual(forecast.verdict, 'collecting');
    // 60 s of history, the first 30 s are warm-up: 30 s of the minute are there.
    assert.strictEqual(forecast.needMs, 30_000);
    assert.deepStrictEqual(forecastLeak({ timesMs: [], res: [] }, START, undefined).verdict, 'collecting');
    // An old process (started long before the history) needs no warm-up, just the minute.
    const watchedLate = forecastLeak(
      series(0.5, () => 100 * MiB),
      START - 3600_000,
      undefined,
    );
    assert.deepStrictEqual(watchedLate, { verdict: 'collecting', needMs: 30_000 });
  });

  it('steady: level with noise is flat, not a leak', () => {
    const prng = new Prng(1);
    const forecast = forecastLeak(
      series(10, () => 300 * MiB + prng.next() * 2 * MiB),
      START,
      cgroupLimit,
    );
    assert.strictEqual(verdictOf(forecast), 'steady/flat');
  });

  it('warm-up then flat: grew for 90 s (past the 30 s warm-up) and stayed level is no leak', () => {
    const forecast = forecastLeak(
      series(8, (s) => (s < 90 ? 50 * MiB + (s / 90) * 250 * MiB : 300 * MiB)),
      START,
      cgroupLimit,
    );
    assert.strictEqual(verdictOf(forecast), 'steady/settled');
  });

  it('a GC sawtooth that returns to its base is no leak, however tall its teeth', () => {
    for (const periodSeconds of [20, 45, 90, 150]) {
      const forecast = forecastLeak(
        series(10, (s) => 200 * MiB + ((s % periodSeconds) / periodSeconds) * 120 * MiB),
        START,
        cgroupLimit,
      );
      assert.strictEqual(verdictOf(forecast), 'steady/sawtooth', `period ${periodSeconds} s`);
    }
  });

  it('a linear leak: the slope, a fit of 1 and the time to the cgroup limit', () => {
    const forecast = forecastLeak(
      series(10, (s) => 100 * MiB + (s / 60) * 12 * MiB),
      START,
      cgroupLimit,
    );
    assert.ok(forecast.verdict === 'growing', verdictOf(forecast));
    assert.ok(Math.abs(forecast.bytesPerMinute - 12 * MiB) < 0.001 * MiB, `${forecast.bytesPerMinute / MiB}`);
    assert.ok(forecast.r2 > 0.9999);
    assert.ok(forecast.limit);
    // 516 MiB of headroom at 12 MiB/min: 43 min.
    assert.ok(Math.abs(forecast.limit.timeToLimitMs - 43 * MINUTE) < 1000, `${forecast.limit.timeToLimitMs}`);
    assert.strictEqual(forecast.limit.kind, 'cgroup');
    // The fit rests on the last 10 min, past the warm-up of a young process.
    assert.strictEqual(forecast.spanMs, 10 * MINUTE - FORECAST_WARM_UP_MS);
  });

  it('a noisy leak is found by its troughs, within 10 % of its rate', () => {
    const prng = new Prng(42);
    const forecast = forecastLeak(
      series(10, (s) => 400 * MiB + (s / 60) * 6 * MiB + (prng.next() - 0.5) * 40 * MiB),
      START,
      undefined,
    );
    assert.ok(forecast.verdict === 'growing', verdictOf(forecast));
    assert.ok(Math.abs(forecast.bytesPerMinute / (6 * MiB) - 1) < 0.1, `${forecast.bytesPerMinute / MiB} MiB/min`);
    assert.ok(forecast.r2 >= 0.8);
    assert.strictEqual(forecast.limit, undefined, 'no limit known, no time to it');
  });

  it('a sawtooth whose base rises leaks at the rate of its base', () => {
    const forecast = forecastLeak(
      series(10, (s) => 200 * MiB + (s / 60) * 5 * MiB + ((s % 30) / 30) * 80 * MiB),
      START,
      cgroupLimit,
    );
    assert.ok(forecast.verdict === 'growing', verdictOf(forecast));
    assert.ok(Math.abs(forecast.bytesPerMinute / (5 * MiB) - 1) < 0.1, `${forecast.bytesPerMinute / MiB} MiB/min`);
  });

  it('short-lived spikes on a leaking base: the rate of the base, not of the spikes', () => {
    const prng = new Prng(9);
    const forecast = forecastLeak(
      series(10, (s) => 250 * MiB + (s / 60) * 6 * MiB + (prng.next() < 0.1 ? prng.next() * 200 * MiB : 0)),
      START,
      cgroupLimit,
    );
    assert.ok(forecast.verdict === 'growing', verdictOf(forecast));
    assert.ok(Math.abs(forecast.bytesPerMinute / (6 * MiB) - 1) < 0.05, `${forecast.bytesPerMinute / MiB} MiB/min`);
    assert.ok(forecast.r2 > 0.95, `R² ${forecast.r2}`);
  });

  it('growth that only started lately is not yet forecast', () => {
    const forecast = forecastLeak(
      series(10, (s) => (s < 450 ? 300 * MiB : 300 * MiB + ((s - 450) / 60) * 20 * MiB)),
      START,
      cgroupLimit,
    );
    assert.strictEqual(verdictOf(forecast), 'uncertain/recent');
  });

  it('growth too uneven for a line is not forecast', () => {
    // A slow leak under tall GC teeth that last about a bin and a half: the troughs rise from
    // third to third, but the lowest reading of each bin lands anywhere on a tooth.
    const forecast = forecastLeak(
      series(10, (s) => 300 * MiB + (s / 60) * 3 * MiB + ((s % 70) / 70) * 150 * MiB),
      START - 3600_000,
      cgroupLimit,
    );
    assert.strictEqual(verdictOf(forecast), 'uncertain/poor-fit');
    assert.ok(forecast.verdict === 'uncertain' && forecast.r2 < 0.8);
  });

  it('shrinking RES is not a leak', () => {
    const forecast = forecastLeak(
      series(10, (s) => 900 * MiB - (s / 60) * 30 * MiB),
      START,
      cgroupLimit,
    );
    assert.strictEqual(forecast.verdict, 'shrinking');
  });

  it('at or over the limit already: time to it is 0', () => {
    const forecast = forecastLeak(
      series(5, (s) => 100 * MiB + (s / 60) * 12 * MiB),
      START,
      { kind: 'memAvailable', headroomBytes: -5 * MiB },
    );
    assert.ok(forecast.verdict === 'growing' && forecast.limit);
    assert.strictEqual(forecast.limit.timeToLimitMs, 0);
  });
});
