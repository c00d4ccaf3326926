// The Sampler's scheduling, with real timers at small intervals: who is read when, the history, and who hears of it.
//
// Most tests give the Sampler a fake reader (test/unit/samplerFakes.ts). That is the seam its
// constructor offers for this (`ProcessReader`, and `DetailReaders` for the costly reads): it lets
// a test decide what each reading returns and count the readings, while the timers are real, and
// gives it a clock whose last reading the fakes record.
//
// Timers fire late on a loaded machine, never early. So the tests wait for what they need
// (waitFor) instead of sleeping a fixed time and counting, and only bound counts from above.
import * as assert from 'assert';
import { History } from '../../src/proc/history';
import { SampleEvent, Sampler } from '../../src/proc/sampler';
import { delay, waitFor } from './helpers';
import { MiB } from '../../shared/units';

import { A, B, FAKE_SETTINGS, fakeSamplerPerTest } from './samplerFakes';

describe('Sampler: scheduling', function () {
  this.timeout(10000);
  const t = fakeSamplerPerTest();

  it('runs no timer while nobody subscribes, and stops when the last subscriber leaves', async () => {
    assert.strictEqual(t.sampler.isPolling, false);
    await delay(3 * FAKE_SETTINGS.intervalMs);
    assert.strictEqual(t.fake.reads.length, 0);

    const first = t.sampler.subscribe(A, {}, () => undefined);
    const second = t.sampler.subscribe(A, {}, () => undefined);
    assert.strictEqual(t.sampler.isPolling, true);
    await waitFor(() => t.fake.reads.length >= 2, 'two reads');

    first.dispose();
    assert.strictEqual(t.sampler.isPolling, true, 'one subscriber is left');
    second.dispose();
    assert.strictEqual(t.sampler.isPolling, false);
    assert.deepStrictEqual(t.sampler.watched, []);
    assert.strictEqual(t.sampler.history(A), undefined, 'the history goes with the last subscriber');
    const count = t.fake.reads.length;
    await delay(4 * FAKE_SETTINGS.intervalMs);
    assert.strictEqual(t.fake.reads.length, count, 'no reads after the last dispose');
    first.dispose(); // disposing twice is harmless
    assert.strictEqual(t.sampler.isPolling, false);
  });

  it('an observer sees every event of every watched process, and starts no polling of its own', async () => {
    const seen: number[] = [];
    const observer = t.sampler.observe((event) => seen.push(event.identity.pid));
    await delay(3 * FAKE_SETTINGS.intervalMs);
    assert.strictEqual(t.sampler.isPolling, false);
    assert.deepStrictEqual(seen, []);
    const a = t.sampler.subscribe(A, {}, () => undefined);
    const b = t.sampler.subscribe(B, {}, () => undefined);
    await waitFor(() => t.fake.readsOf(A.pid).length >= 3, 'three reads of A');
    a.dispose();
    b.dispose();
    assert.strictEqual(seen.filter((pid) => pid === A.pid).length, t.fake.readsOf(A.pid).length);
    assert.strictEqual(seen.filter((pid) => pid === B.pid).length, t.fake.readsOf(B.pid).length);
    observer.dispose();
    const count = seen.length;
    t.sampler.subscribe(A, {}, () => undefined);
    await waitFor(() => t.fake.readsOf(A.pid).length >= 5, 'more reads of A');
    assert.strictEqual(seen.length, count, 'nothing after dispose');
  });

  it('reads each process once per tick however many subscribe', async () => {
    const events = [0, 0, 0];
    const subscriptions = events.map((_, i) => t.sampler.subscribe(A, {}, () => events[i]++));
    let eventsOfB = 0;
    t.sampler.subscribe(B, {}, () => eventsOfB++);
    const started = Date.now();
    await waitFor(() => t.fake.readsOf(A.pid).length >= 5, 'five reads of A');
    const elapsed = Date.now() - started;
    const readsOfA = t.fake.readsOf(A.pid).length;
    assert.deepStrictEqual(events, [readsOfA, readsOfA, readsOfA], 'every subscriber got every reading, one read each');
    assert.strictEqual(eventsOfB, t.fake.readsOf(B.pid).length);
    // At most one read per interval, plus the first at once (and one for timer rounding).
    assert.ok(readsOfA <= elapsed / FAKE_SETTINGS.intervalMs + 2, `${readsOfA} reads in ${elapsed} ms`);
    assert.ok(Math.abs(readsOfA - t.fake.readsOf(B.pid).length) <= 1, 'A and B are read on the same ticks');
    assert.deepStrictEqual(
      t.fake.reads.slice(0, 2 * (readsOfA - 1)).map((read) => read.pid),
      Array.from({ length: 2 * (readsOfA - 1) }, (_, i) => (i % 2 === 0 ? A.pid : B.pid)),
      'each tick reads A then B, once each',
    );

    // tick() reads each watched process exactly once.
    const before = t.fake.reads.length;
    t.sampler.tick();
    assert.strictEqual(t.fake.reads.length, before + 2);
    subscriptions.forEach((subscription) => subscription.dispose());
    assert.deepStrictEqual(t.sampler.watched, [B]);
  });

  it('stops reading a process that ended (gone or pid-reused), and keeps its last sample', async () => {
    const eventsA: SampleEvent[] = [];
    const eventsB: SampleEvent[] = [];
    t.sampler.subscribe(A, {}, (event) => eventsA.push(event));
    t.sampler.subscribe(B, {}, (event) => eventsB.push(event));
    await waitFor(() => eventsA.length >= 2, 'two readings of A');
    t.fake.errors.set(A.pid, { kind: 'gone', detail: 'test' });
    await waitFor(() => eventsA.some((event) => event.ended), 'A to end');
    await delay(3 * FAKE_SETTINGS.intervalMs); // time for (wrong) further readings of A
    const last = eventsA[eventsA.length - 1];
    assert.strictEqual(last.ended, true);
    assert.ok(!last.outcome.ok && last.outcome.error.kind === 'gone');
    assert.ok(last.lastSample, 'the last good sample is kept for a frozen view');
    assert.strictEqual(eventsA.filter((event) => event.ended).length, 1, 'exactly one "ended" event');
    const readsOfA = t.fake.readsOf(A.pid).length;
    assert.deepStrictEqual(t.sampler.watched, [B]);
    assert.strictEqual(t.sampler.isPolling, true, 'B is still watched');

    t.fake.errors.set(B.pid, { kind: 'pid-reused', detail: 'test' });
    await waitFor(() => eventsB.some((event) => event.ended), 'B to end');
    assert.strictEqual(eventsB[eventsB.length - 1].ended, true);
    assert.strictEqual(t.sampler.isPolling, false, 'no timer once every watched process ended');
    const total = t.fake.reads.length;
    await delay(4 * FAKE_SETTINGS.intervalMs);
    assert.strictEqual(t.fake.reads.length, total);
    assert.strictEqual(t.fake.readsOf(A.pid).length, readsOfA);

    // A late subscriber gets the final event at once, and it starts no polling.
    let late: SampleEvent | undefined;
    t.sampler.subscribe(A, {}, (event) => (late = event));
    assert.strictEqual(late?.ended, true);
    assert.strictEqual(t.sampler.isPolling, false);
  });

  it('keeps reading through errors that do not end a process', async () => {
    const events: SampleEvent[] = [];
    t.sampler.subscribe(A, {}, (event) => events.push(event));
    t.fake.errors.set(A.pid, { kind: 'malformed', detail: 'test' });
    await waitFor(() => events.filter((event) => !event.outcome.ok).length >= 2, 'two failed readings');
    t.fake.errors.delete(A.pid);
    await waitFor(() => events[events.length - 1].outcome.ok, 'a good reading again');
    assert.ok(events.every((event) => !event.ended));
    assert.strictEqual(t.sampler.isPolling, true);
  });

  it('bounds the history to historyMinutes of intervals', async () => {
    // 0.001 min = 60 ms at 10 ms per sample: ceil(60 / 10) + 1 = 7 points.
    const small = new Sampler({ intervalMs: 10, detailIntervalMs: 1000, historyMinutes: 0.001 }, t.fake.reader);
    try {
      let history: History | undefined;
      small.subscribe(A, {}, (event) => (history = event.history));
      for (let i = 0; i < 50; i++) {
        small.tick();
      }
      assert.ok(history);
      assert.strictEqual(history.length, 7);
      assert.strictEqual(history.capacity, 7);
      assert.strictEqual(history.latest()?.resBytes, 100 * MiB + 50);
      // With the real timer too.
      await delay(100);
      assert.strictEqual(history.length, 7);
    } finally {
      small.dispose();
    }
  });

  it('does not put memoryless readings (zombie, kernel thread) in the history', () => {
    t.fake.memoryless.add(A.pid);
    const events: SampleEvent[] = [];
    t.sampler.subscribe(A, {}, (event) => events.push(event));
    t.sampler.tick();
    t.sampler.tick();
    assert.strictEqual(events.length, 2);
    assert.strictEqual(events[1].lastSample?.memoryless, 'zombie');
    assert.strictEqual(t.sampler.history(A)?.length, 0);
  });

  it('a listener that throws does not stop the others', async () => {
    const errors: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      let good = 0;
      t.sampler.subscribe(A, {}, () => {
        throw new Error('broken view');
      });
      t.sampler.subscribe(A, {}, () => good++);
      await waitFor(() => good >= 3, 'three events for the good listener');
      assert.strictEqual(good, t.fake.readsOf(A.pid).length);
      assert.ok(errors.length >= good, 'each failure is logged');
      assert.ok(String(errors[0][0]).includes('listener failed'));
      // Throwing while the last event is replayed to a new subscriber does not escape watch().
      t.sampler.subscribe(A, {}, () => {
        throw new Error('broken at once');
      });
      assert.strictEqual(t.sampler.isPolling, true);
    } finally {
      console.error = original;
    }
  });

  it('keeps the history when the interval changes, and polls at the new pace', async () => {
    t.sampler.subscribe(A, {}, () => undefined);
    for (let i = 0; i < 5; i++) {
      t.sampler.tick();
    }
    const points = t.sampler.history(A)!.points();
    t.sampler.updateSettings({ ...FAKE_SETTINGS, intervalMs: 40 });
    assert.deepStrictEqual(t.sampler.history(A)!.points(), points);
    assert.strictEqual(t.sampler.history(A)!.capacity, Math.ceil(60000 / 40) + 1);
    assert.strictEqual(t.sampler.isPolling, true);
    const before = t.fake.reads.length;
    const started = Date.now();
    await waitFor(() => t.fake.reads.length >= before + 3, 'three reads at the new interval');
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 2 * 40 - 5, `three reads took only ${elapsed} ms at a 40 ms interval`);
  });

  it('continues a history it is handed back when nobody else watches the process', () => {
    const first = t.sampler.subscribe(A, {}, () => undefined);
    t.sampler.tick();
    t.sampler.tick();
    const history = t.sampler.history(A)!;
    first.dispose();
    assert.strictEqual(t.sampler.history(A), undefined);
    t.sampler.subscribe(A, { history }, () => undefined);
    assert.strictEqual(t.sampler.history(A), history);
    t.sampler.tick();
    assert.strictEqual(history.length, 3);
  });
});
