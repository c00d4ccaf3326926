// What several watched processes read alike is read once a tick (src/proc/sharedReads.ts): their
// cgroup's files and OOM counters and the system's pressure, through the real readers on this
// machine's /proc; and the Sampler puts every process's cgroup read on one grid, so that they fall
// in the same tick.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { realDetailReaders } from '../../src/proc/detailReaders';
import { SAME_TICK_MS, SharedReads } from '../../src/proc/sharedReads';
import { A, B, fakeSamplerPerTest, FAKE_SETTINGS } from './samplerFakes';
import { delay, opensOf, waitFor } from './helpers';

describe('SharedReads', () => {
  it('answers from the last read while it is young enough, and reads again after', () => {
    let now = 1000;
    const shared = new SharedReads(() => now);
    let reads = 0;
    const read = () => ++reads;
    assert.equal(shared.get('a', 100, read), 1);
    now += 100;
    assert.equal(shared.get('a', 100, read), 1, 'at its age limit');
    assert.equal(shared.get('b', 100, read), 2, 'another key is another read');
    now += 1;
    assert.equal(shared.get('a', 100, read), 3, 'older than its limit');
  });

  it('keeps a reading for as long as its value allows', () => {
    let now = 1000;
    const shared = new SharedReads(() => now);
    let reads = 0;
    const read = () => ++reads;
    const maxAge = (value: number) => (value === 1 ? 30_000 : 100);
    assert.equal(shared.get('a', maxAge, read), 1);
    now += 20_000;
    assert.equal(shared.get('a', maxAge, read), 1, 'the first reading serves 30 s');
    now += 10_001;
    assert.equal(shared.get('a', maxAge, read), 2);
    now += 101;
    assert.equal(shared.get('a', maxAge, read), 3, 'the second only 100 ms');
  });

  it('asks a hierarchy without the memory controller (v2 on a hybrid host) once in 30 s, not every tick', async function () {
    const readers = realDetailReaders();
    const group = readers.cgroup(process.pid);
    const membership = readFileSync('/proc/self/cgroup', 'utf8');
    if (!group.ok || group.value?.version !== 1 || !/^0::\//m.test(membership)) {
      this.skip(); // not a hybrid host: no v2 path to ask in vain
    }
    try {
      await delay(SAME_TICK_MS + 20);
      let again: ReturnType<typeof readers.cgroup> | undefined;
      const opened = opensOf(() => (again = readers.cgroup(process.pid)));
      assert.ok(again?.ok && again.value?.version === 1);
      assert.notEqual(again.value, group.value, 'the v1 group is read again in the next tick');
      assert.deepEqual(
        opened.filter((path) => path.startsWith('/sys/fs/cgroup/memory.')),
        [],
        'the v2 root was asked again',
      );
      assert.ok(
        opened.some((path) => path.endsWith(`/${process.pid}/cgroup`)),
        `the spy sees what is opened: ${opened}`,
      );
    } finally {
      readers.dispose();
    }
  });

  it('gives two processes of one cgroup the same reading of its files in a tick, and a new one the next tick', async function () {
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const readers = realDetailReaders();
      const mine = readers.cgroup(process.pid);
      const theirs = readers.cgroup(other.pid as number);
      if (!mine.ok || !mine.value) {
        this.skip(); // no cgroup memory controller visible here
      }
      assert.ok(theirs.ok && theirs.value);
      assert.equal(theirs.value.path, mine.value.path, 'the child is in its parent group');
      assert.equal(theirs.value, mine.value, 'one reading of the group for both');
      const pressure = [readers.pressure(process.pid), readers.pressure(other.pid as number)];
      assert.equal(pressure[0].system, pressure[1].system, "one reading of the system's pressure");
      await delay(SAME_TICK_MS + 20);
      const later = readers.cgroup(process.pid);
      assert.ok(later.ok && later.value);
      assert.notEqual(later.value, mine.value, 'read again in the next tick');
      readers.dispose();
    } finally {
      other.kill('SIGKILL');
    }
  });

  it("reads a process's /proc/PID/cgroup once for its cgroup's figures and its pressure in a tick", async function () {
    const readers = realDetailReaders();
    try {
      const membershipOpens = (run: () => void) =>
        opensOf(run).filter((path) => path === `/proc/${process.pid}/cgroup`).length;
      let group: ReturnType<typeof readers.cgroup> | undefined;
      let pressure: ReturnType<typeof readers.pressure> | undefined;
      const opened = membershipOpens(() => {
        group = readers.cgroup(process.pid);
        pressure = readers.pressure(process.pid);
      });
      assert.ok(group?.ok, 'the cgroup was read');
      assert.ok(pressure, 'the pressure was read');
      assert.equal(opened, 1, 'the cgroup file was opened for each reader');
      await delay(SAME_TICK_MS + 20);
      assert.equal(
        membershipOpens(() => readers.cgroup(process.pid)),
        1,
        'the next tick reads it again: a process moved to another group is seen',
      );
    } finally {
      readers.dispose();
    }
  });

  it("reads a group's OOM counters once a tick for baselines, and afresh on every call for an exit's judgement", function () {
    const readers = realDetailReaders();
    const group = readers.cgroup(process.pid);
    if (!group.ok || !group.value || !group.value.oom.ok) {
      this.skip(); // no cgroup memory controller with OOM counters visible here
    }
    const { version, path } = group.value;
    const baseline = readers.oomCounters(version, path);
    assert.ok(baseline.ok);
    assert.equal(readers.oomCounters(version, path), baseline, 'one reading for every process of the group');
    const now = readers.oomCountersNow(version, path);
    assert.ok(now.ok);
    assert.notEqual(now, baseline, "the judgement's read is not the tick's");
    assert.notEqual(readers.oomCountersNow(version, path), now, 'nor the previous judgement');
    assert.equal(now.value.path, path);
    readers.dispose();
  });
});

describe('Sampler: the cgroup reads of all processes on one grid', function () {
  this.timeout(10000);
  const t = fakeSamplerPerTest();

  it('reads the cgroup of a process that came later in the same tick as the others, from its second read on', async () => {
    t.sampler.subscribe(A, { detail: true }, () => undefined);
    await delay(FAKE_SETTINGS.detailIntervalMs * 0.4);
    t.sampler.subscribe(B, { detail: true }, () => undefined);
    const cgroupReads = (pid: number) =>
      t.details.reads.filter((read) => read.what === 'cgroup' && read.pid === pid).map((read) => read.timeMs);
    await waitFor(() => cgroupReads(A.pid).length >= 4 && cgroupReads(B.pid).length >= 3, 'cgroup reads of both');
    const [a, b] = [cgroupReads(A.pid), cgroupReads(B.pid)];
    // After its first read (at once), each read is the first tick at or after a multiple of the interval.
    for (const times of [a.slice(1), b.slice(1)]) {
      for (const [i, time] of times.entries()) {
        const slot = Math.floor(time / FAKE_SETTINGS.detailIntervalMs);
        assert.ok(
          i === 0 || slot > Math.floor(times[i - 1] / FAKE_SETTINGS.detailIntervalMs),
          `one read a slot: ${times}`,
        );
      }
    }
    const shared = b.slice(1).filter((time) => a.includes(time));
    assert.ok(shared.length >= 1, `B's later reads fall in A's ticks: A ${a}, B ${b}`);
  });
});
