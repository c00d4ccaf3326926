// The Sampler's scheduling, with real timers at small intervals.
//
// Most tests give the Sampler a fake reader. That is the seam its constructor offers for this
// (`ProcessReader`, and `DetailReaders` for the costly reads): it lets a test decide what each
// reading returns (a process that ends on the third read, a memoryless one, an smaps read that
// takes 170 ms...) and count the readings, while the timers are real. Reading /proc itself is
// covered by the live tests; the last tests here run the real readers on real children, one of them
// a C program with 20 000 mappings.
//
// Timers fire late on a loaded machine, never early. So the tests wait for what they need
// (waitFor) instead of sleeping a fixed time and counting, and only bound counts from above.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CgroupMemory, OomCounters } from '../../src/proc/cgroup';
import { History } from '../../src/proc/history';
import { fail, ok, Outcome, ProcError } from '../../src/proc/outcome';
import { ProcessIdentity, readIdentity } from '../../src/proc/processIdentity';
import { paceMs, READ_SHARE } from '../../shared/readPace';
import { OomScore, ProcessSample, SampleOptions } from '../../src/proc/sampleProcess';
import { OomCounterReader } from '../../src/proc/oomKill';
import { MAPPING_KINDS } from '../../shared/model';
import { MappingSummary } from '../../src/proc/smaps';
import { Timed } from '../../src/proc/smapsOffThread';
import { SmapsRollup } from '../../src/proc/smapsRollup';
import { DetailReaders, ProcessReader, SampleEvent, Sampler, SamplerSettings } from '../../src/proc/sampler';
import { delay, expectOk, killAllChildren, startChild, startNode, waitFor } from './helpers';
import { MiB } from '../../shared/units';

interface Read {
  pid: number;
  /** The Date.now() the sampler took at the start of the tick that made this read. */
  timeMs: number;
}

interface DetailRead extends Read {
  what: 'rollup-sync' | 'rollup-async' | 'smaps' | 'cgroup';
}

// The Sampler takes `now` with Date.now() once per tick and decides from it whether the tick reads
// the detail. A spy remembers the last value Date.now() returned, so the fake readers can record
// exactly the `now` of the tick that called them (nothing else calls Date.now() inside a tick: the
// fake reader stamps its samples with that same value).
const realDateNow = Date.now;
let lastNow = 0;
function spyOnDateNow(): void {
  Date.now = () => (lastNow = realDateNow());
}
function restoreDateNow(): void {
  Date.now = realDateNow;
}

/** A fake /proc: counts reads; each process can be told to end or to be memoryless. */
class FakeProc {
  readonly reads: Read[] = [];
  /** pid -> the error to return from now on. */
  readonly errors = new Map<number, ProcError>();
  readonly memoryless = new Set<number>();
  private counter = 0;

  readonly reader: ProcessReader = (pid: number, options: SampleOptions): Outcome<ProcessSample> => {
    assert.ok(!options.detail && !options.mappings, 'the Sampler reads the costly figures through its DetailReaders');
    this.reads.push({ pid, timeMs: lastNow });
    const error = this.errors.get(pid);
    if (error) {
      return fail(error);
    }
    this.counter++;
    const identity = options.expected ?? { pid, startTicks: 1 };
    return ok({
      identity,
      timeMs: lastNow,
      name: `fake${pid}`,
      state: 'S',
      ppid: 1,
      uid: 0,
      threads: 1,
      memoryless: this.memoryless.has(pid) ? 'zombie' : undefined,
      resBytes: this.memoryless.has(pid) ? 0 : 100 * MiB + this.counter,
      virtBytes: 1000 * MiB,
      shrBytes: 10 * MiB,
      status: {},
      faults: { minor: this.counter * 3, major: 0 },
    });
  };

  readsOf(pid: number): Read[] {
    return this.reads.filter((read) => read.pid === pid);
  }
}

/**
 * Fake costly reads: each reports the cost the test sets, and an off-thread one lands when the
 * test says (`hold`) or on the next turn of the event loop.
 */
class FakeDetails implements DetailReaders {
  readonly reads: DetailRead[] = [];
  rollupCostMs = 0.2;
  /** Cheap enough for the tests' 100 ms setting (0.5 ms / 0.5 % = 100 ms). */
  smapsCostMs = 0.3;
  /** While set, smaps reads wait for release(). */
  hold = false;
  private readonly held: (() => void)[] = [];
  private counter = 0;

  rollupSync(pid: number): Timed<Outcome<SmapsRollup>> {
    this.reads.push({ pid, what: 'rollup-sync', timeMs: lastNow });
    return { value: ok(this.rollup()), costMs: this.rollupCostMs };
  }

  async rollupAsync(pid: number): Promise<Timed<Outcome<SmapsRollup>>> {
    this.reads.push({ pid, what: 'rollup-async', timeMs: lastNow });
    await delay(0);
    return { value: ok(this.rollup()), costMs: this.rollupCostMs };
  }

  async smaps(pid: number): Promise<Timed<Outcome<MappingSummary>>> {
    this.reads.push({ pid, what: 'smaps', timeMs: lastNow });
    const costMs = this.smapsCostMs;
    if (this.hold) {
      await new Promise<void>((resolve) => this.held.push(resolve));
    } else {
      await delay(0);
    }
    return { value: ok(fakeMappings(++this.counter)), costMs };
  }

  /** What cgroup() answers; the OOM tests give the process a group. */
  cgroupOf: () => Outcome<CgroupMemory | undefined> = () => ok(undefined);
  oomCounters: OomCounterReader = () => fail({ kind: 'unsupported', detail: 'no group in this test' });

  cgroup(pid: number): Outcome<CgroupMemory | undefined> {
    this.reads.push({ pid, what: 'cgroup', timeMs: lastNow });
    return this.cgroupOf();
  }

  oomScore(): Outcome<OomScore> {
    return ok({ score: 667, adj: 0 });
  }

  pressure(): NonNullable<ProcessSample['pressure']> {
    return {
      system: fail({ kind: 'unsupported', detail: 'not in this test' }),
      group: fail({ kind: 'unsupported', detail: 'not in this test' }),
    };
  }

  release(): void {
    this.hold = false;
    this.held.splice(0).forEach((resolve) => resolve());
  }

  dispose(): void {
    this.release();
  }

  of(what: DetailRead['what'] | 'rollup', after = 0): DetailRead[] {
    return this.reads
      .slice(after)
      .filter((read) => read.what === what || (what === 'rollup' && read.what.startsWith('rollup')));
  }

  private rollup(): SmapsRollup {
    return {
      rss: 1,
      pss: ++this.counter,
      sharedClean: 0,
      sharedDirty: 0,
      privateClean: 0,
      privateDirty: 0,
      uss: 0,
      anonymous: 0,
      swap: 0,
      locked: 0,
    };
  }
}

function fakeMappings(rss: number): MappingSummary {
  const categories = {} as MappingSummary['categories'];
  for (const category of MAPPING_KINDS) {
    categories[category] = { count: 0, rssBytes: 0, pssBytes: 0, privateBytes: 0, swapBytes: 0 };
  }
  categories.anonymous = { count: 1, rssBytes: rss, pssBytes: rss, privateBytes: rss, swapBytes: 0 };
  return { categories, top: [], count: 1 };
}

const A: ProcessIdentity = { pid: 101, startTicks: 5 };
const B: ProcessIdentity = { pid: 202, startTicks: 7 };

describe('Sampler', function () {
  this.timeout(10000);
  const INTERVAL = 20;
  const settings: SamplerSettings = { intervalMs: INTERVAL, detailIntervalMs: 100, historyMinutes: 1 };
  let fake: FakeProc;
  let details: FakeDetails;
  let sampler: Sampler;

  before(spyOnDateNow);
  after(restoreDateNow);

  beforeEach(() => {
    fake = new FakeProc();
    details = new FakeDetails();
    sampler = new Sampler(settings, fake.reader, details);
  });

  afterEach(() => sampler.dispose());

  it('runs no timer while nobody subscribes, and stops when the last subscriber leaves', async () => {
    assert.strictEqual(sampler.isPolling, false);
    await delay(3 * INTERVAL);
    assert.strictEqual(fake.reads.length, 0);

    const first = sampler.subscribe(A, {}, () => undefined);
    const second = sampler.subscribe(A, {}, () => undefined);
    assert.strictEqual(sampler.isPolling, true);
    await waitFor(() => fake.reads.length >= 2, 'two reads');

    first.dispose();
    assert.strictEqual(sampler.isPolling, true, 'one subscriber is left');
    second.dispose();
    assert.strictEqual(sampler.isPolling, false);
    assert.deepStrictEqual(sampler.watched, []);
    assert.strictEqual(sampler.history(A), undefined, 'the history goes with the last subscriber');
    const count = fake.reads.length;
    await delay(4 * INTERVAL);
    assert.strictEqual(fake.reads.length, count, 'no reads after the last dispose');
    first.dispose(); // disposing twice is harmless
    assert.strictEqual(sampler.isPolling, false);
  });

  it('an observer sees every event of every watched process, and starts no polling of its own', async () => {
    const seen: number[] = [];
    const observer = sampler.observe((event) => seen.push(event.identity.pid));
    await delay(3 * INTERVAL);
    assert.strictEqual(sampler.isPolling, false);
    assert.deepStrictEqual(seen, []);
    const a = sampler.subscribe(A, {}, () => undefined);
    const b = sampler.subscribe(B, {}, () => undefined);
    await waitFor(() => fake.readsOf(A.pid).length >= 3, 'three reads of A');
    a.dispose();
    b.dispose();
    assert.strictEqual(seen.filter((pid) => pid === A.pid).length, fake.readsOf(A.pid).length);
    assert.strictEqual(seen.filter((pid) => pid === B.pid).length, fake.readsOf(B.pid).length);
    observer.dispose();
    const count = seen.length;
    sampler.subscribe(A, {}, () => undefined);
    await waitFor(() => fake.readsOf(A.pid).length >= 5, 'more reads of A');
    assert.strictEqual(seen.length, count, 'nothing after dispose');
  });

  it('reads each process once per tick however many subscribe', async () => {
    const events = [0, 0, 0];
    const subscriptions = events.map((_, i) => sampler.subscribe(A, {}, () => events[i]++));
    let eventsOfB = 0;
    sampler.subscribe(B, {}, () => eventsOfB++);
    const started = Date.now();
    await waitFor(() => fake.readsOf(A.pid).length >= 5, 'five reads of A');
    const elapsed = Date.now() - started;
    const readsOfA = fake.readsOf(A.pid).length;
    assert.deepStrictEqual(events, [readsOfA, readsOfA, readsOfA], 'every subscriber got every reading, one read each');
    assert.strictEqual(eventsOfB, fake.readsOf(B.pid).length);
    // At most one read per interval, plus the first at once (and one for timer rounding).
    assert.ok(readsOfA <= elapsed / INTERVAL + 2, `${readsOfA} reads in ${elapsed} ms`);
    assert.ok(Math.abs(readsOfA - fake.readsOf(B.pid).length) <= 1, 'A and B are read on the same ticks');
    assert.deepStrictEqual(
      fake.reads.slice(0, 2 * (readsOfA - 1)).map((read) => read.pid),
      Array.from({ length: 2 * (readsOfA - 1) }, (_, i) => (i % 2 === 0 ? A.pid : B.pid)),
      'each tick reads A then B, once each',
    );

    // tick() reads each watched process exactly once.
    const before = fake.reads.length;
    sampler.tick();
    assert.strictEqual(fake.reads.length, before + 2);
    subscriptions.forEach((subscription) => subscription.dispose());
    assert.deepStrictEqual(sampler.watched, [B]);
  });

  it('reads the detail only for a subscriber that wants it, at most once per detailIntervalMs', async () => {
    const plain = sampler.subscribe(A, {}, () => undefined);
    await waitFor(() => fake.reads.length >= 4, 'four plain reads');
    assert.deepStrictEqual(details.reads, [], 'no detail without a subscriber asking for it');

    const events: SampleEvent[] = [];
    const detailed = sampler.subscribe(A, { detail: true }, (event) => events.push(event));
    assert.strictEqual(events.length, 1, 'the last plain event is replayed at once');
    assert.strictEqual(expectOk(events[0].outcome).rollup, undefined);
    const started = Date.now();
    await waitFor(() => details.of('rollup').length >= 3, 'three rollup reads');
    const elapsed = Date.now() - started;
    const rollups = details.of('rollup');
    assert.strictEqual(rollups[0].what, 'rollup-async', 'the first rollup is read off the thread: its cost is unknown');
    assert.ok(
      rollups.slice(1).every((read) => read.what === 'rollup-sync'),
      'then in the tick, since it proved cheap',
    );
    assert.ok(
      rollups.length <= elapsed / settings.detailIntervalMs + 2,
      `${rollups.length} rollup reads in ${elapsed} ms`,
    );
    // The rule, read by read: a cheap read comes detailIntervalMs after the last one started.
    for (let i = 1; i < rollups.length; i++) {
      const since = rollups[i].timeMs - rollups[i - 1].timeMs;
      assert.ok(since >= settings.detailIntervalMs, `a rollup read ${since} ms after the previous one`);
    }
    assert.ok(details.of('cgroup').length >= 1, 'the cgroup comes with the detail');
    // The off-thread read lands in an event of its own; then the last rollup is carried over.
    const firstWithRollup = events.findIndex((event) => expectOk(event.outcome).rollup?.ok);
    assert.ok(firstWithRollup > 0);
    assert.ok(
      events.slice(firstWithRollup).every((event) => expectOk(event.outcome).rollup?.ok),
      'every reading since the first rollup has one',
    );

    detailed.dispose();
    const afterDispose = details.reads.length;
    const plainAfter = fake.reads.length;
    await waitFor(() => fake.reads.length >= plainAfter + 3, 'the plain subscriber is still served');
    assert.strictEqual(details.reads.length, afterDispose, 'no detail once its subscriber left');
    plain.dispose();
  });

  it('reads the mappings (smaps) only for a subscriber that asks, off the tick, and keeps them between', async () => {
    // The status bar and the debug view: plain and detail subscribers never cost an smaps read.
    const plain = sampler.subscribe(A, {}, () => undefined);
    const detailOnly = sampler.subscribe(A, { detail: true }, () => undefined);
    await waitFor(() => details.of('rollup').length >= 2, 'two rollup reads');
    assert.deepStrictEqual(details.of('smaps'), [], 'no smaps read without a subscriber asking for it');

    const events: SampleEvent[] = [];
    const readsBefore = details.reads.length;
    const panel = sampler.subscribe(A, { detail: true, mappings: true }, (event) => events.push(event));
    await waitFor(() => details.of('smaps', readsBefore).length >= 3, 'three mapping reads');
    const smaps = details.of('smaps', readsBefore);
    for (let i = 1; i < smaps.length; i++) {
      assert.ok(
        smaps[i].timeMs - smaps[i - 1].timeMs >= settings.detailIntervalMs,
        'a cheap smaps read comes at the setting',
      );
    }
    // Between reads the last mappings are carried over, with when they were read and at what pace.
    const firstWith = events.findIndex((event) => expectOk(event.outcome).mappings?.ok);
    assert.ok(firstWith > 0, 'the panel gets its mappings in an event of their own');
    for (const event of events.slice(firstWith)) {
      const sample = expectOk(event.outcome);
      assert.ok(sample.mappings?.ok);
      assert.ok(
        sample.mappingsPace && sample.mappingsPace.everyMs === settings.detailIntervalMs && !sample.mappingsPace.byCost,
        JSON.stringify(sample.mappingsPace),
      );
      assert.ok(sample.mappingsTimeMs !== undefined && sample.mappingsTimeMs <= sample.timeMs);
    }

    panel.dispose();
    const afterDispose = details.reads.length;
    await waitFor(() => details.of('rollup', afterDispose).length >= 2, 'two more rollup reads');
    assert.deepStrictEqual(details.of('smaps', afterDispose), [], 'no smaps once the panel left');
    plain.dispose();
    detailOnly.dispose();
  });

  it('reads a costly smaps no more often than its cost allows (0.5 % of wall time), or now on demand', async () => {
    details.smapsCostMs = 170; // what 40 000 mappings cost here
    const events: SampleEvent[] = [];
    sampler.subscribe(A, { detail: true, mappings: true }, (event) => events.push(event));
    await waitFor(() => events.some((event) => expectOk(event.outcome).mappings?.ok), 'the first mappings');
    const expected = paceMs(170, settings.detailIntervalMs);
    assert.ok(expected.everyMs >= 170 / READ_SHARE && expected.byCost);
    const pace = expectOk(events[events.length - 1].outcome).mappingsPace;
    assert.deepStrictEqual(
      { everyMs: pace?.everyMs, byCost: pace?.byCost, costMs: pace?.costMs, reading: pace?.reading },
      { everyMs: expected.everyMs, byCost: true, costMs: 170, reading: false },
    );
    // Many detail intervals later (the setting alone would read it every tick now): no new read.
    const rollupsBefore = details.of('rollup').length;
    await waitFor(() => details.of('rollup').length >= rollupsBefore + 3, 'three more detail intervals');
    assert.strictEqual(details.of('smaps').length, 1, 'smaps read once');

    // "Read now": one read at once, whatever the pace; not a second one while it runs.
    details.hold = true;
    const before = events.length;
    assert.strictEqual(sampler.readMappingsNow(A), true);
    assert.strictEqual(sampler.readMappingsNow(A), false, 'a read is under way');
    assert.strictEqual(details.of('smaps').length, 2);
    assert.strictEqual(events.length, before + 1, 'the panel hears at once that a read is under way');
    assert.strictEqual(expectOk(events[before].outcome).mappingsPace?.reading, true);
    assert.ok(expectOk(events[before].outcome).mappings?.ok, 'and keeps showing the last mappings meanwhile');
    // The read is slow: the ticks go on meanwhile.
    const ticks = fake.reads.length;
    await waitFor(() => fake.reads.length >= ticks + 3, 'three ticks while smaps is read');
    details.release();
    await waitFor(
      () => expectOk(events[events.length - 1].outcome).mappingsPace?.reading === false,
      'the read to land',
    );
    assert.strictEqual(sampler.readMappingsNow(B), false, 'nobody watches B');
  });

  it('a costly reader that throws shows an error, and its read is tried again', async () => {
    let throwing = true;
    const smaps = details.smaps.bind(details);
    details.smaps = (pid) => (throwing ? Promise.reject(new Error('worker broke')) : smaps(pid));
    const events: SampleEvent[] = [];
    sampler.subscribe(A, { detail: true, mappings: true }, (event) => events.push(event));
    await waitFor(() => events.some((event) => expectOk(event.outcome).mappings?.ok === false), 'the error');
    const failed = expectOk(events.find((event) => expectOk(event.outcome).mappings?.ok === false)!.outcome).mappings;
    assert.ok(
      failed && !failed.ok && failed.error.kind === 'io-error' && failed.error.detail === 'worker broke',
      JSON.stringify(failed),
    );
    throwing = false;
    await waitFor(() => expectOk(events[events.length - 1].outcome).mappings?.ok === true, 'a good read after it');
  });

  it('keeps the costly figures and their pace when a panel is hidden and shown again', async () => {
    details.smapsCostMs = 170;
    let last: SampleEvent | undefined;
    const first = sampler.subscribe(A, { detail: true, mappings: true }, (event) => (last = event));
    await waitFor(() => last !== undefined && expectOk(last.outcome).mappings?.ok === true, 'the first mappings');
    first.dispose();
    assert.strictEqual(sampler.isPolling, false);
    const events: SampleEvent[] = [];
    sampler.subscribe(A, { detail: true, mappings: true }, (event) => events.push(event));
    await waitFor(() => events.length >= 3, 'three readings after showing it again');
    assert.strictEqual(details.of('smaps').length, 1, 'not read again before its pace allows');
    assert.ok(
      events.every((event) => expectOk(event.outcome).mappings?.ok),
      'the mappings read before are shown at once',
    );
  });

  it('stops reading a process that ended (gone or pid-reused), and keeps its last sample', async () => {
    const eventsA: SampleEvent[] = [];
    const eventsB: SampleEvent[] = [];
    sampler.subscribe(A, {}, (event) => eventsA.push(event));
    sampler.subscribe(B, {}, (event) => eventsB.push(event));
    await waitFor(() => eventsA.length >= 2, 'two readings of A');
    fake.errors.set(A.pid, { kind: 'gone', detail: 'test' });
    await waitFor(() => eventsA.some((event) => event.ended), 'A to end');
    await delay(3 * INTERVAL); // time for (wrong) further readings of A
    const last = eventsA[eventsA.length - 1];
    assert.strictEqual(last.ended, true);
    assert.ok(!last.outcome.ok && last.outcome.error.kind === 'gone');
    assert.ok(last.lastSample, 'the last good sample is kept for a frozen view');
    assert.strictEqual(eventsA.filter((event) => event.ended).length, 1, 'exactly one "ended" event');
    const readsOfA = fake.readsOf(A.pid).length;
    assert.deepStrictEqual(sampler.watched, [B]);
    assert.strictEqual(sampler.isPolling, true, 'B is still watched');

    fake.errors.set(B.pid, { kind: 'pid-reused', detail: 'test' });
    await waitFor(() => eventsB.some((event) => event.ended), 'B to end');
    assert.strictEqual(eventsB[eventsB.length - 1].ended, true);
    assert.strictEqual(sampler.isPolling, false, 'no timer once every watched process ended');
    const total = fake.reads.length;
    await delay(4 * INTERVAL);
    assert.strictEqual(fake.reads.length, total);
    assert.strictEqual(fake.readsOf(A.pid).length, readsOfA);

    // A late subscriber gets the final event at once, and it starts no polling.
    let late: SampleEvent | undefined;
    sampler.subscribe(A, {}, (event) => (late = event));
    assert.strictEqual(late?.ended, true);
    assert.strictEqual(sampler.isPolling, false);
  });

  it('keeps reading through errors that do not end a process', async () => {
    const events: SampleEvent[] = [];
    sampler.subscribe(A, {}, (event) => events.push(event));
    fake.errors.set(A.pid, { kind: 'malformed', detail: 'test' });
    await waitFor(() => events.filter((event) => !event.outcome.ok).length >= 2, 'two failed readings');
    fake.errors.delete(A.pid);
    await waitFor(() => events[events.length - 1].outcome.ok, 'a good reading again');
    assert.ok(events.every((event) => !event.ended));
    assert.strictEqual(sampler.isPolling, true);
  });

  it('bounds the history to historyMinutes of intervals', async () => {
    // 0.001 min = 60 ms at 10 ms per sample: ceil(60 / 10) + 1 = 7 points.
    const small = new Sampler({ intervalMs: 10, detailIntervalMs: 1000, historyMinutes: 0.001 }, fake.reader);
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
    fake.memoryless.add(A.pid);
    const events: SampleEvent[] = [];
    sampler.subscribe(A, {}, (event) => events.push(event));
    sampler.tick();
    sampler.tick();
    assert.strictEqual(events.length, 2);
    assert.strictEqual(events[1].lastSample?.memoryless, 'zombie');
    assert.strictEqual(sampler.history(A)?.length, 0);
  });

  it('a listener that throws does not stop the others', async () => {
    const errors: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      let good = 0;
      sampler.subscribe(A, {}, () => {
        throw new Error('broken view');
      });
      sampler.subscribe(A, {}, () => good++);
      await waitFor(() => good >= 3, 'three events for the good listener');
      assert.strictEqual(good, fake.readsOf(A.pid).length);
      assert.ok(errors.length >= good, 'each failure is logged');
      assert.ok(String(errors[0][0]).includes('listener failed'));
      // Throwing while the last event is replayed to a new subscriber does not escape watch().
      sampler.subscribe(A, {}, () => {
        throw new Error('broken at once');
      });
      assert.strictEqual(sampler.isPolling, true);
    } finally {
      console.error = original;
    }
  });

  it('keeps the history when the interval changes, and polls at the new pace', async () => {
    sampler.subscribe(A, {}, () => undefined);
    for (let i = 0; i < 5; i++) {
      sampler.tick();
    }
    const points = sampler.history(A)!.points();
    sampler.updateSettings({ ...settings, intervalMs: 40 });
    assert.deepStrictEqual(sampler.history(A)!.points(), points);
    assert.strictEqual(sampler.history(A)!.capacity, Math.ceil(60000 / 40) + 1);
    assert.strictEqual(sampler.isPolling, true);
    const before = fake.reads.length;
    const started = Date.now();
    await waitFor(() => fake.reads.length >= before + 3, 'three reads at the new interval');
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 2 * 40 - 5, `three reads took only ${elapsed} ms at a 40 ms interval`);
  });

  it('continues a history it is handed back when nobody else watches the process', () => {
    const first = sampler.subscribe(A, {}, () => undefined);
    sampler.tick();
    sampler.tick();
    const history = sampler.history(A)!;
    first.dispose();
    assert.strictEqual(sampler.history(A), undefined);
    sampler.subscribe(A, { history }, () => undefined);
    assert.strictEqual(sampler.history(A), history);
    sampler.tick();
    assert.strictEqual(history.length, 3);
  });

  it('with the real reader, follows a real child until it exits', async () => {
    const child = startNode("console.log('ready'); setInterval(() => {}, 1 << 30);");
    try {
      await child.waitForLine('ready');
      const identity = expectOk(readIdentity(child.pid));
      const real = new Sampler({ intervalMs: 25, detailIntervalMs: 1000, historyMinutes: 1 });
      try {
        const events: SampleEvent[] = [];
        let resolveEnded: () => void = () => undefined;
        const ended = new Promise<void>((resolve) => (resolveEnded = resolve));
        real.subscribe(identity, { detail: true, mappings: true }, (event) => {
          events.push(event);
          if (event.ended) {
            resolveEnded();
          }
        });
        await waitFor(() => events.length >= 3, 'three readings of the child');
        // The rollup and smaps are read off the thread: they come in a later event than the first.
        await waitFor(
          () => events.some((event) => event.outcome.ok && event.outcome.value.rollup && event.outcome.value.mappings),
          'the costly figures',
        );
        const sample = expectOk(
          events.find((event) => event.outcome.ok && event.outcome.value.rollup && event.outcome.value.mappings)!
            .outcome,
        );
        assert.deepStrictEqual(sample.identity, identity);
        assert.strictEqual(sample.name, 'node');
        assert.ok(sample.resBytes > 10 * MiB, `RES ${sample.resBytes}`);
        assert.ok(expectOk(sample.rollup!, 'rollup').pss > 0);
        const mappings = expectOk(sample.mappings!, 'mappings');
        assert.ok(
          mappings.categories.program.rssBytes > 0 && mappings.categories.anonymous.rssBytes > 0,
          JSON.stringify(mappings.categories),
        );
        assert.ok(sample.mappingsPace && sample.mappingsPace.costMs! > 0, JSON.stringify(sample.mappingsPace));
        assert.ok(
          real.history(identity)!.length <= events.length,
          'one history point per reading; the costly reads add events, not points',
        );

        await child.kill();
        await ended;
        const last = events[events.length - 1];
        assert.ok(!last.outcome.ok && last.outcome.error.kind === 'gone', JSON.stringify(last.outcome));
        // Between SIGKILL and Node reaping it, the child may be read once as a zombie (memoryless,
        // RES 0); lastSample is then that zombie reading, while the history keeps the last RES.
        assert.ok(last.lastSample, 'a last sample to freeze on');
        assert.ok(
          last.lastSample.memoryless === 'zombie' || last.lastSample.resBytes > 10 * MiB,
          JSON.stringify(last.lastSample),
        );
        assert.ok((real.history(identity)?.latest()?.resBytes ?? 0) > 10 * MiB);
        assert.strictEqual(real.isPolling, false);
      } finally {
        real.dispose();
      }
    } finally {
      await killAllChildren();
    }
  });

  it('with the real readers, reads a 20 000-mapping process in a worker, paced by its cost', async function () {
    this.timeout(120000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proc-memory-mappings-'));
    try {
      const binary = path.join(dir, 'mappings');
      const built = spawnSync(
        'cc',
        ['-O2', '-o', binary, path.resolve(__dirname, '..', '..', '..', 'bench', 'mappings.c')],
        { encoding: 'utf8' },
      );
      assert.strictEqual(built.status, 0, `cc: ${built.error?.message ?? built.stderr}`);
      const child = startChild(binary, ['20000']);
      await child.waitForLine('ready 20000', 60000);
      const identity = expectOk(readIdentity(child.pid));
      // A short setting, so that the cost (tens of ms here) is what sets the pace.
      const real = new Sampler({ intervalMs: 25, detailIntervalMs: 1000, historyMinutes: 1 });
      try {
        const events: SampleEvent[] = [];
        real.subscribe(identity, { detail: true, mappings: true }, (event) => events.push(event));
        await waitFor(
          () => events.some((event) => expectOk(event.outcome).mappings?.ok),
          'the mappings of the big process',
          60000,
        );
        const landed = events.findIndex((event) => expectOk(event.outcome).mappings?.ok);
        const sample = expectOk(events[landed].outcome);
        const mappings = expectOk(sample.mappings!, 'mappings');
        assert.ok(mappings.count >= 20000, `${mappings.count} mappings`);
        assert.ok(mappings.categories.anonymous.count >= 20000);
        const pace = sample.mappingsPace!;
        assert.ok(pace.costMs !== undefined && pace.costMs > 0);
        assert.deepStrictEqual(
          paceMs(pace.costMs, 1000),
          { everyMs: pace.everyMs, byCost: pace.byCost },
          JSON.stringify(pace),
        );
        assert.ok(pace.everyMs >= pace.costMs / READ_SHARE, JSON.stringify(pace));
        // The read ran off the extension host's thread: readings kept coming while it did.
        const whileReading = events
          .slice(0, landed)
          .filter((event) => event.outcome.ok && event.outcome.value.mappingsPace?.reading !== false);
        assert.ok(whileReading.length >= 1, `${whileReading.length} readings while smaps was read`);
        assert.ok(expectOk(sample.rollup!, 'rollup').rss > 0);
      } finally {
        real.dispose();
        await child.kill();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      await killAllChildren();
    }
  });
});

describe('Sampler: OOM verdict at the end of a process', () => {
  /** One process in a v1 group whose oom_kill count the test sets; read by hand with tick(). */
  function setup() {
    const state = { alive: true, oomKill: 0, reads: [] as string[] };
    const counters = (): OomCounters => ({ version: 1, path: '/g', oomKillLocal: state.oomKill, failcnt: 0 });
    const reader: ProcessReader = (pid, options) => {
      state.reads.push('process');
      if (!state.alive) {
        return fail({ kind: 'gone', detail: `/proc/${pid}` });
      }
      const group: CgroupMemory = {
        version: 1,
        path: '/g',
        limitBytes: 64 * MiB,
        currentBytes: MiB,
        workingSet: ok(MiB),
        levels: [],
        tightest: undefined,
        oom: ok(counters()),
      };
      return ok({
        identity: options.expected ?? A,
        timeMs: Date.now(),
        name: 'victim',
        state: 'S',
        ppid: 1,
        uid: 0,
        threads: 1,
        resBytes: MiB,
        virtBytes: MiB,
        shrBytes: 0,
        status: {},
        faults: { minor: 0, major: 0 },
        cgroup: options.detail ? ok(group) : undefined,
      });
    };
    const readOom = (): Outcome<OomCounters> => {
      state.reads.push('counters');
      return ok(counters());
    };
    const details = new FakeDetails();
    details.cgroupOf = () =>
      ok({
        version: 1,
        path: '/g',
        limitBytes: 64 * MiB,
        currentBytes: MiB,
        workingSet: ok(MiB),
        levels: [],
        tightest: undefined,
        oom: ok(counters()),
      });
    details.oomCounters = readOom;
    const sampler = new Sampler({ intervalMs: 60000, detailIntervalMs: 0, historyMinutes: 1 }, reader, details);
    const events: SampleEvent[] = [];
    const detail = sampler.subscribe(A, { detail: true }, (event) => events.push(event));
    return { state, sampler, events, detail };
  }

  it('makes no claim when the counters were not read while it ran (nobody asked for detail any more)', () => {
    const { state, sampler, events, detail } = setup();
    sampler.tick();
    sampler.subscribe(A, {}, (event) => events.push(event)); // a view without detail stays
    detail.dispose();
    state.oomKill = 1; // another process of the group is killed meanwhile
    sampler.tick();
    state.alive = false;
    sampler.tick();
    assert.deepStrictEqual(events.at(-1)?.exitCause, {
      kind: 'unknown',
      why: 'the OOM counters of its cgroup were not read while it ran',
    });
    sampler.dispose();
  });

  it('reads the counters before the process on each tick, and calls a rise at the end an OOM kill', () => {
    const { state, sampler, events } = setup();
    sampler.tick();
    sampler.tick();
    assert.deepStrictEqual(state.reads.slice(-2), ['counters', 'process'], 'counters first: a kill after them is news');
    state.alive = false;
    state.oomKill = 1;
    sampler.tick();
    assert.deepStrictEqual(events.at(-1)?.exitCause, {
      kind: 'oom-kill',
      counter: 'memory.oom_control oom_kill',
      path: '/g',
      before: 0,
      after: 1,
    });
    sampler.dispose();
  });

  it('does not blame the end on a kill of another process the process survived', () => {
    const { state, sampler, events } = setup();
    sampler.tick();
    state.oomKill = 1; // another process of the group was killed; ours is still there
    sampler.tick();
    state.alive = false; // then ours ends by a plain SIGKILL
    sampler.tick();
    const cause = events.at(-1)?.exitCause;
    assert.equal(cause?.kind, 'unknown');
    sampler.dispose();
  });
});
