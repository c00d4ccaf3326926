// A sample message carries only the fields the page does not have (src/core/snapshotDelta.ts): the
// page merges it into what it has, as webview/inspect/view.ts does, and must get the full snapshot.
import * as assert from 'node:assert/strict';
import { sampleProcess } from '../../src/proc/sampleProcess';
import { toSnapshot } from '../../src/core/processSnapshot';
import { forecastNews, hasNews, sameFigures, sameJson, snapshotDelta } from '../../src/core/snapshotDelta';
import type { ProcessSample } from '../../src/proc/sampleProcess';
import type { LeakForecast, ProcessSnapshot } from '../../shared/model';
import { describeForecast } from '../../shared/forecastText';

function liveSnapshot(): ProcessSnapshot {
  const sample = sampleProcess(process.pid, { detail: true, mappings: true });
  assert.ok(sample.ok);
  return toSnapshot(sample.value);
}

/** What the page holds after a message: its snapshot with the delta merged in, through JSON as posted. */
function merged(page: ProcessSnapshot | undefined, delta: object): ProcessSnapshot {
  return { ...page, ...JSON.parse(JSON.stringify(delta)) } as ProcessSnapshot;
}

const MIB = 1024 * 1024;

/** A cgroup v2 group with a 1 GiB limit, `usage` charged (a tenth of it inactive page cache) and `oomKills`. */
function groupFigure(usage: number, oomKills: number): ProcessSnapshot['cgroup'] {
  const workingSet = usage - usage / 10;
  return {
    version: 2,
    path: '/app.slice',
    usageBytes: usage,
    workingSet: { bytes: workingSet },
    levels: [
      {
        path: '/app.slice',
        limitBytes: 1024 * MIB,
        limitFile: 'memory.max',
        usage: { bytes: usage },
        workingSet: { bytes: workingSet },
        headroom: { bytes: 1024 * MIB - workingSet },
      },
    ],
    tightest: {
      path: '/app.slice',
      limitBytes: 1024 * MIB,
      limitFile: 'memory.max',
      workingSetBytes: workingSet,
      headroomBytes: 1024 * MIB - workingSet,
    },
    oom: { path: '/app.slice', counters: [{ key: 'oomKill', value: oomKills, file: 'memory.events' }] },
  };
}

describe('snapshotDelta', () => {
  it('gives a page that merges each delta the very snapshot of every reading', () => {
    let page: ProcessSnapshot | undefined;
    let shown: ProcessSnapshot | undefined;
    const garbage: number[][] = [];
    for (let i = 0; i < 5; i++) {
      garbage.push(new Array(200_000).fill(i)); // RES of this process changes between readings
      const next = liveSnapshot();
      page = merged(page, snapshotDelta(next, shown));
      shown = next;
      assert.deepEqual(page, JSON.parse(JSON.stringify(next)), `reading ${i}`);
    }
    assert.ok(garbage.length > 0);
  });

  it('leaves out what did not change, sends what did', () => {
    const first = liveSnapshot();
    const next: ProcessSnapshot = {
      ...first,
      sampledAtMs: first.sampledAtMs + 1000,
      resBytes: first.resBytes + 4096,
      cgroup: JSON.parse(JSON.stringify(first.cgroup)), // a new object, the same figures
      pss: { bytes: 1 },
    };
    const delta = snapshotDelta(next, first);
    assert.deepEqual(Object.keys(delta).sort(), ['pss', 'resBytes', 'sampledAtMs']);
    assert.deepEqual(snapshotDelta(next, undefined), next, 'whole for a page without a snapshot');
  });

  it('finds no news in a reading that only moved time on: its time, the fault window, the same mappings and rollup read (or being read) again', () => {
    const first = liveSnapshot();
    assert.equal(first.rollupReadAtMs, first.sampledAtMs, 'smaps_rollup read with this reading');
    assert.ok('kinds' in first.mappings, 'this process has mappings');
    // Rates come from two readings (the sampler's): here, made up around the real totals.
    const faults = { minorPerSecond: 0, majorPerSecond: 0, overMs: 1000, minorTotal: 1, majorTotal: 0 };
    first.faults = faults;
    first.mappings.pace = { everyMs: 5000, byCost: false, reading: false, costMs: 1.2, readAtMs: first.sampledAtMs };
    const later: ProcessSnapshot = {
      ...JSON.parse(JSON.stringify(first)),
      sampledAtMs: first.sampledAtMs + 1000,
      rollupReadAtMs: first.sampledAtMs + 1000, // read again, alike
      faults: { ...faults, overMs: faults.overMs + 3 },
      mappings: {
        ...JSON.parse(JSON.stringify(first.mappings)),
        readAtMs: first.mappings.readAtMs + 5000,
        // A new read of the same rows: its time, its cost (the setting sets the pace), the state of the read.
        pace: { everyMs: 5000, byCost: false, reading: true, costMs: 1.7, readAtMs: first.sampledAtMs + 5000 },
      },
    };
    const quiet = snapshotDelta(later, first);
    assert.deepEqual(
      Object.keys(quiet).sort(),
      ['faults', 'mappings', 'rollupReadAtMs', 'sampledAtMs'],
      'all four differ',
    );
    assert.equal(hasNews(quiet, first), false);
    assert.equal(hasNews(snapshotDelta(first, undefined), undefined), true, 'a page without a snapshot');
    // Each figure the page shows is news when it moves.
    const changed: [string, Partial<ProcessSnapshot>][] = [
      ['RES', { resBytes: first.resBytes + 4096 }],
      ['a fault rate', { faults: { ...faults, minorPerSecond: faults.minorPerSecond + 1 } }],
      ['a fault total', { faults: { ...faults, majorTotal: faults.majorTotal + 1 } }],
      ['faults unreadable', { faults: { unavailable: 'permission denied' } }],
      [
        'a kind of mapping',
        {
          mappings: {
            ...first.mappings,
            kinds: first.mappings.kinds.map((row, i) => (i === 0 ? { ...row, rssBytes: row.rssBytes + 4096 } : row)),
          },
        },
      ],
      [
        'the mappings pace',
        {
          mappings: {
            ...first.mappings,
            pace: { everyMs: 60000, byCost: true, reading: false, costMs: 30, readAtMs: first.sampledAtMs },
          },
        },
      ],
      ['the mappings unreadable', { mappings: { unavailable: 'permission denied' } }],
      ['PSS', { pss: { bytes: 4096 + ('bytes' in first.pss ? first.pss.bytes : 0) } }],
      ['the state', { state: first.state === 'S' ? 'R' : 'S' }],
      ['the cgroup', { cgroup: { unavailable: 'gone' } }],
    ];
    for (const [what, change] of changed) {
      const next = { ...later, ...change } as ProcessSnapshot;
      assert.equal(hasNews(snapshotDelta(next, first), first), true, what);
    }
  });

  it('finds news in a cgroup read in its path, limits and counters, not in the sizes every process in it moves', () => {
    const first: ProcessSnapshot = { ...liveSnapshot(), cgroup: groupFigure(300 * MIB, 0) };
    const grown = { ...first, cgroup: groupFigure(420 * MIB, 0) };
    assert.equal(hasNews(snapshotDelta(grown, first), first), false, 'usage, working set and headroom moved');
    const group = groupFigure(300 * MIB, 0) as Exclude<ProcessSnapshot['cgroup'], { unavailable: string }>;
    const seen: [string, ProcessSnapshot['cgroup']][] = [
      ['an OOM counter', groupFigure(300 * MIB, 1)],
      ['its path', { ...group, path: '/other.slice' }],
      ['a limit', { ...group, levels: [{ ...group.levels[0], limitBytes: 2048 * MIB }] }],
      ['the working set unreadable', { ...group, workingSet: { unavailable: 'no memory.stat' } }],
      ['unreadable', { unavailable: 'gone' }],
    ];
    for (const [what, cgroup] of seen) {
      assert.equal(hasNews(snapshotDelta({ ...first, cgroup }, first), first), true, what);
    }
  });

  it('tells readings alike but for their time without a snapshot, and only those that bring no news', () => {
    const read = sampleProcess(process.pid, { detail: true, mappings: true });
    assert.ok(read.ok);
    const first: ProcessSample = {
      ...read.value,
      faultRates: { minorPerSecond: 0, majorPerSecond: 0, overMs: 1000 },
    };
    // The next reading: new objects for what is read again each time, the same carried-over costly reads.
    const later: ProcessSample = {
      ...JSON.parse(JSON.stringify(first)),
      identity: first.identity,
      timeMs: first.timeMs + 1000,
      faultRates: { minorPerSecond: 0, majorPerSecond: 0, overMs: 1003 },
    };
    const newsOf = (next: ProcessSample) => {
      const shown = toSnapshot(first);
      return hasNews(snapshotDelta(toSnapshot(next), shown), shown);
    };
    assert.equal(sameFigures(later, first), true);
    assert.equal(newsOf(later), false, 'and a page learns nothing from it');
    assert.ok(first.status.rssAnon !== undefined && first.rollup?.ok);
    const changed: [string, Partial<ProcessSample>][] = [
      ['RES', { resBytes: first.resBytes + 4096 }],
      ['a fault total', { faults: { ...first.faults, minor: first.faults.minor + 1 } }],
      ['a fault rate', { faultRates: { minorPerSecond: 1, majorPerSecond: 0, overMs: 1000 } }],
      ['RssAnon', { status: { ...first.status, rssAnon: first.status.rssAnon + 4096 } }],
      ['PSS', { rollup: { ok: true, value: { ...first.rollup.value, pss: first.rollup.value.pss + 4096 } } }],
      ['the cgroup', { cgroup: { ok: false, error: { kind: 'gone', detail: 'moved' } } }],
      ['the threads', { threads: first.threads + 1 }],
    ];
    for (const [what, change] of changed) {
      const next = { ...later, ...change } as ProcessSample;
      assert.equal(sameFigures(next, first), false, what);
      assert.equal(newsOf(next), true, `${what} is news`);
    }
  });

  it('finds news in a forecast refit only where the page would word it differently', () => {
    const steady = (spanMs: number, r2 = 0): LeakForecast => ({
      verdict: 'steady',
      reason: 'flat',
      spanMs,
      bytesPerMinute: 0,
      r2,
    });
    const shown = steady(4 * 60000 + 5000);
    assert.equal(forecastNews(shown, shown), false, 'the same refit');
    // A refit 5 s later: the span is still "4 min".
    assert.equal(forecastNews(steady(4 * 60000 + 10000), shown), false, 'the span within the same minute');
    assert.equal(describeForecast(shown).verdict, 'No leak: RES has stayed level over the last 4 min.');
    assert.equal(forecastNews(steady(5 * 60000), shown), true, 'the next minute');
    assert.equal(forecastNews(steady(4 * 60000 + 10000, 0.5), shown), true, 'another R²');
    assert.equal(forecastNews({ verdict: 'collecting', needMs: 30000 }, shown), true, 'another verdict');
    assert.equal(forecastNews(undefined, shown), true);
    assert.equal(forecastNews(shown, undefined), true);
    // The countdown while collecting moves in steps of the quiet wait (15 s): news at each step only.
    const collecting = (needMs: number) => ({ verdict: 'collecting' as const, needMs });
    assert.equal(forecastNews(collecting(30000), collecting(35000)), true, 'another 15 s step');
    assert.equal(forecastNews(collecting(35000), collecting(40000)), false, 'the same 15 s step');
    assert.equal(describeForecast(collecting(35000)).verdict, 'Leak forecast: collecting readings (about 45 s more).');
  });

  it('compares JSON-like values as JSON would serialise them', () => {
    assert.ok(sameJson({ a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 }));
    assert.ok(sameJson({ a: 1, b: undefined }, { a: 1 }));
    assert.ok(!sameJson({ a: 1 }, { a: 2 }));
    assert.ok(!sameJson({ a: [1, 2] }, { a: [1] }));
    assert.ok(!sameJson({ a: { b: 1 } }, { a: { b: 1, c: 0 } }));
    assert.ok(!sameJson([1], { 0: 1 }));
    assert.ok(!sameJson(null, {}));
    assert.ok(!sameJson('1', 1));
  });
});
