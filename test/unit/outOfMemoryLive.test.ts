// Will it run out of memory? The engine on real processes in real cgroups (root, with the v1 memory
// controller, as on this hybrid host; elsewhere the cgroup tests skip and say so), every figure
// checked against the kernel's own files or ps, read here by the test:
// - page cache charged to a group raises its usage but not its working set;
// - a process that allocates past its group's limit is OOM-killed, and the sampler says so with the
//   counter that rose; a plain SIGKILL is never called an OOM kill;
// - the OOM score equals /proc; fault rates equal the change of `ps -o min_flt,maj_flt`.
import * as assert from 'node:assert/strict';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readCgroupMemory } from '../../src/proc/cgroup';
import { parseCgroup2Mount, readGroupPressure, readSystemPressure } from '../../src/proc/pressure';
import { sampleProcess } from '../../src/proc/sampleProcess';
import { SampleEvent, Sampler } from '../../src/proc/sampler';
import { expectOk, waitFor } from './helpers';
import { MiB } from '../../shared/units';

const V1_ROOT = '/sys/fs/cgroup/memory';
const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** The test's own v1 memory group, or undefined where there is none (or we are not root). */
function ownV1Group(): string | undefined {
  const own = /^\d+:(?:[^:]*,)?memory(?:,[^:]*)?:(\/.*)$/m.exec(fs.readFileSync('/proc/self/cgroup', 'utf8'))?.[1];
  if (
    process.getuid?.() !== 0 ||
    own === undefined ||
    !fs.existsSync(`${V1_ROOT}${own === '/' ? '' : own}/memory.usage_in_bytes`)
  ) {
    return undefined;
  }
  return own === '/' ? '' : own;
}

let groupCount = 0;

/** A real v1 memory group below ours with a limit; removed by `remove` once its processes are gone. */
function makeGroup(limitBytes: number): {
  path: string;
  dir: string;
  add(pid: number): void;
  read(file: string): string;
  stat(key: string): number;
  remove(): Promise<void>;
} {
  const own = ownV1Group() as string;
  const groupPath = `${own}/proc-memory-oom-${process.pid}-${(groupCount += 1)}`;
  const dir = `${V1_ROOT}${groupPath}`;
  fs.mkdirSync(dir);
  fs.writeFileSync(`${dir}/memory.limit_in_bytes`, String(limitBytes));
  const read = (file: string) => fs.readFileSync(`${dir}/${file}`, 'utf8');
  return {
    path: groupPath,
    dir,
    add: (pid) => fs.writeFileSync(`${dir}/cgroup.procs`, String(pid)),
    read,
    stat: (key) => Number(new RegExp(`^${key} (\\d+)$`, 'm').exec(read('memory.stat'))?.[1]),
    async remove() {
      await waitFor(() => {
        try {
          fs.rmdirSync(dir);
          return true;
        } catch {
          return false;
        }
      }, `removing ${dir}`);
    },
  };
}

/** A Python process that waits for commands on stdin: each line is run, then it answers "ok". */
function startPython(): {
  child: ChildProcess;
  pid: number;
  run(code: string): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
} {
  const script = 'import sys\nheld = []\nfor line in sys.stdin:\n    exec(line)\n    print("ok", flush=True)\n';
  const child = spawn(PYTHON, ['-c', script], { stdio: ['pipe', 'pipe', 'ignore'] });
  let answers = 0;
  child.stdout!.on('data', (data) => (answers += String(data).split('ok').length - 1));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    pid: child.pid as number,
    async run(code) {
      const before = answers;
      child.stdin!.write(`${code}\n`);
      await waitFor(() => answers > before, `python to run ${code}`, 20000);
    },
    exited,
  };
}

describe('out of memory: real processes and cgroups', function () {
  this.timeout(60000);
  const children: ChildProcess[] = [];
  const cleanups: (() => Promise<void>)[] = [];

  afterEach(async () => {
    for (const child of children.splice(0)) {
      child.kill('SIGKILL');
    }
    for (const cleanup of cleanups.splice(0)) {
      await cleanup();
    }
  });

  const needsV1 = (context: Mocha.Context) => {
    if (ownV1Group() === undefined) {
      console.log('      skipped: needs root and a cgroup v1 memory hierarchy at /sys/fs/cgroup/memory');
      context.skip();
    }
  };

  it('page cache read by a process in the group raises its usage, not its working set', async function () {
    needsV1(this);
    const group = makeGroup(512 * MiB);
    cleanups.push(() => group.remove());
    // A fresh 64 MiB file written with O_DIRECT is not in the page cache: whoever reads it next is charged.
    const file = path.join(os.tmpdir(), `proc-memory-cache-${process.pid}.bin`);
    execFileSync('dd', ['if=/dev/urandom', `of=${file}`, 'bs=1M', 'count=64', 'oflag=direct', 'status=none']);
    cleanups.push(async () => fs.rmSync(file, { force: true }));
    const python = startPython();
    children.push(python.child);
    await python.run('pass');
    group.add(python.pid);
    // Both readings bracket the product's, and the group is idle, so they are equal in practice.
    const read = () => {
      const kernelBefore = {
        usage: Number(group.read('memory.usage_in_bytes')),
        inactive: group.stat('total_inactive_file'),
      };
      const memory = expectOk(readCgroupMemory(python.pid));
      const kernelAfter = {
        usage: Number(group.read('memory.usage_in_bytes')),
        inactive: group.stat('total_inactive_file'),
      };
      assert.ok(memory, 'the group is found');
      assert.deepEqual(kernelAfter, kernelBefore, 'the group changed while read; rerun');
      return { memory, kernel: kernelAfter };
    };
    const before = read();
    assert.equal(before.memory.path, group.path);
    assert.equal(before.memory.currentBytes, before.kernel.usage, 'usage = memory.usage_in_bytes');
    assert.equal(
      expectOk(before.memory.workingSet),
      Math.max(0, before.kernel.usage - before.kernel.inactive),
      'working set = usage − total_inactive_file',
    );
    // Read in 1 MiB pieces and dropped: the only lasting charge is the file's pages in the cache.
    await python.run(
      `f = open(${JSON.stringify(file)}, "rb"); [0 for _ in iter(lambda: f.read(1 << 20), b"")]; f.close()`,
    );
    const after = read();
    assert.equal(after.memory.currentBytes, after.kernel.usage);
    assert.equal(expectOk(after.memory.workingSet), Math.max(0, after.kernel.usage - after.kernel.inactive));
    const usageRise = after.memory.currentBytes - before.memory.currentBytes;
    const workingSetRise = expectOk(after.memory.workingSet) - expectOk(before.memory.workingSet);
    assert.ok(usageRise >= 60 * MiB, `usage rose by the page cache: ${usageRise / MiB} MiB`);
    assert.ok(workingSetRise <= 4 * MiB, `working set rose by no more than a few pages: ${workingSetRise / MiB} MiB`);
    // The limit is on the group itself: one level, whose headroom is limit − working set.
    assert.deepEqual(
      after.memory.levels.map((level) => ({ path: level.path, limit: level.limitBytes, file: level.limitFile })),
      [{ path: group.path, limit: 512 * MiB, file: 'memory.limit_in_bytes' }],
    );
    assert.equal(expectOk(after.memory.levels[0].workingSet), expectOk(after.memory.workingSet));
  });

  it('a parent with a smaller limit is the tightest level, and hierarchical_memory_limit agrees', async function () {
    needsV1(this);
    const parent = makeGroup(96 * MiB);
    const childDir = `${parent.dir}/inner`;
    fs.mkdirSync(childDir);
    fs.writeFileSync(`${childDir}/memory.limit_in_bytes`, String(512 * MiB));
    cleanups.push(async () => {
      await waitFor(() => {
        try {
          fs.rmdirSync(childDir);
          return true;
        } catch {
          return false;
        }
      }, 'removing the inner group');
      await parent.remove();
    });
    const python = startPython();
    children.push(python.child);
    await python.run('pass');
    fs.writeFileSync(`${childDir}/cgroup.procs`, String(python.pid));
    await python.run('held.append(b"x" * (16 << 20))');
    // Page cache in the inner group: the parent counts it only in total_inactive_file (its own
    // inactive_file is 0), so reading the wrong key would give the parent a wrong working set.
    const file = path.join(os.tmpdir(), `proc-memory-cache-${process.pid}-inner.bin`);
    execFileSync('dd', ['if=/dev/urandom', `of=${file}`, 'bs=1M', 'count=16', 'oflag=direct', 'status=none']);
    cleanups.unshift(async () => fs.rmSync(file, { force: true }));
    await python.run(
      `f = open(${JSON.stringify(file)}, "rb"); [0 for _ in iter(lambda: f.read(1 << 20), b"")]; f.close()`,
    );
    assert.ok(
      parent.stat('total_inactive_file') >= 15 * MiB && parent.stat('inactive_file') < MiB,
      'the cache is charged below the parent',
    );
    const memory = expectOk(readCgroupMemory(python.pid));
    assert.ok(memory);
    assert.equal(memory.path, `${parent.path}/inner`);
    assert.equal(memory.limitBytes, 96 * MiB);
    assert.equal(
      Number(/^hierarchical_memory_limit (\d+)$/m.exec(fs.readFileSync(`${childDir}/memory.stat`, 'utf8'))?.[1]),
      memory.limitBytes,
      'the kernel agrees on the limit that binds',
    );
    const levels = memory.levels.map((level) => level.path);
    assert.deepEqual(levels, [`${parent.path}/inner`, parent.path]);
    const parentLevel = memory.levels[1];
    const kernelUsage = Number(parent.read('memory.usage_in_bytes'));
    assert.equal(parentLevel.usageBytes, kernelUsage, "the parent's own usage");
    assert.equal(expectOk(parentLevel.workingSet), Math.max(0, kernelUsage - parent.stat('total_inactive_file')));
  });

  /** Watches a process through a real Sampler, ticking by hand; returns the events. */
  function watch(pid: number): { sampler: Sampler; events: SampleEvent[] } {
    const sampler = new Sampler({ intervalMs: 60000, detailIntervalMs: 1000, historyMinutes: 1 });
    const events: SampleEvent[] = [];
    const identity = expectOk(sampleProcess(pid)).identity;
    sampler.subscribe(identity, { detail: true }, (event) => events.push(event));
    cleanups.push(async () => sampler.dispose());
    return { sampler, events };
  }

  it('a process that allocates past its group limit is OOM-killed, and the sampler says so with the counter', async function () {
    needsV1(this);
    const group = makeGroup(48 * MiB);
    cleanups.push(() => group.remove());
    const python = startPython();
    children.push(python.child);
    await python.run('pass');
    group.add(python.pid);
    const { sampler, events } = watch(python.pid);
    await waitFor(
      () => events.some((event) => event.outcome.ok && event.outcome.value.cgroup?.ok === true),
      'a reading with the cgroup',
    );
    const before = Number(/^oom_kill (\d+)$/m.exec(group.read('memory.oom_control'))?.[1]);
    python.child.stdin!.write('while True: held.append(b"x" * (1 << 20))\n');
    const exit = await python.exited;
    assert.equal(exit.signal, 'SIGKILL', 'the kernel killed it');
    const after = Number(/^oom_kill (\d+)$/m.exec(group.read('memory.oom_control'))?.[1]);
    assert.equal(after, before + 1, 'the kernel counted one OOM kill in the group');
    sampler.tick();
    const last = events[events.length - 1];
    assert.equal(last.ended, true);
    assert.deepEqual(last.exitCause, {
      kind: 'oom-kill',
      counter: 'memory.oom_control oom_kill',
      path: group.path,
      before,
      after,
    });
  });

  it('a plain SIGKILL, with no OOM counter change, is not called an OOM kill', async function () {
    needsV1(this);
    const group = makeGroup(256 * MiB);
    cleanups.push(() => group.remove());
    const python = startPython();
    children.push(python.child);
    await python.run('pass');
    group.add(python.pid);
    const { sampler, events } = watch(python.pid);
    await waitFor(
      () => events.some((event) => event.outcome.ok && event.outcome.value.cgroup?.ok === true),
      'a reading with the cgroup',
    );
    python.child.kill('SIGKILL');
    assert.equal((await python.exited).signal, 'SIGKILL');
    sampler.tick();
    const last = events[events.length - 1];
    assert.equal(last.ended, true);
    assert.equal(last.exitCause?.kind, 'unknown');
    assert.match(last.exitCause?.kind === 'unknown' ? last.exitCause.why : '', /oom_kill .* did not rise \(0\)/);
  });

  it('the OOM score and its adjustment equal /proc', async () => {
    const python = startPython();
    children.push(python.child);
    await python.run('pass');
    fs.writeFileSync(`/proc/${python.pid}/oom_score_adj`, '500'); // raising it needs no privilege
    await python.run('held.append(b"x" * (32 << 20))');
    const file = (name: string) => Number(fs.readFileSync(`/proc/${python.pid}/${name}`, 'utf8'));
    const kernelBefore = { score: file('oom_score'), adj: file('oom_score_adj') };
    const sample = expectOk(sampleProcess(python.pid, { detail: true }));
    const kernelAfter = { score: file('oom_score'), adj: file('oom_score_adj') };
    assert.deepEqual(kernelAfter, kernelBefore, 'the score moved while read; rerun');
    assert.deepEqual(expectOk(sample.oomScore!), kernelAfter);
    assert.equal(kernelAfter.adj, 500);
    assert.ok(kernelAfter.score > 667, `adj 500 puts it above an idle process: ${kernelAfter.score}`);
  });

  it('fault rates equal the change of ps -o min_flt,maj_flt over the same interval', async () => {
    const python = startPython();
    children.push(python.child);
    await python.run('pass');
    const sampler = new Sampler({ intervalMs: 60000, detailIntervalMs: 60000, historyMinutes: 1 });
    cleanups.push(async () => sampler.dispose());
    // ps runs right after each reading, in the listener; the Python process sleeps on stdin in between.
    const readings: { event: SampleEvent; ps: { minor: number; major: number } }[] = [];
    sampler.subscribe(expectOk(sampleProcess(python.pid)).identity, {}, (event) => {
      const [minor, major] = execFileSync('ps', ['-o', 'min_flt=,maj_flt=', '-p', String(python.pid)], {
        encoding: 'utf8',
      })
        .trim()
        .split(/\s+/)
        .map(Number);
      readings.push({ event, ps: { minor, major } });
    });
    await waitFor(() => readings.length === 1, 'the first reading');
    await python.run('held.append(bytearray(b"\\x01" * (8 << 20)))'); // 2048 new pages touched
    sampler.tick();
    const [first, second] = readings;
    assert.ok(second.event.outcome.ok && first.event.outcome.ok);
    const sample = second.event.outcome.value;
    assert.deepEqual(sample.faults, second.ps, 'the totals equal ps');
    const rates = sample.faultRates!;
    assert.equal(rates.overMs, sample.timeMs - first.event.outcome.value.timeMs);
    assert.equal(
      Math.round((rates.minorPerSecond * rates.overMs) / 1000),
      second.ps.minor - first.ps.minor,
      'minor faults over the interval',
    );
    assert.equal(
      Math.round((rates.majorPerSecond * rates.overMs) / 1000),
      second.ps.major - first.ps.major,
      'major faults over the interval',
    );
    assert.ok(
      second.ps.minor - first.ps.minor >= 2048,
      `touching 8 MiB faults at least 2048 pages: ${second.ps.minor - first.ps.minor}`,
    );
  });
});

describe('memory pressure (PSI): real files', function () {
  this.timeout(30000);

  /** Reads the product's figure between two readings of the file, until both agree (PSI averages move every 2 s). */
  function bracketed<T>(file: string, read: () => T): { text: string; value: T } {
    for (let attempt = 0; ; attempt++) {
      const before = fs.readFileSync(file, 'utf8');
      const value = read();
      const after = fs.readFileSync(file, 'utf8');
      if (before === after || attempt > 20) {
        assert.equal(after, before, `${file} kept changing`);
        return { text: after, value };
      }
    }
  }

  /** some/full lines of a PSI file, as the kernel prints them. */
  function psiOf(text: string): { some: number[]; full: number[] } {
    const line = (name: string) => {
      const match = new RegExp(`^${name} avg10=([\\d.]+) avg60=([\\d.]+) avg300=([\\d.]+) total=(\\d+)$`, 'm').exec(
        text,
      );
      assert.ok(match, `${name} line in ${text}`);
      return match.slice(1).map(Number);
    };
    return { some: line('some'), full: line('full') };
  }

  it('the system figure equals /proc/pressure/memory', function () {
    if (!fs.existsSync('/proc/pressure/memory')) {
      console.log('      skipped: this kernel has no PSI');
      this.skip();
    }
    const { text, value } = bracketed('/proc/pressure/memory', () => readSystemPressure());
    const reading = expectOk(value);
    const kernel = psiOf(text);
    const { some, full } = reading.pressure;
    assert.deepEqual([some.avg10, some.avg60, some.avg300, some.totalUs], kernel.some);
    assert.deepEqual([full.avg10, full.avg60, full.avg300, full.totalUs], kernel.full);
    assert.equal(reading.file, '/proc/pressure/memory');
  });

  it("the group figure is memory.pressure of the process's group in the v2 hierarchy, found through mountinfo", async function () {
    const mount = parseCgroup2Mount(fs.readFileSync('/proc/self/mountinfo', 'utf8'));
    if (
      process.getuid?.() !== 0 ||
      !mount ||
      mount.root !== '/' ||
      !fs.existsSync(`${mount.mountPoint}/memory.pressure`)
    ) {
      console.log('      skipped: needs root, a cgroup2 mount and PSI');
      this.skip();
    }
    // A group of our own in the unified hierarchy (on this hybrid host it has no memory controller,
    // but PSI is tracked for every group).
    const own = /^0::(\/.*)$/m.exec(fs.readFileSync('/proc/self/cgroup', 'utf8'))?.[1] ?? '/';
    const groupPath = `${own === '/' ? '' : own}/proc-memory-psi-${process.pid}`;
    const dir = `${mount.mountPoint}${groupPath}`;
    fs.mkdirSync(dir);
    const child = spawn('sleep', ['30']);
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      fs.writeFileSync(`${dir}/cgroup.procs`, String(child.pid));
      const { text, value } = bracketed(`${dir}/memory.pressure`, () => readGroupPressure(child.pid as number));
      const reading = expectOk(value);
      assert.equal(reading.path, groupPath);
      assert.equal(reading.file, `${dir}/memory.pressure`);
      const kernel = psiOf(text);
      assert.deepEqual(
        [
          reading.pressure.some.avg10,
          reading.pressure.some.avg60,
          reading.pressure.some.avg300,
          reading.pressure.some.totalUs,
        ],
        kernel.some,
      );
      assert.deepEqual(
        [
          reading.pressure.full.avg10,
          reading.pressure.full.avg60,
          reading.pressure.full.avg300,
          reading.pressure.full.totalUs,
        ],
        kernel.full,
      );
    } finally {
      child.kill('SIGKILL');
      await waitFor(() => {
        try {
          fs.rmdirSync(dir);
          return true;
        } catch {
          return false;
        }
      }, `removing ${dir}`);
    }
  });
});
