// Live comparisons with procps: the numbers the engine reads must be the numbers ps and top print
// for the same process at the same moment.
//
// Tolerance: zero. ps, top and sampleProcess all read the same kernel counters (/proc/PID/statm
// and status: mm->total_vm and the RSS counters), so for a process whose memory does not move they
// must agree to the KiB. To know that it did not move while we looked, every comparison is a
// sandwich: procps before, the engine, procps after. When the two procps readings agree, the
// engine's reading in between must equal them exactly; when they differ (the process was doing
// something), the attempt is retried rather than loosened. The children are idle after they print
// "ready", so the first attempt almost always settles it.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readProcText } from '../../src/proc/procFile';
import { ProcessRow, scanProcessTable } from '../../src/proc/processTable';
import { ProcessSample, sampleProcess } from '../../src/proc/sampleProcess';
import { parseStat } from '../../src/proc/stat';
import { systemInfo } from '../../src/proc/systemInfo';
import {
  Child,
  delay,
  expectError,
  expectOk,
  killAllChildren,
  psMemoryKiB,
  run,
  startChild,
  startNode,
  topMemory,
} from './helpers';
import { skipBecause } from '../skip';
import { KiB, MiB } from '../../shared/units';

const ALLOCATION = 64 * MiB;
const ATTEMPTS = 6;

/**
 * Prints "baseline", and on "alloc" on stdin allocates ALLOCATION bytes filled with 1 (so every
 * page is written, hence resident), keeps it reachable, prints "ready" and idles.
 */
const ALLOCATOR = `
  let kept;
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (data) => {
    if (data.includes('alloc') && !kept) {
      kept = Buffer.alloc(${ALLOCATION}, 1);
      console.log('ready');
    }
  });
  setInterval(() => kept && kept.length, 1 << 30);
  console.log('baseline');
`;

/** Reads the engine between two procps readings until the procps readings agree. */
async function sandwich<P>(
  what: string,
  readProcps: () => P,
  readEngine: () => ProcessSample,
  compare: (procps: P, sample: ProcessSample) => void,
): Promise<void> {
  const seen: string[] = [];
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const before = readProcps();
    const sample = readEngine();
    const after = readProcps();
    if (JSON.stringify(before) === JSON.stringify(after)) {
      compare(before, sample);
      return;
    }
    seen.push(`${JSON.stringify(before)} -> ${JSON.stringify(after)}`);
    await delay(50);
  }
  assert.fail(`${what}: the process never held still for procps:\n${seen.join('\n')}`);
}

/** The comm and state of a live PID from its stat, or undefined. */
function statOf(pid: number): { comm: string; state: string } | undefined {
  const text = readProcText(`/proc/${pid}/stat`);
  const stat = text.ok ? parseStat(text.value) : undefined;
  return stat?.ok ? stat.value : undefined;
}

function sampleOf(pid: number): ProcessSample {
  return expectOk(sampleProcess(pid), `sampleProcess(${pid})`);
}

describe('live: engine vs procps', function () {
  this.timeout(20000);
  let allocator: Child;
  let baseline: ProcessSample;

  before(async () => {
    allocator = startNode(ALLOCATOR);
    await allocator.waitForLine('baseline');
    await delay(100); // let start-up work (JIT, GC threads) finish before the baseline
    baseline = sampleOf(allocator.pid);
    allocator.send('alloc');
    await allocator.waitForLine('ready');
  });

  after(killAllChildren);

  it('RES grew by the 64 MiB that were allocated and written', () => {
    const grown = sampleOf(allocator.pid).resBytes - baseline.resBytes;
    // The buffer is 64 MiB of written anonymous pages: RES must grow by at least that, less
    // the per-CPU lag of the RSS counters since Linux 6.2 (percpu_counter_batch, at least 32
    // pages, per CPU; 64 pages per CPU covers it). Reading the "alloc" line and printing "ready"
    // allocate a little more (JS heap, stream buffers): measured 108 to 372 KiB over 64 MiB here,
    // so 4 MiB above is a generous bound that still catches a wrong unit or a missed allocation.
    const lag = 64 * systemInfo().pageSize * os.cpus().length;
    assert.ok(grown >= ALLOCATION - lag, `RES grew by ${grown} bytes, expected at least ${ALLOCATION - lag}`);
    assert.ok(grown <= ALLOCATION + 4 * MiB, `RES grew by ${grown} bytes, expected about ${ALLOCATION}`);
    // And the growth is anonymous memory, not files.
    const anonGrown = (sampleOf(allocator.pid).status.rssAnon ?? 0) - (baseline.status.rssAnon ?? 0);
    assert.ok(anonGrown >= ALLOCATION - lag, `RssAnon grew by ${anonGrown}`);
  });

  it('resBytes and virtBytes equal ps rss and vsz (KiB)', async () => {
    await sandwich(
      'ps',
      () => psMemoryKiB(allocator.pid),
      () => sampleOf(allocator.pid),
      (ps, sample) => {
        assert.ok(ps, 'ps lists the child');
        assert.strictEqual(sample.resBytes, ps.rssKiB * KiB, 'RES = ps rss');
        assert.strictEqual(sample.virtBytes, ps.vszKiB * KiB, 'VIRT = ps vsz');
        assert.ok(sample.resBytes > ALLOCATION);
      },
    );
  });

  it('shrBytes, resBytes and virtBytes equal top SHR, RES and VIRT', async () => {
    await sandwich(
      'top',
      () => topMemory(allocator.pid),
      () => sampleOf(allocator.pid),
      (top, sample) => {
        // -e k makes top print KiB; a figure too wide for its column comes scaled (roundingKiB > 0).
        const near = (bytes: number, value: { kib: number; roundingKiB: number }, name: string) =>
          assert.ok(
            Math.abs(bytes / KiB - value.kib) <= value.roundingKiB,
            `${name}: engine ${bytes / KiB} KiB, top ${JSON.stringify(value)}`,
          );
        assert.strictEqual(top.shr.roundingKiB, 0, 'top printed SHR in KiB');
        assert.strictEqual(sample.shrBytes, top.shr.kib * KiB, 'SHR = top SHR');
        assert.ok(sample.shrBytes > 0);
        near(sample.resBytes, top.res, 'RES');
        near(sample.virtBytes, top.virt, 'VIRT');
      },
    );
  });

  it('the statm figures equal the status lines read in the same sample', () => {
    const sample = sampleOf(allocator.pid);
    const status = sample.status;
    assert.strictEqual(sample.resBytes, status.vmRSS);
    assert.strictEqual(sample.virtBytes, status.vmSize);
    assert.strictEqual(sample.shrBytes, (status.rssFile ?? NaN) + (status.rssShmem ?? NaN), 'SHR = RssFile + RssShmem');
    assert.strictEqual(sample.resBytes, (status.rssAnon ?? NaN) + sample.shrBytes, 'RES = RssAnon + SHR');
    assert.ok((status.vmHWM ?? 0) >= sample.resBytes, 'peak RES is at least RES');
  });

  it('with detail, smaps_rollup agrees with RES and the buffer shows up in USS', () => {
    const sample = expectOk(sampleProcess(allocator.pid, { detail: true }));
    const rollup = expectOk(sample.rollup!, 'rollup (we are root)');
    // smaps_rollup counts page by page while statm uses the counters: equal within the counter lag.
    const lag = 64 * systemInfo().pageSize * os.cpus().length;
    assert.ok(Math.abs(rollup.rss - sample.resBytes) <= lag, `rollup Rss ${rollup.rss} vs RES ${sample.resBytes}`);
    assert.ok(rollup.uss >= ALLOCATION && rollup.pss >= ALLOCATION, `USS ${rollup.uss}, PSS ${rollup.pss}`);
    assert.ok(rollup.pss <= rollup.rss && rollup.uss <= rollup.pss);
  });

  describe('scanProcessTable vs ps -eo pid,ppid,rss,vsz,comm', () => {
    interface PsRow {
      ppid: number;
      rssKiB: number;
      vszKiB: number;
      comm: string;
    }

    function psTable(): Map<number, PsRow> {
      const table = new Map<number, PsRow>();
      for (const line of run('ps', ['-eo', 'pid=,ppid=,rss=,vsz=,comm=']).split('\n')) {
        const match = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+) (.*)$/.exec(line);
        if (match) {
          table.set(Number(match[1]), {
            ppid: Number(match[2]),
            rssKiB: Number(match[3]),
            vszKiB: Number(match[4]),
            comm: match[5],
          });
        }
      }
      return table;
    }

    let evil: Child;
    let linkDir: string;

    before(async () => {
      // A real process whose comm has spaces and ")": exec `sleep` through a link with that name.
      linkDir = fs.mkdtempSync(path.join(os.tmpdir(), 'proc-memory-comm-'));
      const link = path.join(linkDir, 'evil) name) (x');
      fs.symlinkSync(run('sh', ['-c', 'command -v sleep']).trim(), link);
      evil = startChild(link, ['30']);
      // Wait until the exec is done (the comm is the link's name).
      for (let i = 0; i < 200 && statOf(evil.pid)?.comm !== 'evil) name) (x'; i++) {
        await delay(10);
      }
    });

    after(() => fs.rmSync(linkDir, { recursive: true, force: true }));

    it('the test children and PID 1 have the same ppid, comm, rss and vsz', async () => {
      const targets = [allocator.pid, evil.pid, 1];
      const seen: string[] = [];
      for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
        const before = psTable();
        const rows = new Map(expectOk(scanProcessTable()).map((row): [number, ProcessRow] => [row.identity.pid, row]));
        const after = psTable();
        let settled = true;
        for (const pid of targets) {
          const ps = before.get(pid);
          const row = rows.get(pid);
          assert.ok(ps && row, `PID ${pid} in ps and in the scan`);
          assert.strictEqual(row.ppid, ps.ppid, `ppid of ${pid}`);
          assert.strictEqual(row.name, ps.comm, `comm of ${pid}`);
          if (JSON.stringify(after.get(pid)) !== JSON.stringify(ps)) {
            settled = false; // it moved while we looked: try again
            seen.push(`${pid}: ${JSON.stringify(ps)} -> ${JSON.stringify(after.get(pid))}`);
            continue;
          }
          assert.strictEqual(row.resBytes, ps.rssKiB * KiB, `rss of ${pid}`);
          assert.strictEqual(row.virtBytes, ps.vszKiB * KiB, `vsz of ${pid}`);
        }
        if (settled) {
          assert.strictEqual(rows.get(evil.pid)?.name, 'evil) name) (x');
          assert.strictEqual(rows.get(allocator.pid)?.ppid, process.pid);
          return;
        }
        await delay(50);
      }
      assert.fail(`never settled:\n${seen.join('\n')}`);
    });

    it('every process ps lists before and after the scan is in the scan, with the same memory when it held still', () => {
      const before = psTable();
      const rows = new Map(expectOk(scanProcessTable()).map((row): [number, ProcessRow] => [row.identity.pid, row]));
      const after = psTable();
      let compared = 0;
      for (const [pid, ps] of before) {
        const later = after.get(pid);
        if (!later || later.ppid !== ps.ppid) {
          continue; // exited (or was replaced) around the scan
        }
        const row = rows.get(pid);
        assert.ok(row, `PID ${pid} (${ps.comm}) was there before and after the scan but not in it`);
        assert.strictEqual(row.ppid, ps.ppid, `ppid of ${pid}`);
        if (JSON.stringify(later) === JSON.stringify(ps)) {
          assert.strictEqual(row.resBytes, ps.rssKiB * KiB, `rss of ${pid} (${ps.comm})`);
          assert.strictEqual(row.virtBytes, ps.vszKiB * KiB, `vsz of ${pid} (${ps.comm})`);
          compared++;
        }
      }
      assert.ok(compared >= 3, `only ${compared} processes held still`);
    });
  });

  describe('states a process can be in', () => {
    it('a real zombie is memoryless and ps agrees it has no memory', async () => {
      // sh forks a child that exits at once, then execs sleep, which never reaps it: a zombie
      // until sleep is killed (then PID 1 adopts and reaps it).
      const parent = startChild('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30']);
      let zombiePid = NaN;
      for (let i = 0; i < 300; i++) {
        zombiePid = Number(parent.output().trim().split('\n')[0]);
        if (zombiePid > 0 && statOf(zombiePid)?.state === 'Z') {
          break;
        }
        await delay(10);
      }
      const sample = expectOk(sampleProcess(zombiePid, { detail: true }));
      assert.strictEqual(sample.state, 'Z');
      assert.strictEqual(sample.memoryless, 'zombie');
      assert.strictEqual(sample.resBytes, 0);
      assert.strictEqual(sample.rollup, undefined, 'no smaps_rollup for a zombie');
      assert.deepStrictEqual(psMemoryKiB(zombiePid), { rssKiB: 0, vszKiB: 0 });
      // smaps_rollup of a zombie answers ESRCH although the PID is there: that is why the engine
      // does not read it for memoryless processes.
      expectError(readProcText(`/proc/${zombiePid}/smaps_rollup`), 'gone');
      await parent.kill();
    });

    it('a real kernel thread is memoryless (skipped where no kernel thread is visible)', function () {
      const kthread = expectOk(scanProcessTable()).find((row) => row.kernelThread);
      if (!kthread) {
        skipBecause(this, 'no-kernel-threads-visible', 'no kernel thread in /proc: a PID namespace (container)');
      }
      const sample = expectOk(sampleProcess(kthread.identity.pid, { detail: true }));
      assert.strictEqual(sample.memoryless, 'kernel-thread');
      assert.strictEqual(sample.resBytes, 0);
      assert.strictEqual(sample.virtBytes, 0);
      assert.strictEqual(sample.status.vmRSS, undefined);
      assert.strictEqual(sample.rollup, undefined);
      assert.deepStrictEqual(psMemoryKiB(kthread.identity.pid), { rssKiB: 0, vszKiB: 0 });
    });
  });
});
