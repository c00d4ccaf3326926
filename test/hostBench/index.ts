/**
 * `npm run bench:host`: host work per visible sample, measured inside the extension host of a real
 * VS Code (code-server, the same host as the integration suite; loaded as its `extensionTestsPath`).
 *
 * The floor, measured first in this same host: the raw sampleProcess(pid) cost plus an empty
 * postMessage to a visible webview. Then, for the status bar, 1, 10 and 50 visible inspect panels
 * (each on its own process, each in its own editor group) and the debug view, at the issue's
 * settings (sampleIntervalMs 250, an hour of history, full: a user who left it open), every tick
 * of the Sampler's own timer is timed with performance.now(): everything a tick does runs inside
 * it (reading, snapshot, trend, formatting, postMessage). Host work per visible sample = tick time /
 * visible samples; the target is <= 2x the floor. A CPU profile (node:inspector) of the 10-panel
 * ticks says where the time goes. Results also go to bench-results/host-bench.json.
 *
 * Not a test: it always "passes"; read its table. Ends with the INTEGRATION-RESULT line the runner expects.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ProcMemoryApi } from '../../src/extension';
import type { ProcessIdentity } from '../../src/proc/processIdentity';
import { type Detail, rollupInTick, smapsInTick } from '../../src/proc/costlyReads';
import { MachineFloor, machineFloors } from './machineFloor';
import {
  cpuResult,
  CpuResult,
  formatCpuResult,
  formatThreads,
  measureCpuWindow,
  syscallWindow,
  allocationWindow,
  profileWindow,
  takeProfile,
} from './hostCpu';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const TICKS = 80;
const WARMUP_TICKS = 8;
const INTERVAL_MS = 250;
const HISTORY_MINUTES = 60;
/** `HOST_BENCH_CASES=status,debug` runs only those cases (status, panels, debug); all by default. */
const CASES = new Set(
  (process.env.HOST_BENCH_CASES ?? 'cpu,status,panels,debug').split(',').map((name) => name.trim()),
);
/** The window over which the host's whole CPU is read for each case of the 'cpu' set. */
const CPU_WINDOW_MS = Number(process.env.HOST_BENCH_WINDOW_S ?? 45) * 1000;
/**
 * `HOST_BENCH_CPU_ONLY='10 panels 250'` measures only the CPU cases whose "name interval" holds it;
 * several, comma-separated: `'1 panel 1000,10 panels 1000'`.
 */
const CPU_ONLY = process.env.HOST_BENCH_CPU_ONLY?.split(',').map((part) => part.trim());
/**
 * `HOST_BENCH_REPEAT=3` measures each CPU case (its idle window, then the case) three times and
 * reports the median: the workbench's own idle varies by about 0.2 % of a core between windows.
 */
const REPEATS = Math.max(1, Number(process.env.HOST_BENCH_REPEAT ?? 1));
/**
 * Time for a case to settle before its window starts: panels drawn, and the costly reads past
 * their start (the first three smaps reads of a process, whose cost is still unknown, go to the
 * worker; at the default 5 s detail interval the third is 10 s in). The window is the steady cost.
 */
const CPU_SETTLE_MS = 20000;

interface Result {
  name: string;
  visibleSamples: number;
  tickMedianMs: number;
  tickP90Ms: number;
  perSampleMs: number;
  /** Against the floor timed in a hot loop. */
  ratio: number;
  /** Against the floor timed once per 250 ms, as a tick runs (cold caches, like the tick). */
  pacedRatio: number;
}

const children: ChildProcess[] = [];

function log(line: string): void {
  console.log(`[host-bench] ${line}`);
}

async function api(): Promise<ProcMemoryApi> {
  const extension = vscode.extensions.getExtension<ProcMemoryApi>('proc-memory.proc-memory');
  if (!extension) {
    throw new Error('proc-memory.proc-memory is not loaded');
  }
  return extension.activate();
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = 60000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await delay(50);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function p90(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.9 * sorted.length) - 1)];
}

/**
 * Where the costly reads of the watched processes run now: in the tick, or off it (the thread
 * pool, the smaps worker), which costs the host's other threads and an event of its own.
 */
function whereCostlyReadsRun(extension: ProcMemoryApi): string {
  const targets = [...(extension.sampler as unknown as { targets: Map<string, { detail: Detail }> }).targets.values()];
  const costs = (read: Detail['smaps'] | Detail['rollup']) => read.costs.map((ms) => ms.toFixed(2)).join('/');
  const inTick = (which: 'rollup' | 'smaps') =>
    targets.filter(({ detail }) => (which === 'rollup' ? rollupInTick(detail) : smapsInTick(detail.smaps))).length;
  return `costly reads in the tick: rollup ${inTick('rollup')}, smaps ${inTick('smaps')} of ${targets.length} (ms: ${targets
    .map(({ detail }) => `${costs(detail.rollup)} ${costs(detail.smaps)}`)
    .join(', ')})`;
}

/** Processes to watch: `sleep`, each its own (one panel per process). */
async function sleepers(count: number, extension: ProcMemoryApi): Promise<ProcessIdentity[]> {
  const identities: ProcessIdentity[] = [];
  for (let i = 0; i < count; i++) {
    const child = spawn('sleep', ['3600'], { stdio: 'ignore' });
    children.push(child);
    const pid = child.pid as number;
    const identity = await waitFor(`sleep ${pid}`, () => {
      const sample = extension.sampleProcess(pid);
      return sample.ok && sample.value.name === 'sleep' ? sample.value.identity : undefined;
    });
    identities.push(identity);
  }
  return identities;
}

/** Times `operation` per call: median ms over `rounds` batches of `perBatch`. */
function timePerCall(rounds: number, perBatch: number, operation: () => unknown): number {
  for (let i = 0; i < perBatch * 5; i++) {
    operation();
  }
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const started = performance.now();
    for (let i = 0; i < perBatch; i++) {
      operation();
    }
    samples.push((performance.now() - started) / perBatch);
  }
  return median(samples);
}

/**
 * The floor: sampleProcess + an empty postMessage to a visible webview, timed in a hot loop
 * (`sampleMs + postMs`), and the same pair timed once per 250 ms (`pacedMs`), as a tick runs it:
 * after 250 ms of idle the first reads are slower (cold caches), and a tick with one process pays
 * that as well, so that is the fair floor for one visible sample.
 */
async function floor(
  extension: ProcMemoryApi,
  pid: number,
): Promise<{ sampleMs: number; postMs: number; pacedMs: number }> {
  const sampleMs = timePerCall(30, 200, () => extension.sampleProcess(pid));
  // An empty postMessage to a visible webview: the cheapest thing a view can do per sample.
  const panel = vscode.window.createWebviewPanel('procMemoryBench.empty', 'empty', vscode.ViewColumn.Active, {
    enableScripts: true,
  });
  panel.webview.html =
    '<!DOCTYPE html><html><body><script>acquireVsCodeApi().postMessage("ready")</script>empty</body></html>';
  await new Promise<void>((resolve) => panel.webview.onDidReceiveMessage(() => resolve()));
  const posts: number[] = [];
  for (let r = 0; r < 30; r++) {
    const started = performance.now();
    for (let i = 0; i < 20; i++) {
      void panel.webview.postMessage({});
    }
    posts.push((performance.now() - started) / 20);
    await delay(15);
  }
  const paced: number[] = [];
  for (let i = 0; i < TICKS; i++) {
    await delay(INTERVAL_MS);
    const started = performance.now();
    extension.sampleProcess(pid);
    void panel.webview.postMessage({});
    paced.push(performance.now() - started);
  }
  panel.dispose();
  return { sampleMs, postMs: median(posts), pacedMs: median(paced) };
}

/**
 * Calls `record` with the time of every tick of the Sampler (each reading, and each view's and
 * observer's handling of it) until the returned function restores the tick.
 */
function onEachTick(extension: ProcMemoryApi, record: (ms: number) => void): () => void {
  const sampler = extension.sampler;
  const original = sampler.tick;
  // Named so the CPU profile can keep only what runs inside a tick (see profileTicks).
  sampler.tick = function benchTimedTick(this: typeof sampler) {
    const started = performance.now();
    original.call(this);
    record(performance.now() - started);
  };
  return () => (sampler.tick = original);
}

/** Times the next `count` ticks of the Sampler's own timer, after WARMUP_TICKS. */
async function timeTicks(extension: ProcMemoryApi, count = TICKS): Promise<number[]> {
  const times: number[] = [];
  let seen = 0;
  const restore = onEachTick(extension, (ms) => {
    if (seen++ >= WARMUP_TICKS) {
      times.push(ms);
    }
  });
  try {
    await waitFor(`${count} ticks`, () => times.length >= count, 10 * count * INTERVAL_MS);
  } finally {
    restore();
  }
  return times;
}

/** Fills the history of each process with an hour of points, as after an hour of watching. */
function fillHistories(extension: ProcMemoryApi, identities: ProcessIdentity[]): void {
  for (const identity of identities) {
    const history = extension.sampler.history(identity);
    const latest = history?.latest();
    if (!history || !latest) {
      continue;
    }
    const now = Date.now();
    for (let i = history.capacity; i > 0; i--) {
      history.push({ ...latest, timeMs: now - i * INTERVAL_MS, resBytes: latest.resBytes + (i % 7) * 4096 });
    }
  }
}

/**
 * A CPU profile of `ticks` ticks: self time by function, largest first, of the samples taken inside
 * a tick only. The whole host also runs the debug adapter, the workbench's RPC and other extensions,
 * whose time says nothing about ours.
 */
async function profileTicks(extension: ProcMemoryApi, ticks: number): Promise<string[]> {
  const profile = await takeProfile(50, () => timeTicks(extension, ticks));
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) {
      parent.set(child, node.id);
    }
  }
  const inTick = new Map<number, boolean>();
  const isInTick = (id: number): boolean => {
    const known = inTick.get(id);
    if (known !== undefined) {
      return known;
    }
    const up = parent.get(id);
    const value = byNode.get(id)?.callFrame.functionName === 'benchTimedTick' || (up !== undefined && isInTick(up));
    inTick.set(id, value);
    return value;
  };
  const keyOf = (frame: { functionName: string; url: string; lineNumber: number }) =>
    `${frame.functionName || '(anonymous)'} ${path.basename(frame.url)}:${frame.lineNumber + 1}`;
  const self = new Map<string, number>();
  // Inclusive time of the extension's own functions (the bundle), to see which subscriber costs what.
  const inclusive = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    // timeDeltas[i] is the time before sample i; the time of sample i is the next delta.
    const us = profile.timeDeltas[i + 1] ?? 0;
    const frame = byNode.get(id)?.callFrame;
    if (!frame || !isInTick(id)) {
      return;
    }
    const key = keyOf(frame);
    self.set(key, (self.get(key) ?? 0) + us);
    total += us;
    const seen = new Set<string>();
    for (let up: number | undefined = id; up !== undefined; up = parent.get(up)) {
      const upFrame = byNode.get(up)?.callFrame;
      if (!upFrame || upFrame.functionName === 'benchTimedTick') {
        break;
      }
      const upKey = keyOf(upFrame);
      if (upFrame.url.endsWith('extension.js') && !seen.has(upKey)) {
        seen.add(upKey);
        inclusive.set(upKey, (inclusive.get(upKey) ?? 0) + us);
      }
    }
  });
  const top = (times: Map<string, number>, count: number) =>
    [...times.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(
        ([key, us]) =>
          `${((us / total) * 100).toFixed(1).padStart(5)} %  ${(us / 1000 / ticks).toFixed(3)} ms/tick  ${key}`,
      );
  return [
    `${(total / 1000 / ticks).toFixed(3)} ms/tick sampled inside ticks; self time:`,
    ...top(self, 18),
    'inclusive time of the extension own functions:',
    ...top(inclusive, 14),
  ];
}

async function measure(
  name: string,
  extension: ProcMemoryApi,
  identities: ProcessIdentity[],
  visibleSamples: number,
  base: { hotMs: number; pacedMs: number },
  results: Result[],
): Promise<void> {
  fillHistories(extension, identities);
  const times = await timeTicks(extension);
  const tickMedianMs = median(times);
  const perSampleMs = tickMedianMs / visibleSamples;
  const result = {
    name,
    visibleSamples,
    tickMedianMs,
    tickP90Ms: p90(times),
    perSampleMs,
    ratio: perSampleMs / base.hotMs,
    pacedRatio: perSampleMs / base.pacedMs,
  };
  results.push(result);
  const verdict = (ratio: number) => `${ratio.toFixed(2)}x ${ratio <= 2 ? 'PASS' : 'FAIL'}`;
  log(
    `${name.padEnd(24)} tick ${tickMedianMs.toFixed(3)} ms (p90 ${result.tickP90Ms.toFixed(3)}), ${visibleSamples} visible -> ${perSampleMs.toFixed(3)} ms per sample = ${verdict(result.ratio)} hot floor, ${verdict(result.pacedRatio)} paced floor`,
  );
}

/**
 * Opens one inspect panel per process, each in an editor group of its own so that all are visible:
 * a grid of up to 10 groups a row (the runner's window is 2560 x 1440, so 50 groups stay above
 * VS Code's smallest editor size).
 */
async function openPanels(extension: ProcMemoryApi, identities: ProcessIdentity[]): Promise<void> {
  await layOutGroups(identities.length);
  for (const [i, identity] of identities.entries()) {
    // Opened in the active group, then moved to its own: column N is the N-th group of the grid.
    extension.panels.show(identity)?.panel.reveal((i + 1) as vscode.ViewColumn, true);
    await delay(100);
  }
  // Some pages may never load here: code-server serves every webview from one origin and so one
  // service worker scope, and a page that finds another page's worker in control waits for a
  // controllerchange that may never come (its console: "Found unexpected service worker
  // controller"). Opening them one at a time, or opening another page later, did not help: such a
  // panel is closed and opened again instead.
  const loaded = (panel: (typeof extension.panels.open)[number]) =>
    panel.panel.visible && panel.pageReady && panel.lastSnapshot !== undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      await waitFor(
        'every panel visible, its page loaded, with figures',
        () => extension.panels.open.length === identities.length && extension.panels.open.every(loaded),
        attempt < 4 ? 30000 : 60000,
      );
      break;
    } catch (error) {
      const open = extension.panels.open;
      const stuck = open.filter((panel) => !panel.pageReady);
      log(
        `${open.length} panels open, ${open.filter((panel) => panel.panel.visible).length} visible, ${open.filter((panel) => panel.pageReady).length} pages loaded, ${open.filter((panel) => panel.lastSnapshot).length} with figures (attempt ${attempt})`,
      );
      if (attempt >= 4 || stuck.length === 0) {
        throw error;
      }
      for (const panel of stuck) {
        const column = panel.panel.viewColumn ?? vscode.ViewColumn.Active;
        panel.panel.dispose();
        await waitFor('the stuck panel gone', () => !extension.panels.open.includes(panel), 10000);
        extension.panels.show(panel.identity)?.panel.reveal(column, true);
        await delay(100);
      }
    }
  }
  await delay(500);
}

async function closeAll(extension: ProcMemoryApi): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  await vscode.commands.executeCommand('workbench.action.closeAllGroups');
  extension.focus.stopWatching();
  await waitFor('nothing polled', () => !extension.sampler.isPolling, 20000);
}

/** One editor group per view, ten to a row: column N is the N-th group of the grid. */
async function layOutGroups(count: number): Promise<void> {
  const perRow = Math.min(10, count);
  const rows = Math.ceil(count / perRow);
  const groups = Array.from({ length: rows }, (_, row) => ({
    groups: Array.from({ length: Math.min(perRow, count - row * perRow) }, () => ({})),
  }));
  await vscode.commands.executeCommand('vscode.setEditorLayout', { orientation: 1, groups });
}

/** An empty page in `column`, and when it has loaded (it says so). */
function openEmptyPage(
  column: vscode.ViewColumn,
  title: string,
): { panel: vscode.WebviewPanel; loaded: Promise<void> } {
  const panel = vscode.window.createWebviewPanel('procMemoryBench.floor', title, column, { enableScripts: true });
  const loaded = new Promise<void>((resolve) => panel.webview.onDidReceiveMessage(() => resolve()));
  panel.webview.html =
    '<!DOCTYPE html><html><body><script>acquireVsCodeApi().postMessage("ready")</script>empty</body></html>';
  return { panel, loaded };
}

/** An empty visible page, sent `{}` every `intervalMs` until disposed. */
async function emptyPagePostedEvery(intervalMs: number): Promise<vscode.Disposable> {
  const { panel, loaded } = openEmptyPage(vscode.ViewColumn.Active, 'floor');
  await loaded;
  const timer = setInterval(() => void panel.webview.postMessage({}), intervalMs);
  return { dispose: () => (clearInterval(timer), panel.dispose()) };
}

/**
 * `count` empty pages, each in its own editor group as openPanels lays out the panels, each sent
 * `{}` every `intervalMs`: what code-server's host spends on that many visible webviews and their
 * messages, whoever owns them. A page that does not load in 30 s (see openPanels) is left, and said.
 */
async function emptyPagesInGroups(count: number, intervalMs: number): Promise<vscode.Disposable> {
  await layOutGroups(count);
  const panels = Array.from({ length: count }, (_, i) => openEmptyPage(i + 1, `floor ${i + 1}`));
  let ready = 0;
  await Promise.all(panels.map(({ loaded }) => Promise.race([loaded.then(() => ready++), delay(30000)])));
  if (ready < count) {
    log(`${ready} of ${count} empty pages loaded`);
  }
  const timers = panels.map(({ panel }, i) =>
    // Spread over the interval, as the panels' quiet messages are.
    setTimeout(
      () => timers.push(setInterval(() => void panel.webview.postMessage({}), intervalMs)),
      (i * intervalMs) / count,
    ),
  );
  return {
    dispose: () => {
      timers.forEach((timer) => clearTimeout(timer));
      panels.forEach(({ panel }) => panel.dispose());
    },
  };
}

/**
 * Times every tick of the Sampler until stopped, without a profiler's overhead: the share of a
 * case's CPU that is our tick, the rest being the host's work around it (the wake, the garbage
 * collector, the RPC).
 */
function timeTicksUntilStopped(extension: ProcMemoryApi): { stop(): { ticks: number; ms: number } } {
  let ticks = 0;
  let ms = 0;
  const restore = onEachTick(extension, (tickMs) => {
    ms += tickMs;
    ticks++;
  });
  return {
    stop: () => {
      restore();
      return { ticks, ms };
    },
  };
}

/**
 * Times the parts of the Sampler's ticks until stop(): its reads of each process, the detail
 * readers, and each subscriber and observer by the first words of its source. Wrapped in place
 * (the fields are private), restored by stop(); subscribers that come meanwhile are not timed.
 */
function timeTickParts(extension: ProcMemoryApi): { stop(): string } {
  type Listener = (event: unknown) => void;
  const sampler = extension.sampler as unknown as {
    read: (...args: unknown[]) => unknown;
    details: Record<string, unknown>;
    targets: Map<string, { subscriptions: Set<{ listener: Listener }> }>;
    observers: Set<Listener>;
  };
  const spent = new Map<string, number>();
  const timed = <F extends (...args: never[]) => unknown>(label: string, original: F): F =>
    function (this: unknown, ...args: Parameters<F>) {
      const started = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        spent.set(label, (spent.get(label) ?? 0) + performance.now() - started);
      }
    } as F;
  const restores: (() => void)[] = [];
  const read = sampler.read;
  sampler.read = timed('read', read);
  restores.push(() => (sampler.read = read));
  for (const name of ['cgroup', 'oomScore', 'pressure', 'rollupSync', 'smapsSync', 'shortSmapsSync']) {
    const original = sampler.details[name] as (...args: never[]) => unknown;
    sampler.details[name] = timed(`detail ${name}`, original);
    restores.push(() => (sampler.details[name] = original));
  }
  const labelOf = (listener: Listener) => listener.toString().replace(/\s+/g, ' ').slice(0, 48);
  for (const target of sampler.targets.values()) {
    for (const subscription of target.subscriptions) {
      const original = subscription.listener;
      subscription.listener = timed(`subscriber ${labelOf(original)}`, original);
      restores.push(() => (subscription.listener = original));
    }
  }
  for (const observer of [...sampler.observers]) {
    const wrapped = timed(`observer ${labelOf(observer)}`, observer);
    sampler.observers.delete(observer);
    sampler.observers.add(wrapped);
    restores.push(() => {
      sampler.observers.delete(wrapped);
      sampler.observers.add(observer);
    });
  }
  return {
    stop: () => {
      restores.forEach((restore) => restore());
      return [...spent]
        .sort((a, b) => b[1] - a[1])
        .map(([label, ms]) => `${ms.toFixed(1)} ms ${label}`)
        .join('; ');
    },
  };
}

/** Counts the messages (and their JSON bytes) posted to `webviews` until stop(). */
function countPosts(webviews: vscode.Webview[]): {
  stop(): { count: number; bytes: number; keys: string; views: number };
} {
  let count = 0;
  // Which views were sent anything: a view that never is shows nothing live (a page not loaded).
  const posted = new Set<vscode.Webview>();
  let bytes = 0;
  // What the sample messages carried: how often each field of the snapshot was in one.
  const keys = new Map<string, number>();
  const originals = webviews.map((webview) => {
    const original = webview.postMessage;
    webview.postMessage = (message: { type?: string; snapshot?: object }) => {
      count++;
      posted.add(webview);
      bytes += JSON.stringify(message).length;
      for (const key of Object.keys(message.snapshot ?? {})) {
        keys.set(key, (keys.get(key) ?? 0) + 1);
      }
      // And beside the snapshot: a quiet message says until when nothing changed (sameUntilMs).
      for (const key of Object.keys(message).filter((key) => key !== 'snapshot' && key !== 'type')) {
        keys.set(`(${key})`, (keys.get(`(${key})`) ?? 0) + 1);
      }
      return original.call(webview, message);
    };
    return () => (webview.postMessage = original);
  });
  return {
    stop: () => {
      originals.forEach((restore) => restore());
      const carried = [...keys.entries()].sort((a, b) => b[1] - a[1]).map(([key, times]) => `${key} ${times}`);
      return { count, bytes, keys: carried.join(', '), views: posted.size };
    },
  };
}

/** Starts a js-debug session of `source`. */
async function startNodeSession(dir: string, name: string, source: string): Promise<void> {
  const program = path.join(dir, `${name}.js`);
  writeFileSync(program, source);
  if (
    !(await vscode.debug.startDebugging(undefined, {
      type: 'node',
      request: 'launch',
      name,
      program,
      console: 'internalConsole',
    }))
  ) {
    throw new Error(`could not start the js-debug session ${name}`);
  }
}

/** The middle run by `figure` (the lower of the two middle ones for an even count). */
function medianBy<T>(runs: T[], figure: (run: T) => number): T {
  return [...runs].sort((a, b) => figure(a) - figure(b))[Math.floor((runs.length - 1) / 2)];
}

/** Every read one inspect panel causes, for a listener that does nothing: the floor of one panel. */
const PANEL_READS_FLOOR = "floor: the same with a panel's reads";

/**
 * The host's whole CPU per case, over idle (issue 19): the status bar with 1, 10 and 50 visible
 * panels at 1000 and 250 ms, the debug view with a stopped and a running session, each against the
 * same workbench idle just before and just after it (the debug view's: just after it, see idleAgain).
 */
async function cpuCases(extension: ProcMemoryApi, identities: ProcessIdentity[]): Promise<CpuResult[]> {
  const config = vscode.workspace.getConfiguration('procMemory');
  const results: CpuResult[] = [];
  const settled = () => delay(CPU_SETTLE_MS);
  // A full collection of the host's own garbage (its start-up's, in the first case) costs more
  // than most cases: an idle window with one is no baseline. Measured again, up to twice.
  const idleWindow = async () => {
    let idle = await measureCpuWindow(CPU_WINDOW_MS);
    for (let again = 0; again < 2 && idle.gc.has('major'); again++) {
      log(`  the idle window had a major GC (${formatThreads(idle)}): measured again`);
      idle = await measureCpuWindow(CPU_WINDOW_MS);
    }
    return idle;
  };
  // Each case is measured right after the same workbench idle, so a drift of the host's own
  // background work (code-server's built-in extensions) falls on both windows alike.
  const measureCase = async (
    name: string,
    intervalMs: number,
    visible: number,
    target: number | undefined,
    open: () => Promise<void | vscode.Disposable>,
    /** What the idle window runs besides the workbench: work that is not ours, left out of the case's figure. */
    unwatched?: () => Promise<void>,
    /**
     * Brings back the idle window's state after the case, for a second idle window that is then
     * the baseline: work that is not ours and fades (js-debug's, in the first minute of its
     * sessions) falls in the first idle window more than in the case.
     */
    idleAgain?: () => Promise<void>,
  ): Promise<void> => {
    if (CPU_ONLY && !CPU_ONLY.some((part) => `${name} ${intervalMs}`.includes(part))) {
      return;
    }
    const runs: CpuResult[] = [];
    for (let run = 1; run <= REPEATS; run++) {
      await closeAll(extension);
      await unwatched?.();
      await settled();
      const idle = await idleWindow();
      const idleSyscalls =
        process.env.HOST_BENCH_STRACE === '1' && run === REPEATS ? await syscallWindow(CPU_WINDOW_MS) : [];
      // The same workbench idle, profiled: what the case's profile has beyond it is the case's.
      const idleProfile =
        process.env.HOST_BENCH_PROFILE === '1' && run === REPEATS
          ? await profileWindow(
              CPU_WINDOW_MS,
              25,
              path.join(REPO_ROOT, 'bench-results', `host-cpu idle before ${name} ${intervalMs}.cpuprofile`),
            )
          : [];
      const opened = await open();
      await settled();
      const debugView = (extension.debugView as unknown as { view?: vscode.WebviewView }).view;
      const posts = countPosts([
        ...extension.panels.open.map((panel) => panel.panel.webview),
        ...(extension.debugView.visible && debugView ? [debugView.webview] : []),
      ]);
      // For a tool attached from outside (strace, perf): the window starts now, in this process.
      log(`  window: ${name} ${intervalMs} ms, run ${run} of ${REPEATS}, host pid ${process.pid}`);
      const ticking = timeTicksUntilStopped(extension);
      const parts = timeTickParts(extension);
      const window = await measureCpuWindow(CPU_WINDOW_MS);
      const partsSpent = parts.stop();
      const ticked = ticking.stop();
      const posted = posts.stop();
      // Read now: idleAgain (below) ends the case's subscriptions.
      const costlyReads = whereCostlyReadsRun(extension);
      // Where the time goes, in the last run, while the case still runs (before idleAgain undoes it).
      const lastRun = run === REPEATS;
      const caseDetail: string[] = [];
      if (lastRun && process.env.HOST_BENCH_PROFILE === '1') {
        const saveAs = path.join(REPO_ROOT, 'bench-results', `host-cpu ${name} ${intervalMs}.cpuprofile`);
        caseDetail.push(...idleProfile.slice(0, 1).map((line) => `idle: ${line}`));
        caseDetail.push(...(await profileWindow(CPU_WINDOW_MS, 25, saveAs)));
        caseDetail.push(...(await allocationWindow(CPU_WINDOW_MS)));
      }
      if (lastRun && idleSyscalls.length) {
        caseDetail.push(...idleSyscalls.map((line) => `idle: ${line}`));
        caseDetail.push(...(await syscallWindow(CPU_WINDOW_MS)).map((line) => `the case: ${line}`));
      }
      let baseline = idle;
      let baselinePercent: number;
      if (idleAgain) {
        await idleAgain();
        await settled();
        baseline = await idleWindow();
        baselinePercent = baseline.percent;
        log(
          `  idle before the case ${idle.percent.toFixed(2)} %, after it ${baseline.percent.toFixed(2)} % (the baseline)`,
        );
      } else {
        // The same workbench idle on both sides of the case: code-server's own background work
        // drifts by as much as one panel costs (0.23 to 0.32 % in three runs), so their mean.
        opened?.dispose();
        await closeAll(extension);
        await settled();
        const after = await idleWindow();
        baselinePercent = (idle.percent + after.percent) / 2;
        log(
          `  idle before the case ${idle.percent.toFixed(2)} %, after it ${after.percent.toFixed(2)} % (the baseline: their mean)`,
        );
      }
      const result = cpuResult(name, intervalMs, visible, window, baselinePercent, target);
      runs.push(result);
      log(`  ${costlyReads}`);
      log(`  by thread: idle ${formatThreads(baseline)}; the case ${formatThreads(window)}`);
      log(
        `  the Sampler's ticks: ${ticked.ticks} in ${ticked.ms.toFixed(1)} ms (${((ticked.ms / window.wallMs) * 100).toFixed(3)} % of a core, ${(ticked.ms / Math.max(1, ticked.ticks)).toFixed(3)} ms each)`,
      );
      log(`  in them: ${partsSpent}`);
      log(
        `cpu: ${formatCpuResult(result)} (idle ${baselinePercent.toFixed(2)} %; to the panels ${((posted.count * 1000) / window.wallMs).toFixed(2)} messages/s, to ${posted.views} views, ${(posted.bytes / Math.max(1, posted.count)).toFixed(0)} B of JSON each${posted.keys ? `; fields sent: ${posted.keys}` : ''})`,
      );
      caseDetail.forEach((line) => log(`  ${line}`));
      if (idleAgain) {
        opened?.dispose();
      }
    }
    // The median run by its figure over idle: one run cannot tell 0.2 % from the noise.
    const medianRun = medianBy(runs, (run) => run.overIdle);
    results.push(medianRun);
    if (runs.length > 1) {
      log(
        `  ${name} ${intervalMs} ms over idle in ${runs.length} runs: ${runs.map((r) => r.overIdle.toFixed(2)).join(', ')} % (median ${medianRun.overIdle.toFixed(2)} %)`,
      );
    }
  };
  // Outside the workbench, the machine's own floor of a reading each interval (machineFloor.ts):
  // what any poller pays here, before the editor adds its share.
  const measureMachineFloors = async (intervalMs: number): Promise<void> => {
    const wanted = (name: string) => !CPU_ONLY || CPU_ONLY.some((part) => `${name} ${intervalMs}`.includes(part));
    if (!wanted('machine: C reading stat and statm each interval') && !wanted('machine: Node alone doing the same')) {
      return;
    }
    const runs = new Map<string, MachineFloor[]>();
    for (let run = 1; run <= REPEATS; run++) {
      const { floors, note } = await machineFloors(REPO_ROOT, identities[0].pid, intervalMs, CPU_WINDOW_MS);
      if (note && run === 1) {
        log(`  ${note}`);
      }
      for (const floor of floors) {
        runs.set(floor.name, [...(runs.get(floor.name) ?? []), floor]);
        log(
          `  ${floor.name} ${intervalMs} ms, run ${run} of ${REPEATS}: ${floor.window.percent.toFixed(3)} % of a core, ${(floor.window.cpuMs / Math.max(1, floor.wakes)).toFixed(3)} ms of CPU per wake (${floor.wakes} wakes)`,
        );
      }
    }
    for (const [name, floors] of runs) {
      const median = medianBy(floors, (floor) => floor.window.percent);
      // Its own CPU, all of it: a process that sleeps between wakes has no idle share to take off.
      results.push({ ...cpuResult(name, intervalMs, 1, median.window, 0), own: true });
    }
  };
  // The workbench has just started: let its start-up work end before the first idle window.
  await delay(30000);
  const targets: Record<string, Record<number, number>> = {
    'status bar + 10 panels': { 1000: 0.5, 250: 1.5 },
  };
  // One panel and the status bar may add 0.1 % of a core to the reads the panel causes, measured
  // in the same run for a listener that does nothing (PANEL_READS_FLOOR). The issue's 0.1 % over
  // idle is below that floor on this machine (0.07 to 0.16 % in three runs): no view of the same
  // figures could meet it. Without the floor in the run, 0.1 % over idle.
  const onePanelTarget = (intervalMs: number) =>
    (results.find((result) => result.name === PANEL_READS_FLOOR && result.intervalMs === intervalMs)?.overIdle ?? 0) +
    0.1;
  for (const intervalMs of [1000, 250]) {
    await config.update('sampleIntervalMs', intervalMs, vscode.ConfigurationTarget.Global);
    await measureMachineFloors(intervalMs);
    // The floor of one live view: an empty page sent an empty message each interval, from a timer.
    await measureCase('floor: empty page, {} each interval', intervalMs, 1, undefined, () =>
      emptyPagePostedEvery(intervalMs),
    );
    if (intervalMs === 1000) {
      // About what 10 quiet panels are sent: their share of the bill that is code-server's.
      await measureCase('floor: 10 empty pages, {} every 10 s', intervalMs, 10, undefined, () =>
        emptyPagesInGroups(10, 10000),
      );
    }
    // The floor of any polling at all: the host woken each interval to do nothing, and to read
    // one process's stat and statm as the cheapest reading does.
    await measureCase('floor: a timer each interval', intervalMs, 1, undefined, async () => {
      const timer = setInterval(() => undefined, intervalMs);
      return { dispose: () => clearInterval(timer) };
    });
    await measureCase('floor: a timer reading stat and statm each interval', intervalMs, 1, undefined, async () => {
      const dir = `/proc/${identities[0].pid}`;
      const timer = setInterval(() => {
        readFileSync(`${dir}/stat`);
        readFileSync(`${dir}/statm`);
      }, intervalMs);
      return { dispose: () => clearInterval(timer) };
    });
    // What the Sampler adds to that floor before any view does anything with its readings.
    await measureCase(
      'floor: the Sampler reading one process for a listener that does nothing',
      intervalMs,
      1,
      undefined,
      async () => extension.sampler.subscribe(identities[0], {}, () => undefined),
    );
    await measureCase('floor: the same with its cgroup', intervalMs, 1, undefined, async () =>
      extension.sampler.subscribe(identities[0], { cgroup: true }, () => undefined),
    );
    // Every read one panel causes (the cgroup, smaps_rollup, smaps, oom_score, pressure at their
    // pace), for a listener that does nothing: what no view of the same figures can cost less than.
    await measureCase(PANEL_READS_FLOOR, intervalMs, 1, undefined, async () =>
      extension.sampler.subscribe(identities[0], { detail: true, mappings: true }, () => undefined),
    );
    await measureCase('status bar alone', intervalMs, 1, undefined, async () => {
      extension.focus.watch(identities[0]);
      await waitFor('the status bar', () => extension.statusBar.state.text.includes('sleep'));
    });
    for (const count of [1, 10, 50]) {
      const name = `status bar + ${count} panel${count > 1 ? 's' : ''}`;
      const target = count === 1 && intervalMs === 1000 ? onePanelTarget(intervalMs) : targets[name]?.[intervalMs];
      await measureCase(name, intervalMs, count + 1, target, async () => {
        extension.focus.watch(identities[0]);
        await openPanels(extension, identities.slice(0, count));
      });
    }
  }
  // The debug view, visible, with one session stopped at a debugger statement and one running.
  // Its idle windows run the same two sessions with Proc Memory reading nothing (no status bar, no
  // recording, the view removed from Run and Debug): js-debug's own work for them is not ours. The one after the case
  // is the baseline: js-debug works most in the first minute of its sessions.
  await config.update('sampleIntervalMs', 1000, vscode.ConfigurationTarget.Global);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'proc-memory-host-cpu-'));
  const reading = async (on: boolean) => {
    await config.update('statusBar.enabled', on ? undefined : false, vscode.ConfigurationTarget.Global);
    await config.update('recordDebugSessions', on ? undefined : false, vscode.ConfigurationTarget.Global);
  };
  // The idle windows show Run and Debug too, without our view: its other views (the stopped
  // session's call stack and variables) are js-debug's work, not ours.
  const unwatch = async () => {
    await reading(false);
    await vscode.commands.executeCommand('workbench.view.debug');
    if (extension.debugView.visible) {
      await vscode.commands.executeCommand('procMemory.debugView.removeView');
    }
    await waitFor('nothing polled while the view is hidden', () => !extension.sampler.isPolling, 20000);
  };
  try {
    await measureCase(
      'debug view (1 stopped, 1 running)',
      1000,
      2,
      0.2,
      async () => {
        await reading(true);
        await vscode.commands.executeCommand('procMemory.debugView.focus');
        const rowsWithFigures = () =>
          extension.debugView.state?.rows.filter((row) => row.snapshot?.resBytes).length ?? 0;
        try {
          await waitFor('two debug view rows with figures', () => rowsWithFigures() >= 2, 60000);
        } catch (error) {
          log(
            `debug view rows: ${JSON.stringify(extension.debugView.state?.rows.map((row) => [row.name, row.status, row.message, row.snapshot?.pid]))}`,
          );
          throw error;
        }
      },
      async () => {
        // Once: each run of the case (HOST_BENCH_REPEAT) keeps the same two sessions.
        if (!vscode.debug.activeDebugSession) {
          await startNodeSession(dir, 'running', 'setInterval(() => {}, 1 << 30);\n');
          await startNodeSession(dir, 'stopped', 'setInterval(() => {}, 1 << 30);\ndebugger;\n');
        }
        await waitFor('the stopped session', () => extension.debugStops.currentStops.length > 0, 60000);
        await unwatch();
      },
      unwatch,
    );
    // js-debug's sessions come in pairs (the launch and its child): one stop may leave one running.
    for (let attempt = 1; vscode.debug.activeDebugSession; attempt++) {
      await vscode.debug.stopDebugging(attempt > 1 ? vscode.debug.activeDebugSession : undefined);
      try {
        await waitFor('no debug session', () => vscode.debug.activeDebugSession === undefined, 20000);
      } catch (error) {
        if (attempt === 3) {
          throw error;
        }
      }
    }
  } finally {
    await reading(true);
    rmSync(dir, { recursive: true, force: true });
  }
  await closeAll(extension);
  log(`Extension host CPU over ${CPU_WINDOW_MS / 1000} s windows, each case against its idle window:`);
  results.forEach((result) => log(`  ${formatCpuResult(result)}`));
  return results;
}

export async function run(): Promise<void> {
  if (process.env.HOST_BENCH_WITHOUT_EXTENSION === '1') {
    // The same workbench without Proc Memory: code-server's own share of the idle host.
    await delay(CPU_SETTLE_MS);
    const window = await measureCpuWindow(CPU_WINDOW_MS);
    log(`cpu: idle without the extension ${window.percent.toFixed(2)} % of a core (${formatThreads(window)})`);
    if (process.env.HOST_BENCH_PROFILE === '1') {
      (await profileWindow(CPU_WINDOW_MS)).forEach((line) => log(`  ${line}`));
    }
    console.log('INTEGRATION-RESULT passed=1 failed=0 pending=0');
    return;
  }
  const results: Result[] = [];
  const profiles: Record<string, string[]> = {};
  let failed = 0;
  try {
    const extension = await api();
    const config = vscode.workspace.getConfiguration('procMemory');
    // The issue's measurement: 250 ms, an hour of history; the detail pace stays the default.
    await config.update('sampleIntervalMs', INTERVAL_MS, vscode.ConfigurationTarget.Global);
    await config.update('historyMinutes', HISTORY_MINUTES, vscode.ConfigurationTarget.Global);
    await config.update('statusBar.enabled', true, vscode.ConfigurationTarget.Global);
    await closeAll(extension);
    const identities = await sleepers(50, extension);

    const cpu = CASES.has('cpu') ? await cpuCases(extension, identities) : [];
    await config.update('sampleIntervalMs', INTERVAL_MS, vscode.ConfigurationTarget.Global);

    const base = await floor(extension, identities[0].pid);
    const floorMs = { hotMs: base.sampleMs + base.postMs, pacedMs: base.pacedMs };
    log(
      `floor: sampleProcess ${base.sampleMs.toFixed(3)} ms + empty postMessage ${base.postMs.toFixed(3)} ms = ${floorMs.hotMs.toFixed(3)} ms in a hot loop; ${floorMs.pacedMs.toFixed(3)} ms once per ${INTERVAL_MS} ms (paced)`,
    );

    if (CASES.has('status')) {
      extension.focus.watch(identities[0]);
      await waitFor('the status bar', () => extension.statusBar.state.text.includes('sleep'));
      await measure('status bar', extension, identities.slice(0, 1), 1, floorMs, results);
      profiles['status bar'] = await profileTicks(extension, TICKS);
      extension.focus.stopWatching();
      await waitFor('nothing polled', () => !extension.sampler.isPolling, 20000);
    }

    for (const count of CASES.has('panels') ? [1, 10, 50] : []) {
      await openPanels(extension, identities.slice(0, count));
      await measure(
        `${count} inspect panel${count > 1 ? 's' : ''}`,
        extension,
        identities.slice(0, count),
        count,
        floorMs,
        results,
      );
      if (count === 10) {
        profiles['10 inspect panels'] = await profileTicks(extension, TICKS);
      }
      await closeAll(extension);
    }

    // The debug view, with one js-debug session of a Node program that idles.
    if (CASES.has('debug')) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'proc-memory-host-bench-'));
      try {
        const program = path.join(dir, 'idle.js');
        writeFileSync(program, 'setInterval(() => {}, 1 << 30);\n');
        await vscode.commands.executeCommand('procMemory.debugView.focus');
        if (
          await vscode.debug.startDebugging(undefined, {
            type: 'node',
            request: 'launch',
            name: 'idle',
            program,
            console: 'internalConsole',
          })
        ) {
          await waitFor(
            'the debug view row',
            () => extension.debugView.state?.rows.some((row) => row.snapshot && row.snapshot.resBytes > 0),
            60000,
          );
          await delay(500);
          const row = extension.debugView.state?.rows.find((candidate) => candidate.snapshot);
          await measure(
            'debug view (1 session)',
            extension,
            row?.snapshot ? [{ pid: row.snapshot.pid, startTicks: row.snapshot.startTicks }] : [],
            1,
            floorMs,
            results,
          );
          profiles['debug view'] = await profileTicks(extension, 60);
          await vscode.debug.stopDebugging();
        } else {
          log('debug view: could not start a js-debug session');
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }

    for (const [name, lines] of Object.entries(profiles)) {
      log(`CPU profile, ${name}: self time by function`);
      lines.forEach((line) => log(`  ${line}`));
    }
    mkdirSync(path.join(REPO_ROOT, 'bench-results'), { recursive: true });
    writeFileSync(
      path.join(REPO_ROOT, 'bench-results', 'host-bench.json'),
      JSON.stringify(
        {
          generatedAt: new Date().toISOString(),
          loadAverage: os.loadavg(),
          floor: { ...base, hotMs: floorMs.hotMs },
          results,
          cpu,
          profiles,
        },
        null,
        2,
      ) + '\n',
    );
    const missed = results.filter((result) => result.ratio > 2 || result.pacedRatio > 2);
    log(
      missed.length === 0
        ? 'All host targets met (<= 2x floor).'
        : `Over 2x: ${missed.map((result) => `${result.name} ${result.ratio.toFixed(2)}x hot / ${result.pacedRatio.toFixed(2)}x paced`).join(', ')}`,
    );
  } catch (error) {
    failed = 1;
    log(`failed: ${error instanceof Error ? error.stack : String(error)}`);
  } finally {
    for (const child of children) {
      child.kill('SIGKILL');
    }
    await vscode.workspace
      .getConfiguration('procMemory')
      .update('sampleIntervalMs', undefined, vscode.ConfigurationTarget.Global);
    await vscode.workspace
      .getConfiguration('procMemory')
      .update('historyMinutes', undefined, vscode.ConfigurationTarget.Global);
  }
  console.log(`INTEGRATION-RESULT passed=${1 - failed} failed=${failed} pending=0`);
  if (failed) {
    throw new Error('host bench failed');
  }
}
