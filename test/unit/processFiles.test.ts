// The Sampler keeps each watched process's stat, statm and status open and reads them again from
// their start (src/proc/processFiles.ts): each reading must be fresh, a reaped process must read
// as gone, and no fd may outlive its watch.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ProcessFiles } from '../../src/proc/processFiles';
import { readIdentity } from '../../src/proc/processIdentity';
import { sampleProcess } from '../../src/proc/sampleProcess';
import { Sampler } from '../../src/proc/sampler';
import { MiB } from '../../shared/units';
import { expectOk, killAllChildren, openFdsWhere, startGrowingNode, startSleep, waitFor } from './helpers';

/** The files this process has open under /proc/PID (what ProcessFiles holds). */
const openUnder = (pid: number) => openFdsWhere((target) => target.startsWith(`/proc/${pid}/`));

describe('ProcessFiles', function () {
  this.timeout(10000);
  afterEach(() => killAllChildren());

  it('reads a file kept open afresh each time: RES after a 64 MiB allocation, as statm says', async () => {
    const child = await startGrowingNode();
    const files = new ProcessFiles();
    try {
      const before = expectOk(sampleProcess(child.pid, { files }));
      child.send('');
      await child.waitForLine('grown');
      const after = expectOk(sampleProcess(child.pid, { files }));
      const statmPages = Number(fs.readFileSync(`/proc/${child.pid}/statm`, 'utf8').split(' ')[1]);
      assert.ok(after.resBytes - before.resBytes >= 60 * MiB, `${before.resBytes} -> ${after.resBytes}`);
      assert.ok(Math.abs(after.resBytes - statmPages * 4096) < MiB, `${after.resBytes} vs statm ${statmPages * 4096}`);
      assert.equal(openUnder(child.pid), 3, 'stat, statm and status, each opened once');
    } finally {
      files.close();
    }
    assert.equal(openUnder(child.pid), 0);
  });

  it('reads each file whole in one read where it fits, and one bigger than the buffer whole too', async () => {
    const child = startSleep();
    const files = new ProcessFiles();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'process-files-'));
    try {
      // Byte for byte what a plain read says, between two plain reads that agree: a process just
      // started still moves (its loader maps and faults in pages), so a read between two that
      // differ proves nothing and is taken again.
      for (const name of ['stat', 'statm', 'status']) {
        const file = `/proc/${child.pid}/${name}`;
        let kept = '';
        let plain = '';
        await waitFor(() => {
          const before = fs.readFileSync(file, 'utf8');
          kept = expectOk(files.read(file)).toString();
          plain = fs.readFileSync(file, 'utf8');
          return before === plain;
        }, `two plain reads of ${name} alike`);
        assert.equal(kept, plain, name);
      }
      // Past the 64 KiB read buffer (no process file is that long, but the read must not stop there).
      const big = path.join(dir, 'big');
      const text = Array.from({ length: 9000 }, (_, i) => `line ${i}`).join('\n');
      fs.writeFileSync(big, text);
      assert.ok(text.length > 64 * 1024);
      assert.equal(expectOk(files.read(big)).toString(), text);
    } finally {
      files.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a process reaped since its files were opened reads as gone', async () => {
    const child = startSleep();
    const files = new ProcessFiles();
    try {
      expectOk(sampleProcess(child.pid, { files }));
      await child.kill();
      const outcome = sampleProcess(child.pid, { files });
      assert.ok(!outcome.ok && outcome.error.kind === 'gone', JSON.stringify(outcome));
    } finally {
      files.close();
    }
  });

  it('the Sampler closes them when nobody watches the process any more, and when it ends', async () => {
    const watched = startSleep();
    const ending = startSleep();
    const sampler = new Sampler({ intervalMs: 25, detailIntervalMs: 1000, historyMinutes: 1 });
    try {
      const readings = new Map<number, number>();
      const ended = new Set<number>();
      const subscriptions = [watched, ending].map((child) =>
        sampler.subscribe(expectOk(readIdentity(child.pid)), {}, (event) => {
          readings.set(child.pid, (readings.get(child.pid) ?? 0) + 1);
          if (event.ended) {
            ended.add(child.pid);
          }
        }),
      );
      await waitFor(() => (readings.get(watched.pid) ?? 0) >= 3 && (readings.get(ending.pid) ?? 0) >= 3, 'readings');
      assert.equal(openUnder(watched.pid), 3);
      assert.equal(openUnder(ending.pid), 3);
      await ending.kill();
      await waitFor(() => ended.has(ending.pid), 'the end of the killed one');
      assert.equal(openUnder(ending.pid), 0, 'closed when it ended');
      subscriptions[0].dispose();
      assert.equal(openUnder(watched.pid), 0, 'closed when nobody watches it');
      subscriptions[1].dispose();
    } finally {
      sampler.dispose();
    }
  });
});
