// The inspect panel's headline trend: the raw slope may alarm only where the leak forecast finds
// growth too (issue: "RES growing fast: +109.0 MiB/min over the last 7 s" on a process starting up).
import * as assert from 'assert';
import type { LeakForecast } from '../../shared/model';
import { trendText } from '../../shared/trendJudgement';
import { MiB } from '../../shared/units';

const growing: LeakForecast = {
  verdict: 'growing',
  spanMs: 120_000,
  bytesPerMinute: 100 * MiB,
  r2: 0.99,
  limit: undefined,
};

describe('the headline trend', () => {
  it('does not call a process that is starting up "growing fast": the forecast is still collecting', () => {
    const collecting: LeakForecast = { verdict: 'collecting', needMs: 80_000 };
    for (const forecast of [undefined, collecting]) {
      assert.deepStrictEqual(trendText(109 * MiB, 40 * MiB, 7 / 60, forecast), {
        level: 'growing',
        text: 'RES +109.0 MiB/min over the last 7 s: too early to judge',
      });
    }
  });

  it('says "growing fast" where the forecast finds growth too', () => {
    assert.deepStrictEqual(trendText(109 * MiB, 400 * MiB, 3, growing), {
      level: 'fast',
      text: 'RES growing fast: +109.0 MiB/min over the last 3 min',
    });
  });

  it('does not alarm on a steep slope the forecast calls a sawtooth', () => {
    const sawtooth: LeakForecast = {
      verdict: 'steady',
      reason: 'sawtooth',
      spanMs: 300_000,
      bytesPerMinute: 0,
      r2: 0.1,
    };
    assert.deepStrictEqual(trendText(20 * MiB, 400 * MiB, 5, sawtooth), {
      level: 'growing',
      text: 'RES +20.0 MiB/min over the last 5 min',
    });
  });

  it('keeps steady, shrinking and unknown as the slope says', () => {
    assert.strictEqual(trendText(1024, 400 * MiB, 5, growing).level, 'steady');
    assert.strictEqual(trendText(-5 * MiB, 400 * MiB, 5, growing).level, 'shrinking');
    assert.deepStrictEqual(trendText(undefined, 400 * MiB, 0, undefined), {
      level: 'unknown',
      text: 'RES trend: not enough samples yet',
    });
  });
});
