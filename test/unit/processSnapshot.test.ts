// What views are given for each state of a process: a figure the kernel refuses or does not have
// is an explained "unavailable", never a 0 that looks like a reading.
import * as assert from 'node:assert/strict';
import { fail, ok } from '../../src/proc/outcome';
import { sampleProcess, ProcessSample } from '../../src/proc/sampleProcess';
import { toSnapshot } from '../../src/processSnapshot';

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
    assert.ok(Math.abs(snapshot.startTimeMs - (Date.now() - process.uptime() * 1000)) < 5000, 'start time from boot time and ticks');
  });

  it('says "permission denied" for PSS and USS the kernel refuses, instead of 0', () => {
    const sample = { ...liveSample(), rollup: fail({ kind: 'permission-denied', detail: '/proc/1/smaps_rollup' }) } as ProcessSample;
    const snapshot = toSnapshot(sample);
    for (const figure of [snapshot.pss, snapshot.uss]) {
      assert.ok('unavailable' in figure);
      assert.match(figure.unavailable, /Permission denied/);
    }
  });

  it('says why the cgroup limit is not shown', () => {
    const none = toSnapshot({ ...liveSample(), cgroup: ok(undefined) } as ProcessSample);
    assert.ok('unavailable' in none.cgroup && /no cgroup memory accounting/.test(none.cgroup.unavailable));
    const unlimited = toSnapshot({ ...liveSample(), cgroup: ok({ version: 2, path: '/user.slice', limitBytes: undefined, currentBytes: 1 }) } as ProcessSample);
    assert.ok('unavailable' in unlimited.cgroup && /no limit/.test(unlimited.cgroup.unavailable));
    const limited = toSnapshot({ ...liveSample(), cgroup: ok({ version: 1, path: '/app', limitBytes: 1 << 30, currentBytes: 1 << 20 }) } as ProcessSample);
    assert.deepEqual(limited.cgroup, { path: '/app', limitBytes: 1 << 30, currentBytes: 1 << 20 });
  });

  it('gives RES by kind of mapping, largest kind first, empty kinds left out, and says why when it cannot', () => {
    const sample = sampleProcess(process.pid, { detail: true, mappings: true });
    assert.ok(sample.ok);
    const snapshot = toSnapshot(sample.value);
    assert.ok('kinds' in snapshot.mappings, JSON.stringify(snapshot.mappings));
    const { kinds, top } = snapshot.mappings;
    assert.ok(kinds.every((row) => row.count > 0));
    assert.ok(kinds.every((row, i) => i === 0 || kinds[i - 1].rssBytes >= row.rssBytes), 'largest RSS first');
    assert.deepEqual(new Set(kinds.map((row) => row.kind)).size, kinds.length);
    assert.ok(kinds.some((row) => row.kind === 'program') && kinds.some((row) => row.kind === 'libraries'));
    assert.ok(top.length === 8 && top.every((row) => typeof row.name === 'string' && row.name.length > 0));

    assert.deepEqual(toSnapshot(liveSample()).mappings, { unavailable: 'not read yet' });
    const refused = toSnapshot({ ...liveSample(), mappings: fail({ kind: 'permission-denied', detail: '/proc/1/smaps' }) } as ProcessSample);
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
