import * as assert from 'assert';
import { History, HistoryPoint } from '../../src/proc/history';

function point(timeMs: number, resBytes: number): HistoryPoint {
  return { timeMs, resBytes, shrBytes: resBytes / 4, virtBytes: resBytes * 10 };
}

describe('History', () => {
  it('is empty at first', () => {
    const history = new History(5);
    assert.strictEqual(history.length, 0);
    assert.strictEqual(history.latest(), undefined);
    assert.deepStrictEqual(history.points(), []);
    assert.strictEqual(history.resTrendPerMinute(60000), undefined);
  });

  it('keeps the newest points when the ring wraps around, oldest first', () => {
    const history = new History(3);
    for (let i = 1; i <= 7; i++) {
      history.push(point(i * 1000, i));
      assert.strictEqual(history.length, Math.min(i, 3));
    }
    assert.deepStrictEqual(
      history.points().map((p) => p.resBytes),
      [5, 6, 7],
    );
    assert.deepStrictEqual(history.at(0), point(5000, 5));
    assert.deepStrictEqual(history.at(2), point(7000, 7));
    assert.deepStrictEqual(history.latest(), point(7000, 7));
  });

  it('stores all four figures of each point', () => {
    const history = new History(2);
    const p = { timeMs: 1.5e12, resBytes: 412 * 1024 * 1024, shrBytes: 12345678, virtBytes: 2 ** 45 };
    history.push(p);
    assert.deepStrictEqual(history.latest(), p);
  });

  it('wraps correctly many times over', () => {
    const history = new History(4);
    for (let i = 0; i < 1003; i++) {
      history.push(point(i, i));
    }
    assert.deepStrictEqual(
      history.points().map((p) => p.resBytes),
      [999, 1000, 1001, 1002],
    );
  });

  it('holds at least two points whatever capacity it is given', () => {
    const history = new History(0);
    history.push(point(1, 1));
    history.push(point(2, 2));
    history.push(point(3, 3));
    assert.deepStrictEqual(
      history.points().map((p) => p.resBytes),
      [2, 3],
    );
  });

  it('points(since) returns the points at or after a time, also across the wrap', () => {
    const history = new History(4);
    for (let i = 1; i <= 6; i++) {
      history.push(point(i * 1000, i)); // keeps 3..6
    }
    assert.deepStrictEqual(
      history.points(4000).map((p) => p.resBytes),
      [4, 5, 6],
    );
    assert.deepStrictEqual(
      history.points(4001).map((p) => p.resBytes),
      [5, 6],
    );
    assert.deepStrictEqual(
      history.points(0).map((p) => p.resBytes),
      [3, 4, 5, 6],
    );
    assert.deepStrictEqual(history.points(7000), []);
  });

  describe('resTrendPerMinute', () => {
    it('finds a known slope exactly', () => {
      const history = new History(200);
      const slope = 3 * 1024 * 1024; // bytes per minute
      for (let s = 0; s <= 120; s++) {
        history.push(point(1e12 + s * 1000, 100e6 + (slope * s) / 60));
      }
      const trend = history.resTrendPerMinute(60000);
      assert.ok(trend !== undefined);
      assert.ok(Math.abs(trend - slope) < 1e-3, `trend ${trend}`);
    });

    it('is exactly 0 for a flat RES at real clock times and sizes', () => {
      // A page is sent the trend only when it changed: rounding noise would change it every reading.
      const history = new History(2000);
      const now = Date.now();
      for (let i = 0; i < 1200; i++) {
        history.push(point(now + i * 250 + (i % 3), 1_234_567_890));
        assert.ok([0, undefined].includes(history.resTrendPerMinute(5 * 60000)), `reading ${i}`);
      }
    });

    it('is not swung by symmetric noise (least squares)', () => {
      const history = new History(200);
      const slope = -600000;
      for (let s = 0; s <= 60; s++) {
        const noise = s % 2 === 0 ? 50e6 : -50e6; // huge alternating spikes
        history.push(point(s * 1000, 500e6 + (slope * s) / 60 + noise));
      }
      const trend = history.resTrendPerMinute(120000);
      assert.ok(trend !== undefined);
      // An alternating +-50 MB over 61 points biases the fit by at most a few MB/min.
      assert.ok(Math.abs(trend - slope) < 5e6, `trend ${trend}`);
    });

    it('only looks at the window', () => {
      const history = new History(500);
      // A steep climb long ago, then flat for two minutes.
      for (let s = 0; s < 60; s++) {
        history.push(point(s * 1000, s * 1e6));
      }
      for (let s = 60; s <= 180; s++) {
        history.push(point(s * 1000, 60e6));
      }
      assert.strictEqual(history.resTrendPerMinute(60000), 0);
      assert.ok((history.resTrendPerMinute(1e9) ?? 0) > 0);
    });

    it('sees a step as soon as it is in the window, and a flat run after it as 0 once the step left', () => {
      // A level RES takes a shortcut (no fit): a step at the newest point or in the window is fitted.
      const history = new History(400);
      for (let s = 0; s <= 120; s++) {
        history.push(point(s * 1000, 80e6));
      }
      assert.strictEqual(history.resTrendPerMinute(60000), 0);
      history.push(point(121000, 90e6));
      assert.ok((history.resTrendPerMinute(60000) ?? 0) > 0, 'the step just read');
      for (let s = 122; s <= 180; s++) {
        history.push(point(s * 1000, 90e6));
      }
      assert.ok((history.resTrendPerMinute(60000) ?? 0) > 0, 'the reading before the step still at its edge');
      history.push(point(181000, 90e6));
      assert.strictEqual(history.resTrendPerMinute(60000), 0, 'the step left the window');
      const wrapped = new History(10);
      for (let s = 0; s < 25; s++) {
        wrapped.push(point(s * 1000, s === 20 ? 1e6 : 2e6));
      }
      assert.ok((wrapped.resTrendPerMinute(60000) ?? 0) !== 0, 'a dip among the last points of a full ring');
    });

    it('is undefined until the window spans 5 s', () => {
      const history = new History(10);
      history.push(point(0, 1));
      assert.strictEqual(history.resTrendPerMinute(60000), undefined);
      history.push(point(4999, 2));
      assert.strictEqual(history.resTrendPerMinute(60000), undefined);
      history.push(point(5000, 3));
      assert.ok(history.resTrendPerMinute(60000) !== undefined);
    });

    it('is undefined when the window holds a single instant', () => {
      const history = new History(10);
      history.push(point(0, 1));
      history.push(point(10000, 1));
      history.push(point(10000, 2));
      // The window from the latest (10000) back 1 ms holds two points at the same instant.
      assert.strictEqual(history.resTrendPerMinute(1), undefined);
    });
  });

  it('resSince(since) gives the times and RES of points(since), wherever the window lies in the ring', () => {
    // Capacity 5, pushed 0..11 times: the window starts before, at and after the ring's seam.
    for (let pushed = 0; pushed <= 11; pushed++) {
      const history = new History(5);
      for (let i = 1; i <= pushed; i++) {
        history.push(point(i * 1000, i * 10));
      }
      for (let since = 0; since <= (pushed + 1) * 1000; since += 500) {
        const expected = history.points(since);
        const { timesMs, res } = history.resSince(since);
        assert.deepStrictEqual(
          { timesMs: Array.from(timesMs), res: Array.from(res) },
          { timesMs: expected.map((p) => p.timeMs), res: expected.map((p) => p.resBytes) },
          `${pushed} pushed, since ${since}`,
        );
      }
    }
  });

  describe('windows of a full ring (an hour at 250 ms)', () => {
    const full = () => {
      const history = new History(14401);
      for (let i = 0; i < 20000; i++) {
        history.push(point(i * 250, 1e6 + (i % 10) * 4096 + i * 100));
      }
      return history;
    };

    it('points(since) and last(n) give the newest points, oldest first, like filtering all of them', () => {
      const history = full();
      const all = history.points();
      assert.strictEqual(all.length, 14401);
      const latest = history.latest()!.timeMs;
      assert.deepStrictEqual(
        history.points(latest - 60000),
        all.filter((p) => p.timeMs >= latest - 60000),
      );
      assert.strictEqual(history.points(latest - 60000).length, 241);
      assert.deepStrictEqual(history.last(60), all.slice(-60));
      assert.deepStrictEqual(new History(5).last(3), []);
      for (const afterMs of [-Infinity, latest - 20000, latest - 250, latest]) {
        assert.deepStrictEqual(
          history.last(60, afterMs),
          all.slice(-60).filter((p) => p.timeMs > afterMs),
          `last(60, ${afterMs})`,
        );
      }
      assert.deepStrictEqual(history.oldestSince(latest - 60000), history.points(latest - 60000)[0]);
      assert.deepStrictEqual(history.oldestSince(latest - 60001), history.points(latest - 60001)[0]);
      assert.strictEqual(history.oldestSince(latest + 1), undefined);
    });

    it('the trend over a window equals the fit of its points, and follows each push', () => {
      const history = full();
      const latest = history.latest()!.timeMs;
      const window = history.points(latest - 300000);
      const t0 = window[0].timeMs;
      const xs = window.map((p) => (p.timeMs - t0) / 60000);
      const ys = window.map((p) => p.resBytes);
      const n = xs.length;
      const sx = xs.reduce((a, b) => a + b, 0);
      const sy = ys.reduce((a, b) => a + b, 0);
      const sxx = xs.reduce((a, b) => a + b * b, 0);
      const sxy = xs.reduce((a, x, i) => a + x * ys[i], 0);
      const expected = (n * sxy - sx * sy) / (n * sxx - sx * sx);
      const trend = history.resTrendPerMinute(300000)!;
      assert.ok(Math.abs(trend - expected) < 1e-6 * Math.abs(expected), `${trend} vs ${expected}`);
      assert.strictEqual(history.resTrendPerMinute(300000), trend, 'the same until the next push');
      history.push(point(latest + 250, 5e9));
      assert.ok(history.resTrendPerMinute(300000)! > trend, 'a push moves it');
    });
  });
});
