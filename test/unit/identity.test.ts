// Vanished processes and reused PIDs, with real processes.
import * as assert from 'assert';
import * as fs from 'fs';
import { errnoToProcError, readProcText } from '../../src/proc/procFile';
import { identityKey, ProcessIdentity, readIdentity, sameProcess, startTimeMs } from '../../src/proc/processIdentity';
import { sampleProcess } from '../../src/proc/sampleProcess';
import { Sampler, SampleEvent } from '../../src/proc/sampler';
import { systemInfo } from '../../src/proc/systemInfo';
import { Child, delay, expectError, expectOk, killAllChildren, startSleep } from './helpers';
import { skipBecause } from '../skip';

const NS_LAST_PID = '/proc/sys/kernel/ns_last_pid';

/**
 * Start times are in clock ticks (10 ms at the usual USER_HZ of 100). Two processes that start
 * in the same tick with the same PID would have the same identity; that takes a PID reused within
 * 10 ms, which normal allocation (wrapping around pid_max) does not do. The tests that end one
 * process and start another make the first live a few ticks so their start times differ.
 */
const A_FEW_TICKS_MS = Math.ceil((3 * 1000) / systemInfo().clockTicks);

describe('live: process identity', function () {
  this.timeout(15000);
  after(killAllChildren);

  it('reads the identity of a live process, and its start time is now', () => {
    const child = startSleep();
    const identity = expectOk(readIdentity(child.pid));
    assert.strictEqual(identity.pid, child.pid);
    const started = startTimeMs(identity, systemInfo().bootTimeMs, systemInfo().clockTicks);
    // btime has a resolution of one second; the child started a moment ago.
    assert.ok(Math.abs(started - Date.now()) < 2000, `started ${Date.now() - started} ms ago`);
    assert.ok(sameProcess(identity, expectOk(readIdentity(child.pid))));
  });

  it('a process that exited is gone, for sampleProcess, readIdentity and every file', async () => {
    const child = startSleep();
    const identity = expectOk(readIdentity(child.pid));
    expectOk(sampleProcess(child.pid, { expected: identity }));
    await child.kill(); // SIGKILL, then Node reaps it: /proc/PID disappears
    expectError(sampleProcess(child.pid, { expected: identity }), 'gone');
    expectError(sampleProcess(child.pid, { expected: identity, detail: true }), 'gone');
    expectError(readIdentity(child.pid), 'gone');
    expectError(readProcText(`/proc/${child.pid}/statm`), 'gone');
  });

  it('a /proc file opened while the process lived answers ESRCH once it exited: gone', async () => {
    const child = startSleep();
    await delay(A_FEW_TICKS_MS);
    const fd = fs.openSync(`/proc/${child.pid}/statm`, 'r');
    try {
      await child.kill();
      let thrown: unknown;
      try {
        fs.readSync(fd, Buffer.alloc(256), 0, 256, null);
      } catch (error) {
        thrown = error;
      }
      assert.strictEqual((thrown as NodeJS.ErrnoException | undefined)?.code, 'ESRCH');
      assert.deepStrictEqual(errnoToProcError(thrown, 'statm'), { kind: 'gone', detail: 'statm' });
    } finally {
      fs.closeSync(fd);
    }
  });

  it('the live process with a different expected start time reads as pid-reused', () => {
    const child = startSleep();
    const identity = expectOk(readIdentity(child.pid));
    for (const startTicks of [identity.startTicks - 1, identity.startTicks + 1, 0]) {
      const error = expectError(sampleProcess(child.pid, { expected: { pid: child.pid, startTicks } }), 'pid-reused');
      assert.ok(error.detail?.includes(String(identity.startTicks)), error.detail);
    }
    expectOk(sampleProcess(child.pid, { expected: identity }));
  });

  it('a process started after another ended never has its identity', async () => {
    const ended: ProcessIdentity[] = [];
    for (let i = 0; i < 5; i++) {
      const child = startSleep();
      ended.push(expectOk(readIdentity(child.pid)));
      await delay(A_FEW_TICKS_MS);
      await child.kill();
    }
    const later = startSleep();
    const identity = expectOk(readIdentity(later.pid));
    for (const old of ended) {
      assert.notStrictEqual(identityKey(identity), identityKey(old));
      assert.ok(!sameProcess(identity, old));
      assert.ok(identity.startTicks > old.startTicks, 'start ticks only grow');
    }
    assert.strictEqual(new Set([...ended, identity].map(identityKey)).size, ended.length + 1);
  });

  it('a PID really reused (forced through ns_last_pid) is told apart from the process that had it', async function () {
    // Writing ns_last_pid (CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE, as root here and in CI) sets
    // the last PID handed out, so the next fork gets the number after it: the PID we just freed.
    try {
      fs.accessSync(NS_LAST_PID, fs.constants.W_OK);
    } catch (error) {
      skipBecause(
        this,
        'ns-last-pid-not-writable',
        `${NS_LAST_PID} is not writable (${(error as NodeJS.ErrnoException).code})`,
      );
    }
    const first = startSleep();
    const old = expectOk(readIdentity(first.pid));
    await delay(A_FEW_TICKS_MS);
    await first.kill();
    expectError(sampleProcess(old.pid, { expected: old }), 'gone');

    let second: Child | undefined;
    for (let attempt = 0; attempt < 10 && !second; attempt++) {
      try {
        fs.writeFileSync(NS_LAST_PID, String(old.pid - 1));
      } catch (error) {
        // e.g. EPERM without the capability, or a read-only /proc/sys in a container.
        skipBecause(
          this,
          'ns-last-pid-not-writable',
          `writing ${NS_LAST_PID} failed (${(error as NodeJS.ErrnoException).code})`,
        );
      }
      const candidate = startSleep();
      if (candidate.pid === old.pid) {
        second = candidate;
      } else {
        await candidate.kill(); // another process forked in between: try again
      }
    }
    if (!second) {
      skipBecause(this, 'environment-race', `other processes took PID ${old.pid} ten times in a row`);
    }

    const now = expectOk(readIdentity(old.pid));
    assert.strictEqual(now.pid, old.pid, 'the same number');
    assert.ok(now.startTicks > old.startTicks, `a later start: ${now.startTicks} vs ${old.startTicks}`);
    assert.notStrictEqual(identityKey(now), identityKey(old));
    const reused = expectError(sampleProcess(old.pid, { expected: old }), 'pid-reused');
    assert.ok(reused.detail?.includes(`PID ${old.pid}`));
    expectOk(sampleProcess(old.pid, { expected: now }));

    // The sampler ends a watch on the old process instead of showing the new one's memory.
    const sampler = new Sampler({ intervalMs: 20, detailIntervalMs: 1000, historyMinutes: 1 });
    try {
      const event = await new Promise<SampleEvent>((resolve) => sampler.subscribe(old, {}, resolve));
      assert.strictEqual(event.ended, true);
      assert.ok(!event.outcome.ok && event.outcome.error.kind === 'pid-reused');
      assert.strictEqual(event.lastSample, undefined);
      assert.strictEqual(sampler.isPolling, false);
    } finally {
      sampler.dispose();
    }
  });
});
