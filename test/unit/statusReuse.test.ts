// A process whose statm reads exactly as at the last reading, and its stat too but for its time
// counters, keeps that reading's status, unread, for up to STATUS_MAX_AGE_MS (src/proc/sampleProcess.ts): most watched processes sleep,
// and status is the costliest of the three files to read and parse. Anything that moves a status
// figure moves stat or statm too, so the reuse must never show a figure the kernel no longer has.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { ProcessFiles } from '../../src/proc/processFiles';
import { sampleProcess, STATUS_MAX_AGE_MS } from '../../src/proc/sampleProcess';
import { MiB } from '../../shared/units';
import { copiedFixtureProcess, expectOk, killAllChildren, rewriteFile, startGrowingNode } from './helpers';

describe('status reused while stat and statm stand still', function () {
  this.timeout(10000);
  afterEach(() => killAllChildren());

  it('serves the last status where stat and statm read alike, and reads it again where either moved', () => {
    const { procRoot, dir } = copiedFixtureProcess();
    try {
      const first = expectOk(sampleProcess(1234, { procRoot }));
      // status alone moves: nothing real does that but a uid change; it waits for the next read.
      rewriteFile(dir, 'status', /^VmSwap:\s+\d+ kB$/m, 'VmSwap:\t    9999 kB');
      const still = expectOk(sampleProcess(1234, { procRoot, previous: first }));
      assert.equal(still.status, first.status, 'the same status, unread');
      assert.equal(still.status.vmSwap, 12 * 1024);
      const detailed = expectOk(sampleProcess(1234, { procRoot, previous: still, detail: true }));
      assert.equal(detailed.status, first.status, 'served with detail asked for too');
      assert.ok(detailed.rollup?.ok, 'and the detail is read all the same');
      assert.equal(
        expectOk(sampleProcess(1234, { procRoot })).status.vmSwap,
        9999 * 1024,
        'read without a previous reading',
      );

      // statm's shared pages move (a page of a file mapping copied on write by a debugger): read again.
      rewriteFile(dir, 'statm', /^(\d+ \d+ )(\d+)/, '$1421');
      const afterStatm = expectOk(sampleProcess(1234, { procRoot, previous: still }));
      assert.notEqual(afterStatm.status, first.status);
      assert.equal(afterStatm.status.vmSwap, 9999 * 1024, 'statm moved: status read again');

      // stat moves in its CPU times alone (a process that computes and touches no new page): served.
      rewriteFile(dir, 'status', /^VmSwap:\s+\d+ kB$/m, 'VmSwap:\t    7777 kB');
      assert.equal(expectOk(sampleProcess(1234, { procRoot, previous: afterStatm })).status.vmSwap, 9999 * 1024);
      rewriteFile(dir, 'stat', / 126 0 0 0 0 0 0 0 /, ' 126 0 0 0 512 64 3 1 ');
      const computed = expectOk(sampleProcess(1234, { procRoot, previous: afterStatm }));
      assert.equal(computed.status, afterStatm.status, 'CPU times moved: the same status');

      // Its minor fault count moves (it touched a page, and RSS or the peak may have moved between
      // the readings): read again.
      rewriteFile(dir, 'stat', / 126 0 0 0 512 /, ' 127 0 0 0 512 ');
      const faulted = expectOk(sampleProcess(1234, { procRoot, previous: computed }));
      assert.equal(faulted.status.vmSwap, 7777 * 1024, 'faults moved: status read again');

      // Its state moves: read again.
      rewriteFile(dir, 'status', /^VmSwap:\s+\d+ kB$/m, 'VmSwap:\t    5555 kB');
      rewriteFile(dir, 'stat', / S 1 /, ' R 1 ');
      const afterStat = expectOk(sampleProcess(1234, { procRoot, previous: faulted }));
      assert.equal(afterStat.status.vmSwap, 5555 * 1024, 'stat moved: status read again');
    } finally {
      fs.rmSync(procRoot, { recursive: true, force: true });
    }
  });

  it(`serves it for ${STATUS_MAX_AGE_MS / 1000} s at most`, () => {
    const { procRoot, dir } = copiedFixtureProcess();
    const realNow = Date.now;
    let now = realNow();
    Date.now = () => now;
    try {
      const first = expectOk(sampleProcess(1234, { procRoot }));
      rewriteFile(dir, 'status', /^VmSwap:\s+\d+ kB$/m, 'VmSwap:\t    9999 kB');
      now += STATUS_MAX_AGE_MS - 1;
      const young = expectOk(sampleProcess(1234, { procRoot, previous: first }));
      assert.equal(young.status.vmSwap, 12 * 1024, 'younger than the age: served');
      now += 1;
      const old = expectOk(sampleProcess(1234, { procRoot, previous: young }));
      assert.equal(old.status.vmSwap, 9999 * 1024, 'as old as the age, counted from its read: read again');
    } finally {
      Date.now = realNow;
      fs.rmSync(procRoot, { recursive: true, force: true });
    }
  });

  it('a live process that allocates 64 MiB between two readings shows it in RssAnon at once', async () => {
    const child = await startGrowingNode();
    const files = new ProcessFiles();
    try {
      const before = expectOk(sampleProcess(child.pid, { files }));
      const idle = expectOk(sampleProcess(child.pid, { files, previous: before }));
      child.send('');
      await child.waitForLine('grown');
      const after = expectOk(sampleProcess(child.pid, { files, previous: idle }));
      const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const rssAnon = Number(/^RssAnon:\s+(\d+) kB$/m.exec(status)?.[1]) * 1024;
      assert.ok((after.status.rssAnon ?? 0) - (before.status.rssAnon ?? 0) >= 60 * MiB, 'the allocation is there');
      assert.ok(Math.abs((after.status.rssAnon ?? 0) - rssAnon) < MiB, `${after.status.rssAnon} vs status ${rssAnon}`);
    } finally {
      files.close();
    }
  });
});
