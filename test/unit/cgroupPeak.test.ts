// The kernel's peak of a group, and whether a group holds a tree alone; the job fields of stat.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { isOwnGroup, memoryGroupOf, readCgroupPeak } from '../../src/proc/cgroupPeak';
import { parseStatJob } from '../../src/proc/statJob';

describe('cgroup peak', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'cgroup-peak-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('reads v2 memory.peak and v1 memory.max_usage_in_bytes, and says which', () => {
    mkdirSync(`${root}/task.scope`, { recursive: true });
    writeFileSync(`${root}/task.scope/memory.peak`, '123456789\n');
    mkdirSync(`${root}/memory/job`, { recursive: true });
    writeFileSync(`${root}/memory/job/memory.max_usage_in_bytes`, '987654321\n');
    assert.deepEqual(readCgroupPeak({ version: 2, path: '/task.scope' }, root), {
      ok: true,
      value: { bytes: 123456789, file: 'memory.peak', group: { version: 2, path: '/task.scope' } },
    });
    const v1 = readCgroupPeak({ version: 1, path: '/job' }, root);
    assert.ok(v1.ok && v1.value.bytes === 987654321 && v1.value.file === 'memory.max_usage_in_bytes');
  });

  it('says "unsupported" without the file (v2 before Linux 5.19) and "malformed" on garbage', () => {
    mkdirSync(`${root}/old`, { recursive: true });
    const missing = readCgroupPeak({ version: 2, path: '/old' }, root);
    assert.ok(!missing.ok && missing.error.kind === 'unsupported');
    writeFileSync(`${root}/old/memory.peak`, 'max\n');
    const garbage = readCgroupPeak({ version: 2, path: '/old' }, root);
    assert.ok(!garbage.ok && garbage.error.kind === 'malformed');
  });

  it("a group is the tree's own only when every process in it is a member and it is not the host's", () => {
    mkdirSync(`${root}/memory/job`, { recursive: true });
    writeFileSync(`${root}/memory/job/cgroup.procs`, '10\n11\n');
    const job = { version: 1 as const, path: '/job' };
    assert.equal(isOwnGroup(job, new Set([10, 11, 12]), undefined, root), true);
    assert.equal(isOwnGroup(job, new Set([10]), undefined, root), false);
    assert.equal(isOwnGroup(job, new Set([10, 11]), { version: 1, path: '/job' }, root), false);
  });

  it('finds the memory group of this very process as /proc/self/cgroup names it', () => {
    const group = memoryGroupOf(process.pid);
    const text = readFileSync('/proc/self/cgroup', 'utf8');
    if (group?.version === 1) {
      assert.match(text, new RegExp(`^\\d+:(?:[^:]*,)?memory(?:,[^:]*)?:${group.path.replace(/[.]/g, '\\.')}$`, 'm'));
    } else if (group) {
      assert.match(text, new RegExp(`^0::${group.path.replace(/[.]/g, '\\.')}$`, 'm'));
    }
  });
});

describe('parseStatJob', () => {
  it('reads pgrp, session and tpgid after the last ")"', () => {
    const line = '1234 (evil) name) (x) S 1 1234 6065 34816 5000 4194304 126 0 0 0 0 0 0 0 20 0 1 0 34025 2990080 448';
    assert.deepEqual(parseStatJob(line), { ok: true, value: { pgrp: 1234, session: 6065, tpgid: 5000 } });
    assert.deepEqual(
      parseStatJob('1 (init) S 0 1 1 0 -1 4194560').ok && parseStatJob('1 (init) S 0 1 1 0 -1 4194560'),
      {
        ok: true,
        value: { pgrp: 1, session: 1, tpgid: -1 },
      },
    );
  });

  it('refuses a line without those fields', () => {
    assert.equal(parseStatJob('1 (x) S 0').ok, false);
    assert.equal(parseStatJob('garbage').ok, false);
  });
});
