/**
 * The cost as the user pays it: the extension host's whole CPU time (the time on a CPU of every
 * thread, /proc/self/task/TID/schedstat, read from inside the host) over a window, with the views
 * of a case visible, against the same workbench idle in the same run. Unlike the tick timing in
 * index.ts it includes everything the host does for us outside our own code: serialising each
 * postMessage over the RPC channel, webview round trips, timers and promise callbacks after the
 * tick.
 *
 * During a window the bench itself sleeps on one timer: nothing of its own runs.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Session } from 'node:inspector';
import { constants, PerformanceObserver } from 'node:perf_hooks';

/** Clock ticks per second (utime and stime are counted in them). */
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/**
 * CPU ms this process (all its threads, those ended too) has used since it started, in clock ticks
 * (10 ms): what a window falls back to when one of its threads ended in it (see measureCpuWindow).
 */
function processCpuMs(statPath = '/proc/self/stat'): number {
  const stat = readFileSync(statPath, 'utf8');
  // Fields after the command (which may hold spaces and parentheses): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

/** One window: the share of one core the host used, in percent, and by which of its threads. */
export interface CpuWindow {
  cpuMs: number;
  wallMs: number;
  percent: number;
  /** CPU ms by thread, largest first: "main" (the event loop), the rest summed by name (comm). */
  byThread: [string, number][];
  /** The garbage collections in the window, by kind (minor, major, incremental, weakcb): how many, and their pauses. */
  gc: Map<string, { count: number; ms: number }>;
  /** A thread ended in the window: cpuMs is then stat's, in 10 ms ticks. */
  threadEnded: boolean;
}

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/**
 * CPU ms of each thread of this process, by thread id, with its name: the main thread (the
 * event loop) as "main", since V8's helpers, libuv's pool and worker threads are all called
 * "node" too. From schedstat (ns), not stat: a helper's few ms would round to 10 ms ticks.
 */
function threadCpuMs(): Map<string, { name: string; ms: number }> {
  const threads = new Map<string, { name: string; ms: number }>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const onCpuNs = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      const name = tid === String(process.pid) ? 'main' : readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
      threads.set(tid, { name, ms: onCpuNs / 1e6 });
    } catch {
      // the thread ended meanwhile
    }
  }
  return threads;
}

/** Sleeps `windowMs` on a single timer and returns the host's CPU over it. */
export async function measureCpuWindow(windowMs: number): Promise<CpuWindow> {
  const threadsBefore = threadCpuMs();
  const cpuBefore = processCpuMs();
  const wallBefore = performance.now();
  const gc = new Map<string, { count: number; ms: number }>();
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = GC_KINDS[(entry.detail as { kind: number }).kind] ?? 'other';
      const sum = gc.get(kind) ?? { count: 0, ms: 0 };
      gc.set(kind, { count: sum.count + 1, ms: sum.ms + entry.duration });
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  observer.disconnect();
  const statCpuMs = processCpuMs() - cpuBefore;
  const wallMs = performance.now() - wallBefore;
  const threadsAfter = threadCpuMs();
  // The sum of the threads' schedstat is exact to the ns; stat's utime + stime are 10 ms ticks,
  // and a window's figure is the difference of two readings: +-20 ms, 0.04 % of a core over
  // 45 s, half the 0.1 % target. A thread that ended in the window is only in stat's total.
  const threadEnded = [...threadsBefore.keys()].some((tid) => !threadsAfter.has(tid));
  let cpuMs = 0;
  const byName = new Map<string, number>();
  for (const [tid, after] of threadsAfter) {
    const used = after.ms - (threadsBefore.get(tid)?.ms ?? 0);
    cpuMs += used;
    // A helper that took 5 ms or more by its thread id (created in this order: V8's at start-up,
    // libuv's pool and worker threads later); the rest together.
    const name = after.name === 'main' ? 'main' : used >= 5 ? `${after.name}/${tid}` : `${after.name} (rest)`;
    byName.set(name, (byName.get(name) ?? 0) + used);
  }
  const byThread = [...byName.entries()].filter(([, ms]) => ms >= 1).sort((a, b) => b[1] - a[1]);
  if (threadEnded) {
    cpuMs = statCpuMs;
  }
  return { cpuMs, wallMs, percent: (cpuMs / wallMs) * 100, byThread, gc, threadEnded };
}

/** "node 310 ms, libuv-worker 40 ms": where a window's CPU went, by thread. */
export function formatThreads(window: CpuWindow): string {
  const gc = [...window.gc.entries()].map(([kind, sum]) => `${sum.count} ${kind} ${sum.ms.toFixed(0)} ms`);
  const ended = window.threadEnded ? '; a thread ended: the total in 10 ms ticks' : '';
  return `${window.byThread.map(([name, ms]) => `${name} ${ms.toFixed(0)} ms`).join(', ')} (gc: ${gc.join(', ') || 'none'}${ended})`;
}

/** A case's cost over idle, with its target (percent of a core), for the table. */
export interface CpuResult {
  name: string;
  intervalMs: number;
  visibleSamplesPerSecond: number;
  window: CpuWindow;
  /** Percent of a core over the mean of the idle windows. */
  overIdle: number;
  /** ms of host CPU per visible sample, over idle. */
  perSampleMs: number;
  target?: number;
  /** A program's own CPU (the machine's floor), not the host's. */
  own?: boolean;
}

export function cpuResult(
  name: string,
  intervalMs: number,
  visibleSamples: number,
  window: CpuWindow,
  idlePercent: number,
  target?: number,
): CpuResult {
  const overIdle = window.percent - idlePercent;
  const visibleSamplesPerSecond = (visibleSamples * 1000) / intervalMs;
  return {
    name,
    intervalMs,
    visibleSamplesPerSecond,
    window,
    overIdle,
    perSampleMs: visibleSamplesPerSecond > 0 ? (overIdle * 10) / visibleSamplesPerSecond : 0,
    target,
  };
}

export function formatCpuResult(result: CpuResult): string {
  const verdict =
    result.target === undefined
      ? ''
      : `  target <= ${Number(result.target.toFixed(2))} % ${result.overIdle <= result.target ? 'PASS' : 'FAIL'}`;
  return `${result.name.padEnd(34)} ${String(result.intervalMs).padStart(5)} ms  ${result.own ? 'own ' : 'host'} ${result.window.percent.toFixed(2).padStart(6)} %  over idle ${result.overIdle >= 0 ? '+' : ''}${result.overIdle.toFixed(2)} %  ${result.perSampleMs.toFixed(3)} ms per visible sample${verdict}`;
}

/** A V8 CPU profile (node:inspector) of this host: nodes with their callers' links, samples and their times. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** Profiles this host, sampling every `intervalUs`, while `during` runs. */
export async function takeProfile(intervalUs: number, during: () => Promise<unknown>): Promise<CpuProfile> {
  return withInspector(async (post) => {
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: intervalUs });
    await post('Profiler.start');
    await during();
    return (await post<{ profile: CpuProfile }>('Profiler.stop')).profile;
  });
}

type InspectorPost = <T>(method: string, params?: object) => Promise<T>;

/** Runs `use` with an inspector session on this host, disconnected after. */
async function withInspector<T>(use: (post: InspectorPost) => Promise<T>): Promise<T> {
  const session = new Session();
  session.connect();
  const post: InspectorPost = <R>(method: string, params?: object) =>
    new Promise<R>((resolve, reject) =>
      session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result as R))),
    );
  try {
    return await use(post);
  } finally {
    session.disconnect();
  }
}

/**
 * Where the whole host's time goes over a window (not only inside our ticks): self time by function
 * and script, largest first. Profiling costs CPU itself, so it never runs in a measured window.
 * With `saveAs`, the whole profile is also written there (`.cpuprofile`: Chrome's DevTools open it).
 */
export async function profileWindow(windowMs: number, top = 25, saveAs?: string): Promise<string[]> {
  const profile = await takeProfile(200, () => new Promise((resolve) => setTimeout(resolve, windowMs)));
  if (saveAs) {
    mkdirSync(path.dirname(saveAs), { recursive: true });
    writeFileSync(saveAs, JSON.stringify(profile));
  }
  const byNode = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) {
      parent.set(child, node.id);
    }
  }
  const nameOf = (frame: { functionName: string; url: string; lineNumber: number }) =>
    `${frame.functionName || '(anonymous)'} ${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}`;
  // The whole stack of each sample, by the outermost script frames: who started the work.
  const stacks = new Map<string, number>();
  const self = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i + 1] ?? 0;
    const frame = byNode.get(id);
    if (!frame || frame.functionName === '(idle)' || frame.functionName === '(program)') {
      return;
    }
    const key = nameOf(frame);
    self.set(key, (self.get(key) ?? 0) + us);
    busy += us;
    const chain: string[] = [];
    for (let up: number | undefined = id; up !== undefined; up = parent.get(up)) {
      const upFrame = byNode.get(up);
      if (upFrame?.url) {
        chain.push(nameOf(upFrame));
      }
    }
    const stack = chain.slice(-6).join(' < ');
    stacks.set(stack, (stacks.get(stack) ?? 0) + us);
  });
  return [
    `${(busy / 1000).toFixed(0)} ms of JavaScript in ${windowMs / 1000} s (${((busy / 10 / windowMs) * 1).toFixed(2)} % of a core); self time:`,
    ...[...self.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, us]) => `${(us / 1000).toFixed(1).padStart(8)} ms  ${key}`),
    'by the outermost frames of their stacks:',
    ...[...stacks.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([key, us]) => `${(us / 1000).toFixed(1).padStart(8)} ms  ${key}`),
  ];
}

interface AllocationNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: AllocationNode[];
}

/**
 * What the whole host allocates over a window, by the function that allocated, largest first:
 * what its garbage collector then pays for. Objects already collected count too (V8's sampling heap
 * profiler, one sample per 16 KiB on average).
 */
export async function allocationWindow(windowMs: number, top = 20): Promise<string[]> {
  const head = await withInspector(async (post) => {
    await post('HeapProfiler.enable');
    await post('HeapProfiler.startSampling', {
      samplingInterval: 16384,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    return (await post<{ profile: { head: AllocationNode } }>('HeapProfiler.stopSampling')).profile.head;
  });
  const self = new Map<string, number>();
  let total = 0;
  const visit = (node: AllocationNode) => {
    const frame = node.callFrame;
    const key = `${frame.functionName || '(anonymous)'} ${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + node.selfSize);
    total += node.selfSize;
    node.children.forEach(visit);
  };
  visit(head);
  return [
    `${(total / 1024 / 1024).toFixed(1)} MiB allocated in ${windowMs / 1000} s; by the function that allocated:`,
    ...[...self.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, bytes]) => `${(bytes / 1024).toFixed(0).padStart(8)} KiB  ${key}`),
  ];
}

/**
 * The host's system calls over a window, counted by strace (`HOST_BENCH_STRACE=1`): what it does
 * beyond JavaScript (reads, writes, wakes of its event loop). Only after the CPU window, since
 * tracing slows every call. Returns the busiest calls, or why there are none.
 */
export async function syscallWindow(windowMs: number, top = 14): Promise<string[]> {
  const output = path.join(os.tmpdir(), `proc-memory-strace-${process.pid}-${Date.now()}.txt`);
  const strace = spawn('strace', ['-f', '-c', '-qq', '-o', output, '-p', String(process.pid)], { stdio: 'ignore' });
  const failed = new Promise<string>((resolve) => strace.once('error', (error) => resolve(String(error))));
  const waited = await Promise.race([delay(windowMs).then(() => undefined), failed]);
  if (waited) {
    return [`no syscall count: ${waited}`];
  }
  const ended = new Promise((resolve) => strace.once('exit', resolve));
  strace.kill('SIGINT');
  await ended;
  try {
    // "% time  seconds  usecs/call  calls  errors syscall": the calls column, busiest first.
    const rows = readFileSync(output, 'utf8')
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter(
        (cells) => cells.length >= 5 && /^\d/.test(cells[0]) && /^\d+$/.test(cells[3]) && cells.at(-1) !== 'total',
      )
      .map((cells) => ({ name: cells[cells.length - 1], calls: Number(cells[3]) }))
      .sort((a, b) => b.calls - a.calls);
    const total = rows.reduce((sum, row) => sum + row.calls, 0);
    const perSecond = (calls: number) => ((calls * 1000) / windowMs).toFixed(1);
    return [
      `${perSecond(total)} system calls/s in ${windowMs / 1000} s (all threads, strace -c):`,
      rows
        .slice(0, top)
        .map((row) => `${row.name} ${perSecond(row.calls)}`)
        .join(', '),
    ];
  } finally {
    rmSync(output, { force: true });
  }
}
