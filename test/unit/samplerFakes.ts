// Fakes for the Sampler's tests: a /proc whose readings the test decides, costly readers that
// count their reads, and the clock the Sampler is given.
import * as assert from 'assert';
import { CgroupMemory } from '../../src/proc/cgroup';
import { fail, ok, Outcome, ProcError } from '../../src/proc/outcome';
import { ProcessIdentity } from '../../src/proc/processIdentity';
import { OomScore, ProcessSample, SampleOptions } from '../../src/proc/sampleProcess';
import { OomCounterReader } from '../../src/proc/oomKill';
import { MAPPING_KINDS } from '../../shared/model';
import { MappingSummary } from '../../src/proc/smaps';
import { Timed } from '../../src/proc/smapsOffThread';
import { SmapsRollup } from '../../src/proc/smapsRollup';
import { DetailReaders } from '../../src/proc/detailReaders';
import { SAME_TICK_MS, SharedReads } from '../../src/proc/sharedReads';
import { ProcessReader, Sampler, SamplerSettings } from '../../src/proc/sampler';
import { delay } from './helpers';
import { MiB } from '../../shared/units';

export interface Read {
  pid: number;
  /** The Date.now() the sampler took at the start of the tick that made this read. */
  timeMs: number;
}

export interface DetailRead extends Read {
  what: 'rollup-sync' | 'rollup-async' | 'smaps' | 'smaps-sync' | 'smaps-short' | 'cgroup' | 'oomScore' | 'pressure';
}

/**
 * The clock the tests give the Sampler: the wall clock, remembering the last value it gave, so
 * the fake readers can record exactly the `now` of the tick that called them (the Sampler takes
 * it once per tick; the fake reader stamps its samples with that same value).
 */
export const clock = {
  last: 0,
  now: (): number => (clock.last = Date.now()),
};

/** A fake /proc: counts reads; each process can be told to end or to be memoryless. */
export class FakeProc {
  readonly reads: Read[] = [];
  /** pid -> the error to return from now on. */
  readonly errors = new Map<number, ProcError>();
  readonly memoryless = new Set<number>();
  /** pid -> its RES; others have 100 MiB and more (above FIRST_SMAPS_IN_TICK_MAX_RES). */
  readonly resOf = new Map<number, number>();
  private counter = 0;

  readonly reader: ProcessReader = (pid: number, options: SampleOptions): Outcome<ProcessSample> => {
    assert.ok(!options.detail && !options.mappings, 'the Sampler reads the costly figures through its DetailReaders');
    this.reads.push({ pid, timeMs: clock.last });
    const error = this.errors.get(pid);
    if (error) {
      return fail(error);
    }
    this.counter++;
    const identity = options.expected ?? { pid, startTicks: 1 };
    return ok({
      identity,
      timeMs: clock.last,
      name: `fake${pid}`,
      state: 'S',
      ppid: 1,
      uid: 0,
      threads: 1,
      memoryless: this.memoryless.has(pid) ? 'zombie' : undefined,
      resBytes: this.memoryless.has(pid) ? 0 : (this.resOf.get(pid) ?? 100 * MiB + this.counter),
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
export class FakeDetails implements DetailReaders {
  readonly reads: DetailRead[] = [];
  rollupCostMs = 0.2;
  /** What an async rollup measures: the thread pool's round trip (above IN_TICK_MAX_MS on a busy machine). */
  rollupRoundTripMs = 0.2;
  /** Cheap enough for the tests' 100 ms setting (0.5 ms / 0.5 % = 100 ms). */
  smapsCostMs = 0.3;
  /** While set, smaps reads wait for release(). */
  hold = false;
  private readonly held: (() => void)[] = [];
  private counter = 0;

  rollupSync(pid: number): Timed<Outcome<SmapsRollup>> {
    this.reads.push({ pid, what: 'rollup-sync', timeMs: clock.last });
    return { value: ok(this.rollup()), costMs: this.rollupCostMs };
  }

  async rollupAsync(pid: number): Promise<Timed<Outcome<SmapsRollup>>> {
    this.reads.push({ pid, what: 'rollup-async', timeMs: clock.last });
    await delay(0);
    return { value: ok(this.rollup()), costMs: this.rollupRoundTripMs };
  }

  async smaps(pid: number): Promise<Timed<Outcome<MappingSummary>>> {
    this.reads.push({ pid, what: 'smaps', timeMs: clock.last });
    const costMs = this.smapsCostMs;
    if (this.hold) {
      await new Promise<void>((resolve) => this.held.push(resolve));
    } else {
      await delay(0);
    }
    return { value: ok(fakeMappings(++this.counter)), costMs };
  }

  smapsSync(pid: number): Timed<Outcome<MappingSummary>> {
    this.reads.push({ pid, what: 'smaps-sync', timeMs: clock.last });
    return { value: ok(fakeMappings(++this.counter)), costMs: this.smapsCostMs };
  }

  /** How long the fake smaps is, for shortSmapsSync. */
  smapsBytes = 30 * 1024;

  shortSmapsSync(pid: number, maxBytes: number): Timed<Outcome<MappingSummary>> | undefined {
    this.reads.push({ pid, what: 'smaps-short', timeMs: clock.last });
    return this.smapsBytes > maxBytes
      ? undefined
      : { value: ok(fakeMappings(++this.counter)), costMs: this.smapsCostMs };
  }

  /** What cgroup() answers; the OOM tests give the process a group. */
  cgroupOf: () => Outcome<CgroupMemory | undefined> = () => ok(undefined);
  /** The OOM counters as the kernel has them now; the OOM tests count these reads. */
  countersOf: OomCounterReader = () => fail({ kind: 'unsupported', detail: 'no group in this test' });
  /** Kept for a tick by the clock of the tick that read them, as the real readers keep theirs. */
  private readonly tickReads: SharedReads;

  /** `tickNow`: the clock the Sampler is given, for the reads kept a tick. */
  constructor(tickNow: () => number = () => clock.last) {
    this.tickReads = new SharedReads(tickNow);
  }

  readonly oomCounters: OomCounterReader = (version, path) =>
    this.tickReads.get(`${version} ${path}`, SAME_TICK_MS, () => this.countersOf(version, path));

  readonly oomCountersNow: OomCounterReader = (version, path) => this.countersOf(version, path);

  cgroup(pid: number): Outcome<CgroupMemory | undefined> {
    this.reads.push({ pid, what: 'cgroup', timeMs: clock.last });
    return this.cgroupOf();
  }

  oomScore(pid: number): Outcome<OomScore> {
    this.reads.push({ pid, what: 'oomScore', timeMs: clock.last });
    return ok({ score: 667, adj: 0 });
  }

  pressure(pid: number): NonNullable<ProcessSample['pressure']> {
    this.reads.push({ pid, what: 'pressure', timeMs: clock.last });
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

  /** The reads of one kind; 'rollup' and 'smaps': in the tick or off it. */
  of(what: DetailRead['what'] | 'rollup', after = 0): DetailRead[] {
    return this.reads.slice(after).filter((read) => read.what === what || read.what.startsWith(`${what}-`));
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

export function fakeMappings(rss: number): MappingSummary {
  const categories = {} as MappingSummary['categories'];
  for (const category of MAPPING_KINDS) {
    categories[category] = { count: 0, rssBytes: 0, pssBytes: 0, privateBytes: 0, swapBytes: 0 };
  }
  categories.anonymous = { count: 1, rssBytes: rss, pssBytes: rss, privateBytes: rss, swapBytes: 0 };
  return { categories, top: [], count: 1 };
}

export const A: ProcessIdentity = { pid: 101, startTicks: 5 };
export const B: ProcessIdentity = { pid: 202, startTicks: 7 };

/** The settings of the fake-reader tests: small intervals, real timers. */
export const FAKE_SETTINGS: SamplerSettings = { intervalMs: 20, detailIntervalMs: 100, historyMinutes: 1 };

/** A fresh fake /proc, fake costly readers and a Sampler on them for each test of the calling describe. */
export function fakeSamplerPerTest(): { fake: FakeProc; details: FakeDetails; sampler: Sampler } {
  const current = {} as { fake: FakeProc; details: FakeDetails; sampler: Sampler };
  beforeEach(() => {
    current.fake = new FakeProc();
    current.details = new FakeDetails();
    current.sampler = new Sampler(FAKE_SETTINGS, current.fake.reader, current.details, clock.now);
  });
  afterEach(() => current.sampler.dispose());
  return current;
}
