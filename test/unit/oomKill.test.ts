// When a process that ended is called OOM-killed: only when the kill counter of its group (or, for a
// v2 group removed with its last process, of the parent) rose between the last reading that found
// it alive and its end. Real kills are in outOfMemoryLive.test.ts; these are the cases a host
// cannot produce on demand (v2 layouts, a removed group, a kernel without the counter, garbage).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CgroupLimitLevel, CgroupMemory, OomCounters, readOomCounters, tightestLevel } from '../../src/proc/cgroup';
import {
  describeOomKill,
  judgeExit,
  OOM_NEAR_SHARE_PERCENT,
  OomCounterReader,
  oomKillNear,
  readOomBaseline,
} from '../../src/proc/oomKill';
import { fail, ok, Outcome } from '../../src/proc/outcome';
import { GiB, MiB } from '../../shared/units';
import { expectError, expectOk, FIXTURE_CGROUP } from './helpers';

/** A cgroup tree in memory whose counters the test changes between readings. */
function fakeTree(counters: Record<string, OomCounters>): OomCounterReader {
  return (_version, groupPath) =>
    counters[groupPath] ? ok({ ...counters[groupPath] }) : fail({ kind: 'unsupported', detail: `no ${groupPath}` });
}

describe('OOM kill verdicts', () => {
  const v2 = (groupPath: string, oomKill: number, oomKillLocal?: number): OomCounters => ({
    version: 2,
    path: groupPath,
    high: 0,
    max: 3,
    oom: oomKill,
    oomKill,
    oomKillLocal,
  });

  it('reads memory.events and memory.events.local of a v2 group (fixture)', () => {
    assert.deepEqual(expectOk(readOomCounters(2, '/app.slice/evil.service', FIXTURE_CGROUP)), {
      version: 2,
      path: '/app.slice/evil.service',
      high: 3,
      max: 17,
      oom: 5,
      oomKill: 4,
      oomKillLocal: 1,
    });
    assert.deepEqual(
      expectOk(readOomCounters(2, '/app.slice', FIXTURE_CGROUP)),
      { version: 2, path: '/app.slice', high: 8, max: 20, oom: 9, oomKill: 7 },
      'no memory.events.local: a kernel before 5.2',
    );
    expectError(readOomCounters(2, '/free.slice', FIXTURE_CGROUP), 'unsupported', 'no memory.events: says which file');
  });

  it('says garbage in memory.events or memory.oom_control is malformed, never 0', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proc-memory-oom-'));
    try {
      fs.mkdirSync(path.join(dir, 'g'));
      fs.mkdirSync(path.join(dir, 'memory', 'g'), { recursive: true });
      for (const garbage of ['<html>502</html>', '', '\u007fELF\u0000\u0001']) {
        fs.writeFileSync(path.join(dir, 'g', 'memory.events'), garbage);
        fs.writeFileSync(path.join(dir, 'memory', 'g', 'memory.oom_control'), garbage);
        expectError(readOomCounters(2, '/g', dir), 'malformed', `memory.events ${JSON.stringify(garbage)}`);
        expectError(readOomCounters(1, '/g', dir), 'malformed', `memory.oom_control ${JSON.stringify(garbage)}`);
      }
      fs.writeFileSync(path.join(dir, 'memory', 'g', 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\n');
      expectError(
        readOomCounters(1, '/g', dir),
        'unsupported',
        'a kernel before 4.13 has no oom_kill in memory.oom_control',
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('calls it an OOM kill when the group’s own count rose, naming memory.events.local', () => {
    const tree = { '/a/b': v2('/a/b', 2, 1), '/a': v2('/a', 2) };
    const baseline = readOomBaseline(2, '/a/b', fakeTree(tree));
    tree['/a/b'] = v2('/a/b', 3, 2);
    const cause = judgeExit(baseline, fakeTree(tree));
    assert.deepEqual(cause, {
      kind: 'oom-kill',
      counter: 'memory.events.local oom_kill',
      path: '/a/b',
      before: 1,
      after: 2,
    });
    assert.match(
      describeOomKill(cause as Extract<typeof cause, { kind: 'oom-kill' }>),
      /^memory\.events\.local oom_kill of cgroup \/a\/b rose by 1 \(1 → 2\) as it ended\. Another process in the group may have been the victim instead\.$/,
    );
  });

  it('does not count a kill in a child group: memory.events counts descendants, memory.events.local does not', () => {
    const tree = { '/a': v2('/a', 0, 0) };
    const baseline = readOomBaseline(2, '/a', fakeTree(tree));
    tree['/a'] = v2('/a', 1, 0); // a process in /a/child was killed
    assert.equal(judgeExit(baseline, fakeTree(tree)).kind, 'unknown');
  });

  it("reads the parent's count when the v2 group went with its last process", () => {
    const tree: Record<string, OomCounters> = { '/a/b': v2('/a/b', 0, 0), '/a': v2('/a', 4) };
    const baseline = readOomBaseline(2, '/a/b', fakeTree(tree));
    delete tree['/a/b'];
    tree['/a'] = v2('/a', 5);
    assert.deepEqual(judgeExit(baseline, fakeTree(tree)), {
      kind: 'oom-kill',
      counter: 'memory.events oom_kill',
      path: '/a',
      before: 4,
      after: 5,
    });
    tree['/a'] = v2('/a', 4);
    const cause = judgeExit(baseline, fakeTree(tree));
    assert.equal(cause.kind, 'unknown', 'the group is gone and the parent did not count a kill');
    assert.match(cause.kind === 'unknown' ? cause.why : '', /its cgroup \/a\/b is gone/);
  });

  it('is never an OOM kill without a counter that rose, or without a baseline', () => {
    const tree = { '/g': { version: 1 as const, path: '/g', oomKillLocal: 3, failcnt: 10 } };
    const baseline = readOomBaseline(1, '/g', fakeTree(tree));
    tree['/g'] = { ...tree['/g'], failcnt: 500 }; // hitting the limit is not a kill
    assert.deepEqual(judgeExit(baseline, fakeTree(tree)), {
      kind: 'unknown',
      why: 'memory.oom_control oom_kill of /g did not rise (3)',
    });
    assert.equal(judgeExit(undefined, fakeTree(tree)).kind, 'unknown');
    assert.equal(readOomBaseline(1, '/missing', fakeTree(tree)), undefined);
  });

  it('calls a kill near from 80 % of a limit on any level, or where a working set cannot be measured', () => {
    const level = (workingSet: Outcome<number>, limitBytes = 100 * MiB) => ({
      path: '/g',
      limitBytes,
      limitFile: 'memory.max',
      usageBytes: 100 * MiB,
      workingSet,
    });
    const group = (levels: CgroupLimitLevel[]): CgroupMemory => ({
      version: 2,
      path: '/g',
      limitBytes: 100 * MiB,
      currentBytes: MiB,
      workingSet: ok(MiB),
      levels,
      tightest: tightestLevel(levels),
      oom: fail({ kind: 'unsupported', detail: 'not read here' }),
    });
    assert.equal(OOM_NEAR_SHARE_PERCENT, 80);
    assert.equal(oomKillNear(group([])), false, 'no limit on the way up');
    assert.equal(oomKillNear(group([level(ok(79.9 * MiB))])), false);
    assert.equal(oomKillNear(group([level(ok(80 * MiB))])), true);
    assert.equal(oomKillNear(group([level(ok(10 * MiB)), level(ok(900 * MiB), GiB)])), true, 'a parent near its own');
    assert.equal(oomKillNear(group([level(fail({ kind: 'permission-denied', detail: 'memory.stat' }))])), true);
  });
});
