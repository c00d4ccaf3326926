// The OOM baseline the Sampler keeps: counters read before each reading, compared at the end.
//
// Most tests give the Sampler a fake reader (test/unit/samplerFakes.ts). That is the seam its
// constructor offers for this (`ProcessReader`, and `DetailReaders` for the costly reads): it lets
// a test decide what each reading returns and count the readings, while the timers are real, and
// gives it a clock whose last reading the fakes record.
//
// Timers fire late on a loaded machine, never early. So the tests wait for what they need
// (waitFor) instead of sleeping a fixed time and counting, and only bound counts from above.
import * as assert from 'assert';
import { CgroupMemory, OomCounters } from '../../src/proc/cgroup';
import { fail, ok, Outcome } from '../../src/proc/outcome';
import { ProcessReader, SampleEvent, Sampler } from '../../src/proc/sampler';
import { MiB } from '../../shared/units';

import { A, B, FakeDetails } from './samplerFakes';

describe('Sampler: OOM verdict at the end of a process', () => {
  /** One process in a v1 group whose oom_kill count the test sets; read by hand with tick(). */
  function setup() {
    const state = { alive: true, oomKill: 0, reads: [] as string[], whileReading: () => {} };
    const counters = (): OomCounters => ({ version: 1, path: '/g', oomKillLocal: state.oomKill, failcnt: 0 });
    const reader: ProcessReader = (pid, options) => {
      state.reads.push('process');
      state.whileReading();
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
    // The Sampler's clock: a second a tick, which the fake readers also keep their tick's reads by.
    const time = { now: 1_000_000 };
    const details = new FakeDetails(() => time.now);
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
    details.countersOf = readOom;
    const sampler = new Sampler({ intervalMs: 60000, detailIntervalMs: 0, historyMinutes: 1 }, reader, details, () => {
      time.now += 1000;
      return time.now;
    });
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

  it("judges the end on counters read after the process was found gone, not on the tick's read before it", () => {
    const { state, sampler, events } = setup();
    sampler.tick();
    state.whileReading = () => {
      state.alive = false; // killed between the baseline's read and its own in this tick
      state.oomKill = 1;
    };
    state.reads.length = 0;
    sampler.tick();
    assert.deepStrictEqual(
      state.reads,
      ['counters', 'process', 'counters'],
      'the baseline, the reading, the judgement',
    );
    assert.equal(events.at(-1)?.exitCause?.kind, 'oom-kill', JSON.stringify(events.at(-1)?.exitCause));
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

  it('reads the counters of a group once a tick for all its processes, still before each of them', () => {
    const { state, sampler, events } = setup();
    const other = sampler.subscribe(B, { detail: true }, () => undefined);
    sampler.tick(); // both learn their group
    state.reads.length = 0;
    sampler.tick();
    assert.deepStrictEqual(state.reads, ['counters', 'process', 'process'], 'one read of the shared group');
    state.alive = false; // both end; the group's kill counter rose
    state.oomKill = 1;
    sampler.tick();
    assert.equal(events.at(-1)?.exitCause?.kind, 'oom-kill', 'the end is still judged on counters read after it');
    other.dispose();
    sampler.dispose();
  });
});
