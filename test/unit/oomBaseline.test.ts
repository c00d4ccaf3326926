// The OOM baseline the Sampler keeps: counters read before a reading where a kill is near, else
// with the cgroup read at the detail pace; compared at the end with counters read after it.
//
// Most tests give the Sampler a fake reader (test/unit/samplerFakes.ts). That is the seam its
// constructor offers for this (`ProcessReader`, and `DetailReaders` for the costly reads): it lets
// a test decide what each reading returns and count the readings. These tests tick by hand with a
// clock a second a tick, so that a detail interval is five ticks.
import * as assert from 'assert';
import { CgroupMemory, OomCounters, tightestLevel } from '../../src/proc/cgroup';
import { fail, ok } from '../../src/proc/outcome';
import { ProcessReader, SampleEvent, Sampler } from '../../src/proc/sampler';
import { MiB } from '../../shared/units';

import { delay } from './helpers';
import { A, B, FakeDetails } from './samplerFakes';

const LIMIT = 64 * MiB;
const FAR = MiB; // 2 % of the limit
const NEAR = 60 * MiB; // 94 %
const DETAIL_INTERVAL_MS = 5000;

describe('Sampler: OOM verdict at the end of a process', () => {
  let sampler: Sampler | undefined;
  afterEach(() => sampler?.dispose()); // a failed test leaves no timer behind
  /**
   * Processes in one group (v1 /g, or v2 /a/b under /a) whose counters the test sets; the fake
   * kernel logs every read: of a process, of the group (which brings its counters, as the real
   * cgroup read does) and of counters.
   */
  function setup(options: { version?: 1 | 2; workingSet: number }) {
    const version = options.version ?? 1;
    const path = version === 1 ? '/g' : '/a/b';
    const state = {
      gone: new Set<number>(),
      groupRemoved: false,
      oomKill: 0,
      parentOomKill: 0,
      workingSet: options.workingSet,
      reads: [] as string[],
      whileReading: () => {},
    };
    const reader: ProcessReader = (pid, options) => {
      state.reads.push('process');
      state.whileReading();
      if (state.gone.has(pid)) {
        return fail({ kind: 'gone', detail: `/proc/${pid}` });
      }
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
      });
    };
    const time = { now: 1_000_000 };
    const details = new FakeDetails(() => time.now);
    details.countersOf = (_version, groupPath): ReturnType<FakeDetails['countersOf']> => {
      state.reads.push(`counters ${groupPath}`);
      if (groupPath === path && !state.groupRemoved) {
        return ok(
          version === 1
            ? { version, path, oomKillLocal: state.oomKill, failcnt: 0 }
            : { version, path, oomKill: state.oomKill, oomKillLocal: state.oomKill },
        );
      }
      if (version === 2 && groupPath === '/a') {
        return ok({ version, path: '/a', oomKill: state.parentOomKill + state.oomKill } satisfies OomCounters);
      }
      return fail({ kind: 'gone', detail: `no group ${groupPath}` });
    };
    details.cgroupOf = () => {
      state.reads.push('cgroup');
      const levels = [
        {
          path,
          limitBytes: LIMIT,
          limitFile: version === 1 ? 'memory.limit_in_bytes' : 'memory.max',
          usageBytes: state.workingSet,
          workingSet: ok(state.workingSet),
        },
      ];
      const group: CgroupMemory = {
        version,
        path,
        limitBytes: LIMIT,
        currentBytes: state.workingSet,
        workingSet: ok(state.workingSet),
        levels,
        tightest: tightestLevel(levels),
        oom: details.countersOf(version, path), // the real cgroup read reads them too
      };
      return ok(group);
    };
    const current = new Sampler(
      { intervalMs: 60000, detailIntervalMs: DETAIL_INTERVAL_MS, historyMinutes: 1 },
      reader,
      details,
      () => (time.now += 1000),
    );
    const events: SampleEvent[] = [];
    sampler = current; // disposed after the test
    const detail = current.subscribe(A, { detail: true }, (event) => events.push(event));
    /** Ticks `count` times; the reads they made. */
    const ticks = (count: number): string[] => {
      state.reads.length = 0;
      for (let i = 0; i < count; i++) {
        current.tick();
      }
      return [...state.reads];
    };
    return { state, sampler: current, events, detail, ticks, time };
  }

  const killed = (before: number, after: number, path = '/g', counter = 'memory.oom_control oom_kill') => ({
    kind: 'oom-kill',
    counter,
    path,
    before,
    after,
  });

  it('makes no claim when the counters were not read while it ran (nobody asked for detail any more)', () => {
    const { state, sampler, events, detail } = setup({ workingSet: NEAR });
    sampler.tick();
    sampler.subscribe(A, {}, (event) => events.push(event)); // a view without detail stays
    detail.dispose();
    state.oomKill = 1; // another process of the group is killed meanwhile
    sampler.tick();
    state.gone.add(A.pid);
    sampler.tick();
    assert.deepStrictEqual(events.at(-1)?.exitCause, {
      kind: 'unknown',
      why: 'the OOM counters of its cgroup were not read while it ran',
    });
  });

  it('near its limit: reads the counters before the process on every tick, and calls a rise at the end an OOM kill', () => {
    const { state, sampler, events, ticks } = setup({ workingSet: NEAR });
    sampler.tick(); // learns its group
    const reads = ticks(10);
    assert.equal(reads.filter((read) => read === 'counters /g').length, 10 + 2, 'every tick; twice with the cgroup');
    for (const [i, read] of reads.entries()) {
      if (read === 'process') {
        assert.equal(reads[i - 1], 'counters /g', `counters first, a kill after them is news: ${reads}`);
      }
    }
    state.gone.add(A.pid);
    state.oomKill = 1;
    sampler.tick();
    assert.deepStrictEqual(events.at(-1)?.exitCause, killed(0, 1));
  });

  it('far from its limit: reads the counters only with the cgroup, once a detail interval, and calls a rise at the end an OOM kill', () => {
    const { state, sampler, events, ticks } = setup({ workingSet: FAR });
    sampler.tick(); // learns its group
    const reads = ticks(10);
    assert.equal(reads.filter((read) => read === 'process').length, 10);
    assert.equal(reads.filter((read) => read === 'counters /g').length, 2, `once a detail interval: ${reads}`);
    assert.equal(reads.filter((read) => read === 'cgroup').length, 2, 'with the cgroup read');
    assert.ok(
      reads.every((read, i) => read !== 'counters /g' || reads[i - 1] === 'cgroup'),
      `no reads of their own: ${reads}`,
    );
    sampler.tick(); // not a cgroup tick: the baseline is the last cgroup read's
    state.gone.add(A.pid);
    state.oomKill = 1;
    sampler.tick();
    assert.deepStrictEqual(events.at(-1)?.exitCause, killed(0, 1));
  });

  it("judges the end on counters read after the process was found gone, not on the tick's read before it", () => {
    const { state, sampler, events } = setup({ workingSet: NEAR });
    sampler.tick();
    sampler.tick();
    state.whileReading = () => {
      state.gone.add(A.pid); // killed between the baseline's read and its own in this tick
      state.oomKill = 1;
    };
    state.reads.length = 0;
    sampler.tick();
    assert.deepStrictEqual(state.reads, ['counters /g', 'process', 'counters /g'], 'baseline, reading, judgement');
    assert.deepStrictEqual(events.at(-1)?.exitCause, killed(0, 1));
  });

  it('near its limit: does not blame the end on a kill of another process the process survived', () => {
    const { state, sampler, events } = setup({ workingSet: NEAR });
    sampler.tick();
    sampler.tick();
    state.oomKill = 1; // another process of the group was killed; ours is still there
    sampler.tick();
    state.gone.add(A.pid); // then ours ends by a plain SIGKILL
    sampler.tick();
    assert.equal(events.at(-1)?.exitCause?.kind, 'unknown');
  });

  it('far from its limit: counts a kill of another process for at most one detail interval', () => {
    const { state, sampler, events, time } = setup({ workingSet: FAR });
    const other: SampleEvent[] = [];
    sampler.subscribe(B, { detail: true }, (event) => other.push(event));
    sampler.tick(); // both read their group: the baseline of both
    state.oomKill = 1; // another process of the group was killed; ours are still there
    sampler.tick();
    state.gone.add(A.pid); // A ends by a plain SIGKILL within the interval
    sampler.tick();
    assert.equal(events.at(-1)?.exitCause?.kind, 'oom-kill', 'the verdict says another may have been the victim');
    while (time.now % DETAIL_INTERVAL_MS !== 0) {
      sampler.tick(); // up to and with B's next cgroup read, which finds it alive
    }
    state.gone.add(B.pid);
    sampler.tick();
    assert.equal(other.at(-1)?.exitCause?.kind, 'unknown', JSON.stringify(other.at(-1)?.exitCause));
  });

  it('reads the counters from the next cgroup read on every tick once the group nears its limit', () => {
    const { state, sampler, ticks, time } = setup({ workingSet: FAR });
    sampler.tick();
    state.workingSet = NEAR;
    const untilCgroup = ticks(DETAIL_INTERVAL_MS / 1000 - ((time.now / 1000) % (DETAIL_INTERVAL_MS / 1000)));
    assert.deepStrictEqual(untilCgroup.slice(-3), ['process', 'cgroup', 'counters /g'], `${untilCgroup}`);
    assert.equal(untilCgroup.filter((read) => read === 'counters /g').length, 1, 'far until then');
    assert.deepStrictEqual(ticks(2), ['counters /g', 'process', 'counters /g', 'process']);
  });

  it('far from its limit: a view shown again reads the counters before its first reading, as it has no baseline yet', async () => {
    const { state, sampler, events, ticks, detail } = setup({ workingSet: FAR });
    sampler.tick();
    await delay(0); // its first rollup lands: the process's costly reads are remembered
    detail.dispose();
    sampler.subscribe(A, { detail: true }, (event) => events.push(event));
    assert.deepStrictEqual(ticks(2), ['counters /g', 'process', 'process'], 'then at the detail pace');
    state.gone.add(A.pid);
    state.oomKill = 1;
    sampler.tick();
    assert.deepStrictEqual(events.at(-1)?.exitCause, killed(0, 1));
  });

  for (const workingSet of [FAR, NEAR]) {
    it(`${workingSet === NEAR ? 'near' : 'far from'} its limit: still has the v2 parent's count when the group went with its last process`, () => {
      const { state, sampler, events, ticks } = setup({ version: 2, workingSet });
      sampler.tick();
      const reads = ticks(3); // no cgroup read among them
      const parentReads = reads.filter((read) => read === 'counters /a').length;
      assert.equal(parentReads, workingSet === NEAR ? 3 : 0, `${reads}`);
      state.gone.add(A.pid);
      state.groupRemoved = true;
      state.parentOomKill = 1;
      sampler.tick();
      assert.deepStrictEqual(events.at(-1)?.exitCause, killed(0, 1, '/a', 'memory.events oom_kill'));
    });
  }

  it('near its limit: reads the counters of a group once a tick for all its processes, still before each of them', () => {
    const { state, sampler, events, ticks } = setup({ workingSet: NEAR });
    const other = sampler.subscribe(B, { detail: true }, () => undefined);
    sampler.tick(); // both learn their group
    assert.deepStrictEqual(ticks(1), ['counters /g', 'process', 'process'], 'one read of the shared group');
    state.gone.add(A.pid); // both end; the group's kill counter rose
    state.gone.add(B.pid);
    state.oomKill = 1;
    sampler.tick();
    assert.equal(events.at(-1)?.exitCause?.kind, 'oom-kill', 'the end is still judged on counters read after it');
    other.dispose();
  });
});
