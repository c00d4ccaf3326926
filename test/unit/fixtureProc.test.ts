// The engine against a fixture /proc and /sys/fs/cgroup (test/fixtures, described in its README):
// the states a live system will not produce on demand.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readCgroupMemory } from '../../src/proc/cgroup';
import { ok } from '../../src/proc/outcome';
import { readIdentity } from '../../src/proc/processIdentity';
import { scanProcessTable } from '../../src/proc/processTable';
import { readSmapsRollup, readSmapsRollupAsync, sampleProcess } from '../../src/proc/sampleProcess';
import { systemInfo } from '../../src/proc/systemInfo';
import {
  cgroupOf,
  copiedFixtureProcess,
  expectError,
  expectOk,
  FIXTURE_CGROUP,
  FIXTURE_PROC,
  FIXTURES,
} from './helpers';

const procRoot = FIXTURE_PROC;
const EVIL_V2_EVENTS = { high: 3, max: 17, oom: 5, oomKill: 4 };
/** cgroup of PID 1234: memory.high on the group, memory.max on its parent, each level with its working set. */
const EVIL_SERVICE = cgroupOf({
  version: 2,
  path: '/app.slice/evil.service',
  limitBytes: 536870912,
  currentBytes: 123456789,
  workingSet: ok(123456789 - 23456789),
  levels: [
    {
      path: '/app.slice/evil.service',
      limitBytes: 300000000,
      limitFile: 'memory.high',
      usageBytes: 123456789,
      workingSet: ok(100000000),
    },
    {
      path: '/app.slice',
      limitBytes: 536870912,
      limitFile: 'memory.max',
      usageBytes: 200000000,
      workingSet: ok(150000000),
    },
  ],
  oom: ok({ version: 2, path: '/app.slice/evil.service', ...EVIL_V2_EVENTS, oomKillLocal: 1 }),
});
const cgroupRoot = FIXTURE_CGROUP;
const page = systemInfo().pageSize;

describe('engine on the fixture /proc', () => {
  describe('sampleProcess', () => {
    it('reads an ordinary process: RES/VIRT/SHR from statm, the breakdown from status', () => {
      const sample = expectOk(sampleProcess(1234, { procRoot, cgroupRoot }));
      assert.deepStrictEqual(sample.identity, { pid: 1234, startTicks: 34025 });
      assert.strictEqual(sample.name, 'evil) name) (x');
      assert.strictEqual(sample.state, 'S');
      assert.strictEqual(sample.ppid, 1);
      assert.strictEqual(sample.threads, 1);
      assert.strictEqual(sample.memoryless, undefined);
      assert.strictEqual(sample.resBytes, 448 * page);
      assert.strictEqual(sample.virtBytes, 730 * page);
      assert.strictEqual(sample.shrBytes, 422 * page);
      assert.strictEqual(sample.status.vmRSS, 1792 * 1024);
      assert.strictEqual(sample.status.vmSwap, 12 * 1024);
      assert.strictEqual(sample.rollup, undefined, 'no smaps_rollup without detail');
      assert.strictEqual(sample.cgroup, undefined, 'no cgroup without detail');
      assert.ok(Math.abs(sample.timeMs - Date.now()) < 5000);
    });

    it('with detail, adds smaps_rollup and the cgroup', () => {
      const sample = expectOk(sampleProcess(1234, { procRoot, cgroupRoot, detail: true }));
      const rollup = expectOk(sample.rollup!, 'rollup');
      assert.strictEqual(rollup.pss, 181 * 1024);
      assert.strictEqual(rollup.uss, 104 * 1024);
      assert.deepStrictEqual(expectOk(sample.cgroup!, 'cgroup'), EVIL_SERVICE);
      assert.strictEqual(sample.mappings, undefined, 'smaps only when asked for');
    });

    it('with mappings, adds RES by kind of mapping from smaps', () => {
      const sample = expectOk(sampleProcess(1234, { procRoot, cgroupRoot, detail: true, mappings: true }));
      const mappings = expectOk(sample.mappings!, 'mappings');
      assert.strictEqual(mappings.count, 23);
      assert.strictEqual(mappings.categories.program.count, 3, 'exe links to /usr/lib/systemd/evil-daemon');
    });

    it('marks a kernel thread memoryless (PF_KTHREAD) and reads no detail for it', () => {
      const sample = expectOk(sampleProcess(2, { procRoot, cgroupRoot, detail: true, mappings: true }));
      assert.strictEqual(sample.memoryless, 'kernel-thread');
      assert.strictEqual(sample.name, 'kthreadd');
      assert.strictEqual(sample.resBytes, 0);
      assert.strictEqual(sample.virtBytes, 0);
      assert.deepStrictEqual(
        Object.keys(sample.status).filter((key) => /^(vm|rss)/.test(key)),
        [],
        'no Vm/Rss lines',
      );
      assert.strictEqual(sample.rollup, undefined);
      assert.strictEqual(sample.cgroup, undefined);
      assert.strictEqual(sample.mappings, undefined);
    });

    it('marks a zombie memoryless and reads no detail for it', () => {
      const sample = expectOk(sampleProcess(4000, { procRoot, cgroupRoot, detail: true }));
      assert.strictEqual(sample.memoryless, 'zombie');
      assert.strictEqual(sample.state, 'Z');
      assert.strictEqual(sample.resBytes, 0);
      assert.strictEqual(sample.rollup, undefined);
    });

    it('says "unsupported" for smaps_rollup on a kernel older than 4.14, and the rest still works', () => {
      const sample = expectOk(sampleProcess(4100, { procRoot, cgroupRoot, detail: true }));
      assert.strictEqual(sample.resBytes, 448 * page);
      expectError(sample.rollup!, 'unsupported', 'rollup');
      assert.strictEqual(expectOk(sample.cgroup!, 'cgroup'), undefined, 'cgroup v1 only: nothing to show');
    });

    it('reads the rollup in the thread pool as in the tick, and one beyond its one read whole', async () => {
      const { procRoot: root, dir } = copiedFixtureProcess();
      try {
        assert.deepStrictEqual(await readSmapsRollupAsync(1234, root), readSmapsRollup(1234, root));
        // A future kernel's longer rollup: lines this reader does not know, past the 8 KiB of one read.
        const rollup = path.join(dir, 'smaps_rollup');
        const extra = Array.from({ length: 400 }, (_, i) => `Future_${i}:            0 kB`).join('\n');
        fs.writeFileSync(rollup, fs.readFileSync(rollup, 'utf8').replace('Swap:', `${extra}\nSwap:`));
        assert.ok(fs.statSync(rollup).size > 8192);
        const late = expectOk(await readSmapsRollupAsync(1234, root));
        assert.deepStrictEqual(late, expectOk(readSmapsRollup(1234, root)));
        assert.strictEqual(late.swap, 12 * 1024, 'the lines past the first read are there');
        expectError(await readSmapsRollupAsync(4100, procRoot), 'unsupported', 'rollup');
        expectError(await readSmapsRollupAsync(999999, root), 'gone', 'no such process');
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    });

    it('returns malformed for a truncated statm, an HTML status and a truncated stat', () => {
      expectError(sampleProcess(5001, { procRoot }), 'malformed', 'statm');
      expectError(sampleProcess(5002, { procRoot }), 'malformed', 'status');
      expectError(sampleProcess(5003, { procRoot }), 'malformed', 'stat');
    });

    it('keeps the sample when only the detail is broken', () => {
      const badRollup = expectOk(sampleProcess(5004, { procRoot, cgroupRoot, detail: true }));
      expectError(badRollup.rollup!, 'malformed', 'rollup');
      const badPath = expectOk(sampleProcess(5005, { procRoot, cgroupRoot, detail: true }));
      expectError(badPath.cgroup!, 'malformed', 'cgroup path');
      assert.strictEqual(expectOk(badPath.rollup!).pss, 181 * 1024);
    });

    it('returns gone for a PID that is not in a mounted /proc', () => {
      expectError(sampleProcess(999999, { procRoot }), 'gone');
      expectError(readIdentity(999999, procRoot), 'gone');
    });

    it('returns unsupported when there is no /proc at all', () => {
      const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'no-proc-'));
      try {
        expectError(sampleProcess(1, { procRoot: empty }), 'unsupported');
        expectError(sampleProcess(1, { procRoot: path.join(empty, 'missing') }), 'unsupported');
        expectError(scanProcessTable(path.join(empty, 'missing')), 'unsupported');
      } finally {
        fs.rmSync(empty, { recursive: true, force: true });
      }
    });

    it('detects a reused PID from the start time', () => {
      expectError(sampleProcess(1234, { procRoot, expected: { pid: 1234, startTicks: 34024 } }), 'pid-reused');
      expectOk(sampleProcess(1234, { procRoot, expected: { pid: 1234, startTicks: 34025 } }));
    });
  });

  describe('readIdentity', () => {
    it('reads pid and start ticks, also for a comm with ")"', () => {
      assert.deepStrictEqual(expectOk(readIdentity(1234, procRoot)), { pid: 1234, startTicks: 34025 });
      assert.deepStrictEqual(expectOk(readIdentity(2, procRoot)), { pid: 2, startTicks: 25 });
    });

    it('refuses things that are not PIDs without touching the file system', () => {
      for (const pid of [0, -1, 1.5, NaN, Infinity, 2 ** 60]) {
        expectError(readIdentity(pid, procRoot), 'gone', String(pid));
      }
    });

    it('returns malformed for a truncated stat', () => {
      expectError(readIdentity(5003, procRoot), 'malformed');
    });
  });

  describe('a process in do_exit', () => {
    // Between the start of do_exit and the zombie state, /proc shows a process whose memory is gone
    // (statm zeros, no Vm lines) under any state letter: seen in a UI run as "R" with RES 0 B.
    it('is memoryless (ended), never a RES of 0', () => {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'proc-memory-exiting-'));
      try {
        const dir = path.join(root, '4001');
        fs.mkdirSync(dir);
        const zombie = (file: string) => fs.readFileSync(path.join(procRoot, '4000', file), 'utf8');
        // flags 4227084 = 0x40800C: PF_EXITING (0x4) set; state R, as the exiting task still runs.
        fs.writeFileSync(path.join(dir, 'stat'), zombie('stat').replace('4000 (sleep) Z', '4001 (sleep) R'));
        fs.writeFileSync(path.join(dir, 'statm'), zombie('statm'));
        fs.writeFileSync(
          path.join(dir, 'status'),
          zombie('status')
            .replace(/^State:.*$/m, 'State:\tR (running)')
            .replace(/^Pid:.*$/m, 'Pid:\t4001'),
        );
        const sample = expectOk(sampleProcess(4001, { procRoot: root }));
        assert.strictEqual(sample.state, 'R');
        assert.strictEqual(sample.memoryless, 'zombie');
        // Still mapped, but PF_EXITING: its RES is being torn down, so it is not shown as the process's.
        fs.writeFileSync(path.join(dir, 'statm'), '730 448 422 5 0 120 0\n');
        assert.strictEqual(expectOk(sampleProcess(4001, { procRoot: root })).memoryless, 'zombie');
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    });
  });

  describe('readCgroupMemory', () => {
    it('takes the parent number when the child says max; every level with its own working set', () => {
      assert.deepStrictEqual(expectOk(readCgroupMemory(1234, procRoot, cgroupRoot)), EVIL_SERVICE);
    });

    it('finds the level with the least headroom: memory.high of the group, against its working set', () => {
      const memory = expectOk(readCgroupMemory(1234, procRoot, cgroupRoot))!;
      const tightest = memory.tightest!;
      assert.strictEqual(tightest.level.path, '/app.slice/evil.service');
      assert.strictEqual(tightest.level.limitFile, 'memory.high');
      assert.strictEqual(tightest.headroomBytes, 300000000 - (123456789 - 23456789));
    });

    it("takes the smallest limit on the path; a garbage memory.stat makes that level's working set unavailable, not 0", () => {
      const memory = expectOk(readCgroupMemory(4200, procRoot, cgroupRoot))!;
      assert.deepStrictEqual(
        {
          version: memory.version,
          path: memory.path,
          limitBytes: memory.limitBytes,
          currentBytes: memory.currentBytes,
        },
        {
          version: 2,
          path: '/small.slice/tight.service',
          limitBytes: 104857600,
          currentBytes: 52428800,
        },
      );
      expectError(memory.workingSet, 'malformed', 'memory.stat <html>');
      assert.deepStrictEqual(
        memory.levels.map((level) => [
          level.path,
          level.limitBytes,
          level.usageBytes,
          level.workingSet.ok ? level.workingSet.value : level.workingSet.error.kind,
        ]),
        [
          ['/small.slice/tight.service', 104857600, 52428800, 'malformed'],
          ['/small.slice', 1073741824, 60000000, 50000000],
        ],
      );
      // The only level whose headroom is known; the snapshot shows the other as unavailable.
      assert.strictEqual(memory.tightest!.level.path, '/small.slice');
      expectError(memory.oom, 'unsupported', 'no memory.events');
    });

    it('has no limit when every level says max', () => {
      const memory = expectOk(readCgroupMemory(4300, procRoot, cgroupRoot))!;
      assert.strictEqual(memory.limitBytes, undefined);
      assert.strictEqual(memory.currentBytes, 4096);
      assert.strictEqual(expectOk(memory.workingSet), 4096);
      assert.deepStrictEqual(memory.levels, []);
      assert.strictEqual(memory.tightest, undefined);
    });

    it('has nothing to show for cgroup v1 only, or a cgroup not visible here', () => {
      assert.strictEqual(expectOk(readCgroupMemory(4100, procRoot, cgroupRoot)), undefined);
      assert.strictEqual(
        expectOk(readCgroupMemory(1, procRoot, cgroupRoot)),
        undefined,
        '/init.scope has no files in the fixture',
      );
    });

    it('reads the cgroup v1 memory controller where v2 has none (hybrid hosts)', () => {
      // 4:cpu,memory:/app/web; the parent /app is limited to 1 GiB, /app/web says "no limit".
      const memory = expectOk(readCgroupMemory(4400, procRoot, cgroupRoot))!;
      assert.deepStrictEqual(
        {
          version: memory.version,
          path: memory.path,
          limitBytes: memory.limitBytes,
          currentBytes: memory.currentBytes,
          workingSet: memory.workingSet,
        },
        {
          version: 1,
          path: '/app/web',
          limitBytes: 1073741824,
          currentBytes: 52428800,
          workingSet: ok(52428800 - 2428800),
        },
      );
      // hierarchical_memory_limit equals the visible parent's limit: no extra level.
      assert.deepStrictEqual(memory.levels, [
        {
          path: '/app',
          limitBytes: 1073741824,
          limitFile: 'memory.limit_in_bytes',
          usageBytes: 60000000,
          workingSet: ok(50000000),
        },
      ]);
      assert.deepStrictEqual(expectOk(memory.oom), { version: 1, path: '/app/web', oomKillLocal: 4, failcnt: 123 });
    });

    it('v1: a limit on an ancestor we cannot see (a container) comes from hierarchical_memory_limit', () => {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'proc-memory-v1-'));
      try {
        fs.mkdirSync(path.join(root, 'proc', '77'), { recursive: true });
        fs.writeFileSync(path.join(root, 'proc', '77', 'cgroup'), '5:memory:/\n');
        const group = path.join(root, 'cgroup', 'memory');
        fs.mkdirSync(group, { recursive: true });
        fs.writeFileSync(path.join(group, 'memory.usage_in_bytes'), '200000000\n');
        fs.writeFileSync(path.join(group, 'memory.limit_in_bytes'), '9223372036854771712\n');
        fs.writeFileSync(
          path.join(group, 'memory.stat'),
          'total_inactive_file 50000000\nhierarchical_memory_limit 268435456\n',
        );
        const memory = expectOk(readCgroupMemory(77, path.join(root, 'proc'), path.join(root, 'cgroup')))!;
        assert.strictEqual(memory.limitBytes, 268435456);
        assert.deepStrictEqual(memory.levels, [
          {
            path: '/',
            limitBytes: 268435456,
            limitFile: 'hierarchical_memory_limit',
            usageBytes: 200000000,
            workingSet: ok(150000000),
          },
        ]);
        assert.strictEqual(memory.tightest!.headroomBytes, 268435456 - 150000000);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    });

    it('returns malformed for a bad path, memory.max or memory.current', () => {
      expectError(readCgroupMemory(5005, procRoot, cgroupRoot), 'malformed', 'relative path');
      expectError(readCgroupMemory(5006, procRoot, cgroupRoot), 'malformed', 'memory.max "lots"');
      expectError(readCgroupMemory(5007, procRoot, cgroupRoot), 'malformed', 'memory.current HTML');
    });

    it('returns gone when the process has no cgroup file (exited)', () => {
      expectError(readCgroupMemory(999999, procRoot, cgroupRoot), 'gone');
    });

    // In a container with its own cgroup namespace (Docker's default on cgroup v2 hosts),
    // /proc/self/cgroup says "0::/" and the container's --memory limit is memory.max at the root
    // of the cgroup mount. readCgroupMemory never reads `${cgroupRoot}/memory.max` because its
    // walk stops before "/" (on the host the real root has no memory.max, but a namespace root does).
    it('finds the limit of a container at the root of its cgroup namespace', () => {
      const memory = expectOk(readCgroupMemory(5008, procRoot, path.join(FIXTURES, 'cgroup-ns')))!;
      assert.deepStrictEqual(
        {
          version: memory.version,
          path: memory.path,
          limitBytes: memory.limitBytes,
          currentBytes: memory.currentBytes,
        },
        {
          version: 2,
          path: '/',
          limitBytes: 536870912,
          currentBytes: 1048576,
        },
      );
      assert.deepStrictEqual(memory.levels, [
        {
          path: '/',
          limitBytes: 536870912,
          limitFile: 'memory.max',
          usageBytes: 1048576,
          workingSet: ok(1048576 - 48576),
        },
      ]);
      expectError(memory.oom, 'unsupported', 'no memory.events in the fixture');
    });
  });

  describe('scanProcessTable', () => {
    const rows = () => expectOk(scanProcessTable(procRoot));

    it('lists the PID directories it can read and skips broken ones and non-PIDs', () => {
      const pids = rows()
        .map((row) => row.identity.pid)
        .sort((a, b) => a - b);
      // 5001 (bad statm) and 5003 (bad stat) are skipped; 5002's broken status is not read by the scan.
      assert.deepStrictEqual(pids, [1, 2, 1234, 4000, 4100, 4200, 4300, 5002, 5004, 5005, 5006, 5007, 5008, 6000]);
    });

    it('fills each row from stat, statm, cmdline and the directory owner', () => {
      const evil = rows().find((row) => row.identity.pid === 1234)!;
      assert.deepStrictEqual(evil, {
        identity: { pid: 1234, startTicks: 34025 },
        ppid: 1,
        uid: fs.statSync(path.join(procRoot, '1234')).uid,
        name: 'evil) name) (x',
        commandLine: '/usr/bin/sleep 30',
        state: 'S',
        kernelThread: false,
        resBytes: 448 * page,
        virtBytes: 730 * page,
        shrBytes: 422 * page,
      });
    });

    it('flags the kernel thread and keeps the zombie with empty command lines', () => {
      const kthread = rows().find((row) => row.identity.pid === 2)!;
      assert.strictEqual(kthread.kernelThread, true);
      assert.strictEqual(kthread.commandLine, '');
      assert.strictEqual(kthread.resBytes, 0);
      const zombie = rows().find((row) => row.identity.pid === 4000)!;
      assert.strictEqual(zombie.state, 'Z');
      assert.strictEqual(zombie.kernelThread, false);
      assert.strictEqual(zombie.commandLine, '');
    });
  });
});
