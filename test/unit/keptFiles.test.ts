// The Sampler's detail readers keep a group's memory files and the pressure files open
// (src/proc/keptFiles.ts): each read must be fresh, a file whose owner went away must read as it
// does now (not as it did when opened), and no fd may outlive its use.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { KEPT_IDLE_MS, KeptFiles } from '../../src/proc/keptFiles';
import { CgroupMemory, readGroup } from '../../src/proc/cgroup';
import { readProcText } from '../../src/proc/procFile';
import { MiB } from '../../shared/units';
import { expectOk, killAllChildren, openFdsWhere, opensOf, readsOf, startGrowingNode, startSleep } from './helpers';

/** The fds this process has open on `path`. */
const openOn = (path: string) => openFdsWhere((target) => target === path);

describe('KeptFiles', function () {
  this.timeout(10000);
  afterEach(() => killAllChildren());

  it('reads a kept file afresh each time: statm after a 64 MiB allocation, as the test reads it', async () => {
    const child = await startGrowingNode();
    const kept = new KeptFiles();
    const path = `/proc/${child.pid}/statm`;
    const resident = () => Number(expectOk(kept.readText(path)).split(' ')[1]) * 4096;
    try {
      const before = resident();
      child.send('');
      await child.waitForLine('grown');
      const after = resident();
      const own = Number(fs.readFileSync(path, 'utf8').split(' ')[1]) * 4096;
      assert.ok(after - before >= 60 * MiB, `${before} -> ${after}`);
      assert.ok(Math.abs(after - own) < MiB, `${after} vs ${own}`);
      assert.equal(openOn(path), 1, 'opened once, kept');
    } finally {
      kept.dispose();
    }
    assert.equal(openOn(path), 0, 'closed by dispose');
  });

  it('a file whose process went away reads as gone, and its fd is closed', async () => {
    const child = startSleep();
    const kept = new KeptFiles();
    const path = `/proc/${child.pid}/stat`;
    try {
      expectOk(kept.read(path));
      assert.equal(kept.keptCount, 1);
      await child.kill();
      const outcome = kept.read(path);
      assert.ok(!outcome.ok && outcome.error.kind === 'gone', JSON.stringify(outcome));
      assert.equal(kept.keptCount, 0);
      assert.equal(openOn(path), 0);
    } finally {
      kept.dispose();
    }
  });

  it('closes a file not read for KEPT_IDLE_MS, and keeps the one still read', () => {
    let nowMs = 0;
    const kept = new KeptFiles(() => nowMs);
    try {
      expectOk(kept.read('/proc/self/statm'));
      expectOk(kept.read('/proc/self/stat'));
      assert.equal(openOn(`/proc/${process.pid}/statm`), 1);
      nowMs = KEPT_IDLE_MS / 2;
      expectOk(kept.read('/proc/self/stat'));
      nowMs = KEPT_IDLE_MS;
      expectOk(kept.read('/proc/self/stat'));
      assert.equal(kept.keptCount, 1, 'statm, last read KEPT_IDLE_MS ago, is closed');
      assert.equal(openOn(`/proc/${process.pid}/statm`), 0);
      assert.equal(openOn(`/proc/${process.pid}/stat`), 1);
    } finally {
      kept.dispose();
    }
  });

  it("reads this process's cgroup as readGroup reads it file by file", function () {
    const v1 = /^\d+:(?:[^:]*,)?memory(?:,[^:]*)?:(\/.*)$/m.exec(fs.readFileSync('/proc/self/cgroup', 'utf8'))?.[1];
    const v2 = /^0::(\/.*)$/m.exec(fs.readFileSync('/proc/self/cgroup', 'utf8'))?.[1];
    const kept = new KeptFiles();
    try {
      const group =
        (v2 !== undefined ? expectOk(readGroup(2, v2, '/sys/fs/cgroup', kept.readText)) : undefined) ??
        (v1 !== undefined ? expectOk(readGroup(1, v1, '/sys/fs/cgroup', kept.readText)) : undefined);
      if (!group) {
        this.skip(); // no memory controller this process can see
      }
      // Twice through the kept files: the second read is of fds kept open by the first.
      let again: CgroupMemory | undefined;
      const opens = opensOf(() => {
        const reads = readsOf(() => {
          again = expectOk(readGroup(group.version, group.path, '/sys/fs/cgroup', kept.readText));
        });
        // One system call a file: each prints as one record, read whole into the 64 KiB buffer.
        assert.equal(reads, kept.keptCount, `${reads} reads of ${kept.keptCount} kept files`);
      });
      assert.deepEqual(opens, [], 'every file kept open');
      const fresh = expectOk(readGroup(group.version, group.path, '/sys/fs/cgroup', readProcText));
      assert.ok(kept.keptCount >= 3, `${kept.keptCount} files kept`);
      for (const read of [again, fresh]) {
        assert.equal(read?.limitBytes, group.limitBytes);
        assert.deepEqual(
          read?.levels.map((level) => [level.path, level.limitFile, level.limitBytes]),
          group.levels.map((level) => [level.path, level.limitFile, level.limitBytes]),
        );
      }
      // Usage moves with every page this host touches: within 64 MiB of the test's own read.
      const usageFile = group.version === 2 ? 'memory.current' : 'memory.usage_in_bytes';
      const dir = `/sys/fs/cgroup${group.version === 1 ? '/memory' : ''}${group.path === '/' ? '' : group.path}`;
      const own = Number(fs.readFileSync(`${dir}/${usageFile}`, 'utf8'));
      assert.ok(Math.abs((again?.currentBytes ?? 0) - own) < 64 * MiB, `${again?.currentBytes} vs ${own}`);
    } finally {
      kept.dispose();
    }
  });
});
