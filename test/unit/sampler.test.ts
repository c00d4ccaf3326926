// The Sampler's scheduling, with real timers at small intervals.
//
// Most tests give the Sampler a fake reader. That is the seam its constructor offers for this
// (`ProcessReader`): it lets a test decide what each reading returns (a process that ends on the
// third read, a memoryless one...) and count the readings, while the timers are real. Reading
// /proc itself is covered by the live tests; the last test here runs the real reader on a real child.
//
// Timers fire late on a loaded machine, never early. So the tests wait for what they need
// (waitFor) instead of sleeping a fixed time and counting, and only bound counts from above.
import * as assert from 'assert';
import { CgroupMemory, OomCounters } from '../../src/proc/cgroup';
import { History } from '../../src/proc/history';
import { fail, ok, Outcome, ProcError } from '../../src/proc/outcome';
import { ProcessIdentity, readIdentity } from '../../src/proc/processIdentity';
import { ProcessSample, SampleOptions } from '../../src/proc/sampleProcess';
import { MAPPING_CATEGORIES, MappingSummary } from '../../src/proc/smaps';
import { ProcessReader, SampleEvent, Sampler, SamplerSettings } from '../../src/proc/sampler';
import { delay, expectOk, killAllChildren, startNode, waitFor } from './helpers';

const MiB = 1024 * 1024;

interface Read {
  pid: number;
  detail: boolean;
  mappings: boolean;
  /** The Date.now() the sampler took at the start of the tick that made this read. */
  timeMs: number;
}

// The Sampler takes `now` with Date.now() once per tick and decides from it whether the tick reads
// the detail. A spy remembers the last value Date.now() returned, so the fake reader can record
// exactly the `now` of the tick that called it (nothing else calls Date.now() inside a tick).
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
    this.reads.push({ pid, detail: options.detail ?? false, mappings: options.mappings ?? false, timeMs: lastNow });
    const error = this.errors.get(pid);
    if (error) {
      return fail(error);
    }
    this.counter++;
    const identity = options.expected ?? { pid, startTicks: 1 };
    return ok({
      identity,
      timeMs: Date.now(),
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
      rollup: options.detail ? ok({ rss: 1, pss: this.counter, sharedClean: 0, sharedDirty: 0, privateClean: 0, privateDirty: 0, uss: 0, anonymous: 0, swap: 0, locked: 0 }) : undefined,
      cgroup: options.detail ? ok(undefined) : undefined,
      mappings: options.mappings ? ok(fakeMappings(this.counter)) : undefined,
    });
  };

  readsOf(pid: number): Read[] {
    return this.reads.filter((read) => read.pid === pid);
  }
}

function fakeMappings(rss: number): MappingSummary {
  const categories = {} as MappingSummary['categories'];
  for (const category of MAPPING_CATEGORIES) {
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
  let sampler: Sampler;

  before(spyOnDateNow);
  after(restoreDateNow);

  beforeEach(() => {
    fake = new FakeProc();
    sampler = new Sampler(settings, fake.reader);
  });

  afterEach(() => sampler.dispose());

  it('runs no timer while nobody subscribes, and stops when the last subscriber leaves', async () => {
    assert.strictEqual(sampler.isPolling, false);
    await delay(3 * INTERVAL);
    assert.strictEqual(fake.reads.length, 0);

    const first = sampler.watch(A, {}, () => undefined);
    const second = sampler.watch(A, {}, () => undefined);
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

  it('reads each process once per tick however many subscribe', async () => {
    const events = [0, 0, 0];
    const subscriptions = events.map((_, i) => sampler.watch(A, {}, () => events[i]++));
    let eventsOfB = 0;
    sampler.watch(B, {}, () => eventsOfB++);
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
    const plain = sampler.watch(A, {}, () => undefined);
    await waitFor(() => fake.reads.length >= 4, 'four plain reads');
    assert.ok(fake.reads.every((read) => !read.detail), 'no detail without a subscriber asking for it');

    const events: SampleEvent[] = [];
    const readsBefore = fake.reads.length;
    const detailed = sampler.watch(A, { detail: true }, (event) => events.push(event));
    assert.strictEqual(events.length, 1, 'the last plain event is replayed at once');
    assert.strictEqual(expectOk(events[0].outcome).rollup, undefined);
    const started = Date.now();
    await waitFor(() => fake.reads.slice(readsBefore).filter((read) => read.detail).length >= 3, 'three detail reads');
    await waitFor(() => fake.reads.slice(readsBefore).filter((read) => !read.detail).length >= 3, 'three plain reads');
    const elapsed = Date.now() - started;
    const reads = fake.reads.slice(readsBefore);
    assert.strictEqual(reads[0].detail, true, 'a new detail subscriber gets its detail at once');
    const detailReads = reads.filter((read) => read.detail);
    assert.ok(detailReads.length <= elapsed / settings.detailIntervalMs + 2, `${detailReads.length} detail reads in ${elapsed} ms`);
    // The rule, read by read: detail once detailIntervalMs have passed since the last detail read,
    // plain before that (times are the sampler's own tick times, see spyOnDateNow).
    let lastDetail = reads[0].timeMs;
    for (const read of reads.slice(1)) {
      const since = read.timeMs - lastDetail;
      assert.strictEqual(read.detail, since >= settings.detailIntervalMs, `${read.detail ? 'a detail' : 'a plain'} read ${since} ms after the last detail read`);
      if (read.detail) {
        lastDetail = read.timeMs;
      }
    }
    // Between detail reads the last rollup is carried over instead of flickering to unknown.
    const fresh = events.slice(1);
    assert.ok(fresh.length > detailReads.length);
    assert.ok(fresh.every((event) => expectOk(event.outcome).rollup?.ok), 'every reading since the first detail read has a rollup');

    detailed.dispose();
    const afterDispose = fake.reads.length;
    await waitFor(() => fake.reads.length >= afterDispose + 3, 'the plain subscriber is still served');
    assert.ok(fake.reads.slice(afterDispose).every((read) => !read.detail), 'no detail once its subscriber left');
    plain.dispose();
  });

  it('reads the mappings (smaps) only for a subscriber that asks, on detail reads, and keeps them between', async () => {
    // The status bar and the debug view: plain and detail subscribers never cost an smaps read.
    const plain = sampler.watch(A, {}, () => undefined);
    const detailOnly = sampler.watch(A, { detail: true }, () => undefined);
    await waitFor(() => fake.reads.filter((read) => read.detail).length >= 2, 'two detail reads');
    assert.ok(fake.reads.every((read) => !read.mappings), 'no smaps read without a subscriber asking for it');

    const events: SampleEvent[] = [];
    const readsBefore = fake.reads.length;
    const panel = sampler.watch(A, { detail: true, mappings: true }, (event) => events.push(event));
    await waitFor(() => fake.reads.slice(readsBefore).filter((read) => read.mappings).length >= 3, 'three mapping reads');
    const reads = fake.reads.slice(readsBefore);
    assert.strictEqual(reads[0].mappings, true, 'a new panel gets its mappings at once');
    assert.ok(reads.every((read) => read.mappings === read.detail), 'mappings are read exactly on the detail reads');
    assert.ok(reads.some((read) => !read.detail), 'and not on the plain ones');
    // Between detail reads the last mappings are carried over, like the rollup.
    assert.ok(events.slice(1).every((event) => expectOk(event.outcome).mappings?.ok), 'every reading since the first has its mappings');

    panel.dispose();
    const afterDispose = fake.reads.length;
    await waitFor(() => fake.reads.slice(afterDispose).filter((read) => read.detail).length >= 2, 'two more detail reads');
    assert.ok(fake.reads.slice(afterDispose).every((read) => !read.mappings), 'no smaps once the panel left');
    plain.dispose();
    detailOnly.dispose();
  });

  it('stops reading a process that ended (gone or pid-reused), and keeps its last sample', async () => {
    const eventsA: SampleEvent[] = [];
    const eventsB: SampleEvent[] = [];
    sampler.watch(A, {}, (event) => eventsA.push(event));
    sampler.watch(B, {}, (event) => eventsB.push(event));
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
    sampler.watch(A, {}, (event) => (late = event));
    assert.strictEqual(late?.ended, true);
    assert.strictEqual(sampler.isPolling, false);
  });

  it('keeps reading through errors that do not end a process', async () => {
    const events: SampleEvent[] = [];
    sampler.watch(A, {}, (event) => events.push(event));
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
      small.watch(A, {}, (event) => (history = event.history));
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
    sampler.watch(A, {}, (event) => events.push(event));
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
      sampler.watch(A, {}, () => {
        throw new Error('broken view');
      });
      sampler.watch(A, {}, () => good++);
      await waitFor(() => good >= 3, 'three events for the good listener');
      assert.strictEqual(good, fake.readsOf(A.pid).length);
      assert.ok(errors.length >= good, 'each failure is logged');
      assert.ok(String(errors[0][0]).includes('listener failed'));
      // Throwing while the last event is replayed to a new subscriber does not escape watch().
      sampler.watch(A, {}, () => {
        throw new Error('broken at once');
      });
      assert.strictEqual(sampler.isPolling, true);
    } finally {
      console.error = original;
    }
  });

  it('keeps the history when the interval changes, and polls at the new pace', async () => {
    sampler.watch(A, {}, () => undefined);
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
    const first = sampler.watch(A, {}, () => undefined);
    sampler.tick();
    sampler.tick();
    const history = sampler.history(A)!;
    first.dispose();
    assert.strictEqual(sampler.history(A), undefined);
    sampler.watch(A, { history }, () => undefined);
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
        real.watch(identity, { detail: true, mappings: true }, (event) => {
          events.push(event);
          if (event.ended) {
            resolveEnded();
          }
        });
        await waitFor(() => events.length >= 3, 'three readings of the child');
        const sample = expectOk(events[0].outcome);
        assert.deepStrictEqual(sample.identity, identity);
        assert.strictEqual(sample.name, 'node');
        assert.ok(sample.resBytes > 10 * MiB, `RES ${sample.resBytes}`);
        assert.ok(expectOk(sample.rollup!, 'rollup').pss > 0);
        const mappings = expectOk(sample.mappings!, 'mappings');
        assert.ok(mappings.categories.program.rssBytes > 0 && mappings.categories.anonymous.rssBytes > 0, JSON.stringify(mappings.categories));
        assert.strictEqual(real.history(identity)?.length, events.length);

        await child.kill();
        await ended;
        const last = events[events.length - 1];
        assert.ok(!last.outcome.ok && last.outcome.error.kind === 'gone', JSON.stringify(last.outcome));
        // Between SIGKILL and Node reaping it, the child may be read once as a zombie (memoryless,
        // RES 0); lastSample is then that zombie reading, while the history keeps the last RES.
        assert.ok(last.lastSample, 'a last sample to freeze on');
        assert.ok(last.lastSample.memoryless === 'zombie' || last.lastSample.resBytes > 10 * MiB, JSON.stringify(last.lastSample));
        assert.ok((real.history(identity)?.latest()?.resBytes ?? 0) > 10 * MiB);
        assert.strictEqual(real.isPolling, false);
      } finally {
        real.dispose();
      }
    } finally {
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
      const group: CgroupMemory = { version: 1, path: '/g', limitBytes: 64 * MiB, currentBytes: MiB, workingSet: ok(MiB), levels: [], oom: ok(counters()) };
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
    const sampler = new Sampler({ intervalMs: 60000, detailIntervalMs: 0, historyMinutes: 1 }, reader, readOom);
    const events: SampleEvent[] = [];
    const detail = sampler.watch(A, { detail: true }, (event) => events.push(event));
    return { state, sampler, events, detail };
  }

  it('makes no claim when the counters were not read while it ran (nobody asked for detail any more)', () => {
    const { state, sampler, events, detail } = setup();
    sampler.tick();
    sampler.watch(A, {}, (event) => events.push(event)); // a view without detail stays
    detail.dispose();
    state.oomKill = 1; // another process of the group is killed meanwhile
    sampler.tick();
    state.alive = false;
    sampler.tick();
    assert.deepStrictEqual(events.at(-1)?.exitCause, { kind: 'unknown', why: 'the OOM counters of its cgroup were not read while it ran' });
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
    assert.deepStrictEqual(events.at(-1)?.exitCause, { kind: 'oom-kill', counter: 'memory.oom_control oom_kill', path: '/g', before: 0, after: 1 });
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
