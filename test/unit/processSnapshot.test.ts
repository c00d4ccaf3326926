// What views are given for each state of a process: a figure the kernel refuses or does not have
// is an explained "unavailable", never a 0 that looks like a reading.
import { cgroupOf } from './helpers';
import * as assert from 'node:assert/strict';
import { fail, ok } from '../../src/proc/outcome';
import { sampleProcess, ProcessSample } from '../../src/proc/sampleProcess';
import { toSnapshot } from '../../src/core/processSnapshot';

function liveSample(): ProcessSample {
  const sample = sampleProcess(process.pid, { detail: true });
  assert.ok(sample.ok);
  return sample.value;
}

describe('toSnapshot', () => {
  it('gives the figures of a live process, PSS and USS included', () => {
    const snapshot = toSnapshot(liveSample());
    assert.equal(snapshot.pid, process.pid);
    assert.ok(snapshot.resBytes > 0);
    assert.ok('bytes' in snapshot.pss && snapshot.pss.bytes > 0);
    assert.ok('bytes' in snapshot.uss && snapshot.uss.bytes > 0);
    assert.ok('bytes' in snapshot.peakRes && snapshot.peakRes.bytes >= snapshot.resBytes);
    assert.match(snapshot.commandLine, /node|mocha/);
    assert.ok(
      Math.abs(snapshot.startTimeMs - (Date.now() - process.uptime() * 1000)) < 5000,
      'start time from boot time and ticks',
    );
  });

  it('says "permission denied" for PSS and USS the kernel refuses, instead of 0', () => {
    const sample = {
      ...liveSample(),
      rollup: fail({ kind: 'permission-denied', detail: '/proc/1/smaps_rollup' }),
    } as ProcessSample;
    const snapshot = toSnapshot(sample);
    for (const figure of [snapshot.pss, snapshot.uss]) {
      assert.ok('unavailable' in figure);
      assert.match(figure.unavailable, /Permission denied/);
    }
  });

  it('says why the cgroup limit is not shown', () => {
    const none = toSnapshot({ ...liveSample(), cgroup: ok(undefined) } as ProcessSample);
    assert.ok('unavailable' in none.cgroup && /no cgroup memory accounting/.test(none.cgroup.unavailable));
    const base = {
      version: 2 as const,
      path: '/user.slice',
      limitBytes: undefined,
      currentBytes: 3 << 20,
      workingSet: ok(2 << 20),
      levels: [],
      oom: ok({ version: 2 as const, path: '/user.slice', high: 0, max: 5, oom: 0, oomKill: 0 }),
    };
    const unlimited = toSnapshot({ ...liveSample(), cgroup: ok(cgroupOf(base)) } as ProcessSample);
    assert.ok(!('unavailable' in unlimited.cgroup));
    assert.deepEqual(unlimited.cgroup.tightest, { unavailable: 'no limit on its cgroup /user.slice or above' });
    assert.deepEqual(unlimited.cgroup.workingSet, { bytes: 2 << 20 }, 'the working set is shown without a limit too');
    assert.deepEqual(
      unlimited.cgroup.oom,
      {
        path: '/user.slice',
        counters: [
          { key: 'eventsHigh', value: 0, file: 'memory.events high' },
          { key: 'eventsMax', value: 5, file: 'memory.events max' },
          { key: 'eventsOom', value: 0, file: 'memory.events oom' },
          { key: 'oomKill', value: 0, file: 'memory.events oom_kill' },
        ],
      },
      'without memory.events.local, the hierarchical count, named as such',
    );
  });

  it('gives every limited level its headroom against its own working set, and the tightest one', () => {
    const cgroup = {
      version: 1 as const,
      path: '/app/web',
      limitBytes: 1 << 30,
      currentBytes: 900 << 20,
      workingSet: ok(100 << 20),
      levels: [
        {
          path: '/app/web',
          limitBytes: 2 * 2 ** 30,
          limitFile: 'memory.limit_in_bytes',
          usageBytes: 900 << 20,
          workingSet: ok(100 << 20),
        },
        {
          path: '/app',
          limitBytes: 1 << 30,
          limitFile: 'memory.limit_in_bytes',
          usageBytes: 1000 << 20,
          workingSet: ok(800 << 20),
        },
        {
          path: '/',
          limitBytes: 4 * 2 ** 30,
          limitFile: 'memory.limit_in_bytes',
          usageBytes: undefined,
          workingSet: fail({ kind: 'permission-denied' as const, detail: '/sys/fs/cgroup/memory/memory.stat' }),
        },
      ],
      oom: ok({ version: 1 as const, path: '/app/web', oomKillLocal: 2, failcnt: 7 }),
    };
    const snapshot = toSnapshot({ ...liveSample(), cgroup: ok(cgroupOf(cgroup)) } as ProcessSample);
    assert.ok(!('unavailable' in snapshot.cgroup));
    assert.deepEqual(
      snapshot.cgroup.levels.map((level) => level.headroom),
      [
        { bytes: 2 * 2 ** 30 - (100 << 20) },
        { bytes: (1 << 30) - (800 << 20) },
        { unavailable: 'Permission denied: the kernel only shows this to the process owner or root.' },
      ],
    );
    assert.deepEqual(snapshot.cgroup.tightest, {
      path: '/app',
      limitBytes: 1 << 30,
      limitFile: 'memory.limit_in_bytes',
      workingSetBytes: 800 << 20,
      headroomBytes: (1 << 30) - (800 << 20),
    });
    assert.deepEqual(snapshot.cgroup.oom, {
      path: '/app/web',
      counters: [
        { key: 'failcnt', value: 7, file: 'memory.failcnt' },
        { key: 'oomKill', value: 2, file: 'memory.oom_control oom_kill' },
      ],
    });
  });

  it('gives the OOM score with detail, and says why it cannot', () => {
    const snapshot = toSnapshot(liveSample());
    assert.ok('score' in snapshot.oomScore && snapshot.oomScore.score >= 0 && snapshot.oomScore.score <= 2000);
    const garbage = toSnapshot({
      ...liveSample(),
      oomScore: fail({ kind: 'malformed', detail: 'oom_score "<html>"' }),
    } as ProcessSample);
    assert.deepEqual(garbage.oomScore, { unavailable: 'Unexpected content in /proc: oom_score "<html>"' });
    assert.deepEqual(toSnapshot({ ...liveSample(), oomScore: undefined }).oomScore, { unavailable: 'not read yet' });
    assert.deepEqual(toSnapshot(liveSample()).faults, { unavailable: 'needs two readings' });
  });

  it('gives the memory pressure of the system and of the group, each with its file, and says why when it cannot', () => {
    const pressure = {
      some: { avg10: 2.5, avg60: 1, avg300: 0.2, totalUs: 10 },
      full: { avg10: 0.5, avg60: 0.25, avg300: 0, totalUs: 3 },
    };
    const snapshot = toSnapshot({
      ...liveSample(),
      pressure: {
        system: ok({ file: '/proc/pressure/memory', pressure }),
        group: fail({ kind: 'unsupported' as const, detail: 'no cgroup2 hierarchy is mounted' }),
      },
    });
    assert.deepEqual(snapshot.pressure.system, {
      file: '/proc/pressure/memory',
      group: undefined,
      someAvg10: 2.5,
      someAvg60: 1,
      fullAvg10: 0.5,
      fullAvg60: 0.25,
    });
    assert.deepEqual(snapshot.pressure.group, {
      unavailable: 'Not available on this system: no cgroup2 hierarchy is mounted',
    });
    assert.deepEqual(toSnapshot({ ...liveSample(), pressure: undefined }).pressure.system, {
      unavailable: 'not read yet',
    });
  });

  it('gives RES by kind of mapping, largest kind first, empty kinds left out, and says why when it cannot', () => {
    const sample = sampleProcess(process.pid, { detail: true, mappings: true });
    assert.ok(sample.ok);
    const snapshot = toSnapshot(sample.value);
    assert.ok('kinds' in snapshot.mappings, JSON.stringify(snapshot.mappings));
    const { kinds, top } = snapshot.mappings;
    assert.ok(kinds.every((row) => row.count > 0));
    assert.ok(
      kinds.every((row, i) => i === 0 || kinds[i - 1].rssBytes >= row.rssBytes),
      'largest RSS first',
    );
    assert.deepEqual(new Set(kinds.map((row) => row.kind)).size, kinds.length);
    assert.ok(kinds.some((row) => row.kind === 'program') && kinds.some((row) => row.kind === 'libraries'));
    assert.ok(top.length === 8 && top.every((row) => typeof row.name === 'string' && row.name.length > 0));

    assert.deepEqual(toSnapshot(liveSample()).mappings, { unavailable: 'not read yet' });
    const refused = toSnapshot({
      ...liveSample(),
      mappings: fail({ kind: 'permission-denied', detail: '/proc/1/smaps' }),
    } as ProcessSample);
    assert.ok('unavailable' in refused.mappings && /Permission denied/.test(refused.mappings.unavailable));
  });

  it('explains the missing figures of a kernel thread', () => {
    const sample = { ...liveSample(), memoryless: 'kernel-thread', status: {}, rollup: undefined } as ProcessSample;
    const snapshot = toSnapshot(sample);
    assert.equal(snapshot.memoryless, 'kernel-thread');
    assert.ok('unavailable' in snapshot.anon && /kernel thread has no memory/.test(snapshot.anon.unavailable));
    assert.ok('unavailable' in snapshot.pss && /kernel thread/.test(snapshot.pss.unavailable));
    assert.ok('unavailable' in snapshot.mappings && /kernel thread/.test(snapshot.mappings.unavailable));
  });
});
