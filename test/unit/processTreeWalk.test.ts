// The tree walk on a fake /proc: re-parented orphans, PID reuse inside the tree, 5 000 processes.
import * as assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { ProcessTreeWalk, SESSION_SCAN_MS } from '../../src/proc/processTreeWalk';
import { FakeProc, fakeProcess, SHARED_PAGES } from './procTreeFixture';

const KiB = 1024;

describe('ProcessTreeWalk', () => {
  let proc: FakeProc;
  let clock: number;
  const now = () => clock;

  beforeEach(() => {
    proc = new FakeProc();
    clock = 1_000_000;
    proc.add(fakeProcess(1, 0, { name: 'init', session: 1, startTicks: 1 }));
    proc.add(fakeProcess(100, 1, { name: 'sh' }));
  });
  afterEach(function () {
    this.timeout(60000);
    proc.remove();
  });

  const walkOf = () => new ProcessTreeWalk({ pid: 100, startTicks: 1100 }, proc.root, now, 4096);

  it('sums RES and PSS over every descendant, children of children included', () => {
    proc.add(fakeProcess(101, 100, { resKiB: 2000, pssKiB: 1500 }));
    proc.add(fakeProcess(102, 100, { resKiB: 3000, pssKiB: 2500 }));
    proc.add(fakeProcess(103, 101, { resKiB: 4000, pssKiB: 3500 }));
    const reading = walkOf().walk();
    assert.deepEqual(reading.members.map((m) => m.identity.pid).sort(), [100, 101, 102, 103]);
    assert.equal(reading.resBytes, (1024 + 2000 + 3000 + 4000) * KiB);
    assert.equal(reading.pssBytes, (512 + 1500 + 2500 + 3500) * KiB);
    assert.equal(reading.shrBytes, 4 * SHARED_PAGES * 4 * KiB);
    assert.equal(reading.pssMissing, 0);
    assert.ok(reading.rootAlive);
  });

  it('names a member by the program it became: a child first seen between its fork and its exec', () => {
    proc.add(fakeProcess(101, 100, { name: 'sh' })); // forked by the shell, not yet exec'd
    const walk = walkOf();
    walk.walk();
    proc.update(101, { name: 'taskTree' });
    walk.walk();
    assert.equal(walk.members.find((member) => member.identity.pid === 101)?.name, 'taskTree');
  });

  it('keeps a grandchild whose parent exited: re-parented to init, named as such; the parent is an exited member with its VmHWM', () => {
    proc.add(fakeProcess(101, 100, { hwmKiB: 9000 }));
    proc.add(fakeProcess(103, 101, { resKiB: 4000, pssKiB: 3500 }));
    const walk = walkOf();
    assert.equal(walk.walk().members.length, 3);
    clock += 1000;
    proc.exit(101);
    const reading = walk.walk();
    assert.deepEqual(reading.members.map((m) => m.identity.pid).sort(), [100, 103]);
    assert.equal(reading.pssBytes, (512 + 3500) * KiB);
    const parent = walk.members.find((m) => m.identity.pid === 101);
    const orphan = walk.members.find((m) => m.identity.pid === 103);
    assert.equal(parent?.exitedAtMs, clock);
    assert.equal(parent?.hwmBytes, 9000 * KiB);
    assert.deepEqual(orphan?.reparentedTo, { pid: 1, name: 'init' });
    assert.equal(orphan?.exitedAtMs, undefined);
  });

  it('keeps a re-parented orphan its children, and follows a subreaper', () => {
    proc.add(fakeProcess(50, 1, { name: 'reaper', session: 50, startTicks: 50 }));
    proc.add(fakeProcess(101, 100));
    proc.add(fakeProcess(103, 101));
    const walk = walkOf();
    walk.walk();
    proc.exit(101, 50);
    proc.add(fakeProcess(104, 103, { pssKiB: 700 }));
    const reading = walk.walk();
    assert.deepEqual(reading.members.map((m) => m.identity.pid).sort(), [100, 103, 104]);
    assert.deepEqual(walk.members.find((m) => m.identity.pid === 103)?.reparentedTo, { pid: 50, name: 'reaper' });
  });

  it('finds, through the session, an orphan whose parent exited before any walk saw it', () => {
    proc.add(fakeProcess(101, 100));
    const walk = walkOf();
    walk.walk();
    // Between two walks 101 forks 105 and exits: 105 was never seen below the root.
    proc.add(fakeProcess(105, 101, { pssKiB: 800 }));
    proc.exit(101);
    // Not ours: another session's process started after the root, under init.
    proc.add(fakeProcess(106, 1, { session: 106 }));
    const reading = walk.walk();
    assert.deepEqual(reading.members.map((m) => m.identity.pid).sort(), [100, 105]);
    assert.deepEqual(walk.members.find((m) => m.identity.pid === 105)?.reparentedTo, { pid: 1, name: 'init' });
  });

  it('finds an orphan whose parent no walk ever saw, within SESSION_SCAN_MS, without any exit seen', () => {
    const walk = walkOf();
    walk.walk();
    // 101 forks 105 and exits before any walk saw either: no member exits in the walk's eyes.
    proc.add(fakeProcess(101, 100));
    proc.add(fakeProcess(105, 101, { pssKiB: 800 }));
    proc.exit(101);
    clock += 100;
    assert.deepEqual(
      walk.walk().members.map((m) => m.identity.pid),
      [100],
      'not yet: the last scan was 100 ms ago',
    );
    clock += SESSION_SCAN_MS;
    assert.deepEqual(
      walk
        .walk()
        .members.map((m) => m.identity.pid)
        .sort(),
      [100, 105],
    );
  });

  it('does not take the new owner of a reused PID for the member that held it', () => {
    proc.add(fakeProcess(101, 100, { hwmKiB: 5000 }));
    const walk = walkOf();
    walk.walk();
    proc.exit(101);
    // The PID comes back as an unrelated process of another session, under init.
    proc.add(fakeProcess(101, 1, { startTicks: 99999, session: 101, name: 'other' }));
    let reading = walk.walk();
    assert.deepEqual(
      reading.members.map((m) => m.identity.pid),
      [100],
    );
    // And again as a new child of the root: a new member, the old one stays exited.
    proc.exit(101);
    proc.add(fakeProcess(101, 100, { startTicks: 123456, name: 'again' }));
    reading = walk.walk();
    assert.deepEqual(reading.members.map((m) => `${m.identity.pid}@${m.identity.startTicks}`).sort(), [
      '100@1100',
      '101@123456',
    ]);
    const held = walk.members.filter((m) => m.identity.pid === 101);
    assert.equal(held.length, 2);
    assert.ok(held[0].exitedAtMs !== undefined && held[0].hwmBytes === 5000 * KiB);
    assert.equal(held[1].exitedAtMs, undefined);
  });

  it('stops at a root whose PID was reused, and counts a zombie as exited', () => {
    proc.add(fakeProcess(101, 100));
    const walk = walkOf();
    walk.walk();
    proc.update(101, { state: 'Z' });
    let reading = walk.walk();
    assert.deepEqual(
      reading.members.map((m) => m.identity.pid),
      [100],
    );
    proc.exit(100);
    proc.add(fakeProcess(100, 1, { startTicks: 5, session: 100 }));
    reading = walk.walk();
    assert.equal(reading.rootAlive, false);
    assert.equal(reading.members.length, 0);
  });

  it('says a member is lost when it is listed but gone before its memory is read, and sums PSS it cannot read as missing', () => {
    proc.add(fakeProcess(101, 100));
    proc.add(fakeProcess(102, 100));
    proc.update(101, { state: 'Z' });
    rmSync(`${proc.root}/102/smaps_rollup`);
    const walk = walkOf();
    const reading = walk.walk();
    assert.equal(reading.pssMissing, 1);
    assert.equal(reading.pssBytes, 512 * KiB);
    assert.equal(walk.members.find((m) => m.identity.pid === 101)?.lost, true);
  });

  it('walks a 5 000-process tree, every member found and summed', function () {
    this.timeout(60000);
    const processes = [];
    // 50 workers under the root, each with 99 children: 5 000 with the workers (and the root).
    for (let w = 0; w < 50; w++) {
      const worker = 1000 + w;
      processes.push(fakeProcess(worker, 100));
      for (let c = 0; c < 99; c++) {
        processes.push(fakeProcess(10000 + w * 100 + c, worker, { pssKiB: 100 + c }));
      }
    }
    proc.addMany(processes);
    const walk = walkOf();
    const started = process.hrtime.bigint();
    const reading = walk.walk();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.equal(reading.members.length, 5001);
    const expectedPss = 512 + 50 * 512 + 50 * Array.from({ length: 99 }, (_, c) => 100 + c).reduce((a, b) => a + b);
    assert.equal(reading.pssBytes, expectedPss * KiB);
    console.log(`      5 001-process fixture tree walked in ${ms.toFixed(0)} ms (cost on a live tree: npm run bench)`);
  });
});
