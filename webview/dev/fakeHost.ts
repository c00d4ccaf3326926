// Dev harness only (not shipped): stands in for VS Code around a built webview bundle.
// Defines `acquireVsCodeApi`, answers `ready` with realistic messages for the scenario named in the
// page URL (?view=inspect|debugView&scenario=…&theme=dark|light|hc&live=1), records what the page
// posts (window.__posted) and every CSP violation (window.__cspViolations) for webview/dev/run.mjs.
import type {
  CgroupFigure,
  HistorySeries,
  LeakForecast,
  MappingKindRow,
  MappingRow,
  MappingsFigure,
  ProcessSnapshot,
  TimelineMarker,
} from '../../shared/model';
import type {
  DebugSessionRow,
  FromDebugView,
  StopComparison,
  StopRow,
  TerminalRow,
  ToDebugView,
} from '../../shared/protocol/debugView';
import type { FromInspectPanel, ToInspectPanel } from '../../shared/protocol/inspect';
import type { ToCompareView } from '../../shared/protocol/compare';
import type { ToRecordingView } from '../../shared/protocol/recording';
import { MiB, GiB } from '../../shared/units';

interface Violation {
  directive: string;
  blockedURI: string;
  sourceFile: string;
  line: number;
  column: number;
  sample: string;
}

declare global {
  interface Window {
    __posted: unknown[];
    /** performance.now() when the fake host last posted a message: for timing how long the page takes to show it. */
    __sentAtMs: number;
    __cspViolations: Violation[];
    __devReady: boolean;
    acquireVsCodeApi: () => {
      postMessage(message: unknown): void;
      getState(): unknown;
      setState(state: unknown): void;
    };
    /** For run.mjs: push a message as the host would. */
    __hostPost: (message: unknown) => void;
    /** For run.mjs: what the page saved with setState. */
    __savedState: () => unknown;
    /** For run.mjs: a realistic snapshot to send in samples. */
    __snapshot: (overrides: Partial<ProcessSnapshot>) => ProcessSnapshot;
  }
}

const params = new URLSearchParams(location.search);
const view = params.get('view') ?? 'inspect';
const scenario = params.get('scenario') ?? (view === 'inspect' ? 'live' : 'sessions');
const theme = params.get('theme') ?? 'dark';
const live = params.get('live') === '1';

window.__posted = [];
window.__cspViolations = [];
window.__devReady = false;
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push({
    directive: event.violatedDirective,
    blockedURI: event.blockedURI,
    sourceFile: event.sourceFile,
    line: event.lineNumber,
    column: event.columnNumber,
    sample: event.sample,
  });
});

// What VS Code puts on <body>: the theme kind class, and the sidebar background behind a view.
const themeClass: Record<string, string[]> = {
  dark: ['vscode-dark'],
  light: ['vscode-light'],
  hc: ['vscode-high-contrast'],
};
document.body.classList.add(
  ...(themeClass[theme] ?? themeClass.dark),
  view === 'debugView' ? 'dev-sidebar' : 'dev-editor',
);
document.body.setAttribute('data-vscode-theme-kind', themeClass[theme]?.[0] ?? 'vscode-dark');

const NOW = Math.floor(Date.now() / 1000) * 1000;
let state: unknown;

const send = (message: ToInspectPanel | ToDebugView | ToRecordingView | ToCompareView) =>
  setTimeout(() => {
    window.__sentAtMs = performance.now();
    window.postMessage(message, '*');
  }, 0);
window.__hostPost = (message) => window.postMessage(message, '*');

/** A deterministic pseudo-random sequence, so screenshots are stable. */
function random(seed: number): () => number {
  let value = seed;
  return () => {
    value = (value * 1103515245 + 12345) % 2 ** 31;
    return value / 2 ** 31;
  };
}

/** An hour at 1 s of a leaking Node process: growth, GC sawtooth, noise; SHR almost flat. */
function leakingHistory(points: number, endMs: number): HistorySeries {
  const rand = random(7);
  const history: HistorySeries = { timesMs: [], res: [], shr: [] };
  for (let i = 0; i < points; i++) {
    const t = i / points;
    const sawtooth = ((i % 97) / 97) * 24 * MiB;
    const res = 182 * MiB + t * 236 * MiB + sawtooth + rand() * 3 * MiB;
    const shr = 38.5 * MiB + (i > points * 0.4 ? 2.25 * MiB : 0) + rand() * 0.2 * MiB;
    history.timesMs.push(endMs - (points - 1 - i) * 1000);
    history.res.push(Math.round(res / 4096) * 4096);
    history.shr.push(Math.round(shr / 4096) * 4096);
  }
  return history;
}

function trendOf(history: HistorySeries, windowMs: number): number | undefined {
  const end = history.timesMs[history.timesMs.length - 1];
  const points = history.timesMs.map((t, i) => [t, history.res[i]] as const).filter(([t]) => t >= end - windowMs);
  if (points.length < 2) {
    return undefined;
  }
  const n = points.length;
  const t0 = points[0][0];
  let st = 0,
    sr = 0,
    stt = 0,
    str = 0;
  for (const [t, r] of points) {
    const m = (t - t0) / 60000;
    st += m;
    sr += r;
    stt += m * m;
    str += m * r;
  }
  return (n * str - st * sr) / (n * stt - st * st);
}

const HOSTILE_LIBRARY = '/tmp/<img src=x onerror=alert(1)>.so';

/**
 * Where RES lives for a Node server of `res` bytes, shaped like a real one (/proc/PID/smaps of
 * node 20 with sharp loaded): anonymous takes what the other kinds leave, so the kinds add up to RES.
 */
function mappings(res: number, hostile = false): MappingsFigure {
  const kinds: MappingKindRow[] = [
    { kind: 'program', count: 8, rssBytes: 44.6 * MiB, pssBytes: 11.2 * MiB, privateBytes: 0.9 * MiB, swapBytes: 0 },
    { kind: 'libraries', count: 142, rssBytes: 19.1 * MiB, pssBytes: 6.4 * MiB, privateBytes: 1.1 * MiB, swapBytes: 0 },
    { kind: 'heap', count: 1, rssBytes: 9.75 * MiB, pssBytes: 9.75 * MiB, privateBytes: 9.75 * MiB, swapBytes: 0 },
    { kind: 'files', count: 17, rssBytes: 2.3 * MiB, pssBytes: 1.2 * MiB, privateBytes: 0.1 * MiB, swapBytes: 0 },
    { kind: 'shmem', count: 2, rssBytes: 1.25 * MiB, pssBytes: 0.625 * MiB, privateBytes: 0, swapBytes: 0 },
    {
      kind: 'stack',
      count: 1,
      rssBytes: 0.3 * MiB,
      pssBytes: 0.3 * MiB,
      privateBytes: 0.3 * MiB,
      swapBytes: 0.05 * MiB,
    },
    { kind: 'kernel', count: 3, rssBytes: 8192, pssBytes: 0, privateBytes: 0, swapBytes: 0 },
  ].map((row) => ({
    ...row,
    rssBytes: Math.round(row.rssBytes / 4096) * 4096,
    pssBytes: Math.round(row.pssBytes / 4096) * 4096,
    privateBytes: Math.round(row.privateBytes / 4096) * 4096,
  })) as MappingKindRow[];
  const anonymous = Math.round((res - kinds.reduce((sum, row) => sum + row.rssBytes, 0)) / 4096) * 4096;
  kinds.push({
    kind: 'anonymous',
    count: 612,
    rssBytes: anonymous,
    pssBytes: anonymous,
    privateBytes: anonymous,
    swapBytes: 0,
  });
  kinds.sort((a, b) => b.rssBytes - a.rssBytes);
  const top: MappingRow[] = [
    {
      name: '[anonymous]',
      kind: 'anonymous',
      perms: 'rw-p',
      rssBytes: 128 * MiB,
      pssBytes: 128 * MiB,
      privateBytes: 128 * MiB,
    },
    {
      name: '[anonymous]',
      kind: 'anonymous',
      perms: 'rw-p',
      rssBytes: 64.2 * MiB,
      pssBytes: 64.2 * MiB,
      privateBytes: 64.2 * MiB,
    },
    {
      name: '/usr/bin/node',
      kind: 'program',
      perms: 'r-xp',
      rssBytes: 38.1 * MiB,
      pssBytes: 9.5 * MiB,
      privateBytes: 0,
    },
    {
      name: '[anonymous]',
      kind: 'anonymous',
      perms: 'rw-p',
      rssBytes: 31.9 * MiB,
      pssBytes: 31.9 * MiB,
      privateBytes: 31.9 * MiB,
    },
    hostile
      ? {
          name: HOSTILE_LIBRARY,
          kind: 'libraries',
          perms: 'r-xp',
          rssBytes: 10.4 * MiB,
          pssBytes: 10.4 * MiB,
          privateBytes: 0.2 * MiB,
        }
      : {
          name: '/home/alice/projects/orders-api/node_modules/@img/sharp-libvips-linux-x64/lib/libvips-cpp.so.8.16.1',
          kind: 'libraries',
          perms: 'r-xp',
          rssBytes: 10.4 * MiB,
          pssBytes: 3.1 * MiB,
          privateBytes: 0.2 * MiB,
        },
    {
      name: '[heap]',
      kind: 'heap',
      perms: 'rw-p',
      rssBytes: 9.75 * MiB,
      pssBytes: 9.75 * MiB,
      privateBytes: 9.75 * MiB,
    },
    {
      name: '/usr/bin/node',
      kind: 'program',
      perms: 'r--p',
      rssBytes: 5.9 * MiB,
      pssBytes: 1.5 * MiB,
      privateBytes: 0,
    },
    {
      name: '/usr/lib/x86_64-linux-gnu/libicudata.so.74.2',
      kind: 'libraries',
      perms: 'r--p',
      rssBytes: 2.8 * MiB,
      pssBytes: 0.7 * MiB,
      privateBytes: 0,
    },
  ];
  return {
    kinds,
    top: top.map((row) => ({
      ...row,
      rssBytes: Math.round(row.rssBytes / 4096) * 4096,
      pssBytes: Math.round(row.pssBytes / 4096) * 4096,
      privateBytes: Math.round(row.privateBytes / 4096) * 4096,
    })),
    readAtMs: NOW - 3000,
    pace: { readAtMs: NOW - 3000, everyMs: 5000, byCost: false, costMs: 1.9, reading: false },
  };
}

/** A v2 group whose parent slice is the tighter limit once page cache is left out. */
function cgroupOf(path: string, usage: number, inactiveFile: number, limit: number): CgroupFigure {
  const parent = path.slice(0, path.lastIndexOf('/')) || '/';
  const workingSet = usage - inactiveFile;
  const parentWorkingSet = workingSet + 0.9 * GiB;
  const parentLimit = 3 * GiB;
  const tight = parentLimit - parentWorkingSet < limit - workingSet;
  return {
    version: 2,
    path,
    usageBytes: usage,
    workingSet: { bytes: workingSet },
    levels: [
      {
        path,
        limitBytes: limit,
        limitFile: 'memory.max',
        usage: { bytes: usage },
        workingSet: { bytes: workingSet },
        headroom: { bytes: limit - workingSet },
      },
      {
        path: parent,
        limitBytes: parentLimit,
        limitFile: 'memory.high',
        usage: { bytes: usage + 1.1 * GiB },
        workingSet: { bytes: parentWorkingSet },
        headroom: { bytes: parentLimit - parentWorkingSet },
      },
    ],
    tightest: tight
      ? {
          path: parent,
          limitBytes: parentLimit,
          limitFile: 'memory.high',
          workingSetBytes: parentWorkingSet,
          headroomBytes: parentLimit - parentWorkingSet,
        }
      : {
          path,
          limitBytes: limit,
          limitFile: 'memory.max',
          workingSetBytes: workingSet,
          headroomBytes: limit - workingSet,
        },
    oom: {
      path,
      counters: [
        { key: 'eventsHigh', value: 0, file: 'memory.events high' },
        { key: 'eventsMax', value: 1_862, file: 'memory.events max' },
        { key: 'eventsOom', value: 2, file: 'memory.events oom' },
        { key: 'oomKill', value: 1, file: 'memory.events.local oom_kill' },
      ],
    },
  };
}

function snapshot(overrides: Partial<ProcessSnapshot> = {}): ProcessSnapshot {
  const res = overrides.resBytes ?? 412.3 * MiB;
  return {
    pid: 48213,
    startTicks: 9_812_345,
    name: 'node',
    commandLine:
      '/usr/bin/node --max-old-space-size=4096 --enable-source-maps /home/alice/projects/orders-api/dist/server.js --port 8080 --config /home/alice/projects/orders-api/config/production.json --log-level debug',
    user: 'alice',
    state: 'S',
    stateText: 'sleeping',
    startTimeMs: NOW - (2 * 3600 + 14 * 60) * 1000,
    sampledAtMs: NOW,
    threads: 11,
    resBytes: res,
    virtBytes: 11.72 * GiB,
    shrBytes: 40.75 * MiB,
    anon: { bytes: res - 40.75 * MiB },
    file: { bytes: 39.5 * MiB },
    shmem: { bytes: 1.25 * MiB },
    swap: { bytes: 0 },
    peakRes: { bytes: 431.8 * MiB },
    pss: { bytes: 389.6 * MiB },
    uss: { bytes: 371.2 * MiB },
    cgroup: cgroupOf('/user.slice/user-1000.slice/session-3.scope', 1.38 * GiB, 0.62 * GiB, 2 * GiB),
    oomScore: { score: 712, adj: 100 },
    pressure: {
      system: { file: '/proc/pressure/memory', someAvg10: 0.42, someAvg60: 0.18, fullAvg10: 0, fullAvg60: 0 },
      group: {
        file: '/sys/fs/cgroup/user.slice/user-1000.slice/session-3.scope/memory.pressure',
        group: '/user.slice/user-1000.slice/session-3.scope',
        someAvg10: 3.81,
        someAvg60: 1.07,
        fullAvg10: 0.52,
        fullAvg60: 0.11,
      },
    },
    faults: { minorPerSecond: 1843.6, majorPerSecond: 0.4, overMs: 1000, minorTotal: 2_814_233, majorTotal: 1_204 },
    mappings: mappings(res),
    ...overrides,
  };
}

/** What the host's fit says of the leaking history: 236 MiB an hour, against the tightest limit. */
function growingForecast(current: ProcessSnapshot): LeakForecast {
  const bytesPerMinute = 3.93 * MiB;
  const tightest = 'unavailable' in current.cgroup ? undefined : current.cgroup.tightest;
  const limit =
    tightest && !('unavailable' in tightest)
      ? {
          kind: 'cgroup' as const,
          path: tightest.path,
          limitFile: tightest.limitFile,
          limitBytes: tightest.limitBytes,
          headroomBytes: tightest.headroomBytes,
          timeToLimitMs: (tightest.headroomBytes / bytesPerMinute) * 60000,
        }
      : undefined;
  return { verdict: 'growing', spanMs: 600_000, bytesPerMinute, r2: 0.97, limit };
}

const HOSTILE_NAME = '<img src=x onerror=alert(1)>';
const HOSTILE_COMMAND = `sh -c "<script>alert(document.cookie)</script>" '"><svg onload=alert(1)>' --style="background:red" javascript:alert(1) ${'A'.repeat(180)}`;

function inspectMessages(): ToInspectPanel[] {
  const history = leakingHistory(3600, NOW);
  const last = history.res.length - 1;
  const current = snapshot({
    resBytes: history.res[last],
    shrBytes: history.shr[last],
    anon: { bytes: history.res[last] - history.shr[last] },
  });
  const trend = trendOf(history, 5 * 60_000);
  const init = (overrides: Partial<Extract<ToInspectPanel, { type: 'init' }>>): ToInspectPanel => ({
    type: 'init',
    process: { pid: current.pid, startTicks: current.startTicks, name: current.name },
    snapshot: current,
    history,
    trendPerMinute: trend,
    forecast: growingForecast(current),
    ended: undefined,
    problem: undefined,
    markers: markersOver(history.timesMs),
    ...overrides,
  });
  switch (scenario) {
    case 'hostile': {
      const hostile: ProcessSnapshot = {
        ...current,
        name: HOSTILE_NAME,
        commandLine: HOSTILE_COMMAND,
        user: '<b>root</b>',
        state: 'R',
        stateText: 'running',
        cgroup: cgroupOf('/app.slice/"><img src=x onerror=alert(2)>', 489 * MiB, 12 * MiB, 512 * MiB),
        mappings: mappings(current.resBytes, true),
      };
      return [
        init({
          snapshot: hostile,
          forecast: growingForecast(hostile),
          problem: 'Could not read /proc/48213/smaps_rollup: <img src=x onerror=alert(3)> (EACCES)',
        }),
      ];
    }
    case 'ended':
      return [
        init({
          snapshot: {
            ...current,
            pss: {
              unavailable:
                'no permission to read /proc/48213/smaps_rollup (run as the same user or with CAP_SYS_PTRACE)',
            },
            uss: { unavailable: 'no permission to read /proc/48213/smaps_rollup' },
            swap: { unavailable: 'VmSwap missing from /proc/48213/status' },
            cgroup: { unavailable: 'cgroup v1: no single memory limit' },
            oomScore: { unavailable: 'The process has exited.' },
            mappings: { unavailable: 'Permission denied: the kernel only shows this to the process owner or root.' },
          },
        }),
        { type: 'ended', ended: { atMs: NOW + 2000, message: 'The process exited.' } },
      ];
    case 'oom-killed':
      return [
        init({
          snapshot: {
            ...current,
            cgroup: {
              version: 1,
              path: '/docker/3f2a9c',
              usageBytes: 255.8 * MiB,
              workingSet: { bytes: 254.1 * MiB },
              levels: [
                {
                  path: '/docker/3f2a9c',
                  limitBytes: 256 * MiB,
                  limitFile: 'memory.limit_in_bytes',
                  usage: { bytes: 255.8 * MiB },
                  workingSet: { bytes: 254.1 * MiB },
                  headroom: { bytes: 1.9 * MiB },
                },
              ],
              tightest: {
                path: '/docker/3f2a9c',
                limitBytes: 256 * MiB,
                limitFile: 'memory.limit_in_bytes',
                workingSetBytes: 254.1 * MiB,
                headroomBytes: 1.9 * MiB,
              },
              oom: {
                path: '/docker/3f2a9c',
                counters: [
                  { key: 'failcnt', value: 48_211, file: 'memory.failcnt' },
                  { key: 'oomKill', value: 0, file: 'memory.oom_control oom_kill' },
                ],
              },
            },
          },
        }),
        {
          type: 'ended',
          ended: {
            atMs: NOW + 2000,
            message: 'The process has exited.',
            oomKill:
              'memory.oom_control oom_kill of cgroup /docker/3f2a9c rose by 1 (0 → 1) as it ended. Another process in the group may have been the victim instead. Last reading: RES 251.2 MiB, working set 254.1 MiB of the 256.0 MiB limit.',
          },
        },
      ];
    case 'unavailable':
      return [
        init({
          history: { timesMs: history.timesMs.slice(-40), res: history.res.slice(-40), shr: history.shr.slice(-40) },
          trendPerMinute: undefined,
          forecast: { verdict: 'collecting', needMs: 20_000 },
          snapshot: {
            ...current,
            anon: { unavailable: 'kernel older than 4.5: no RssAnon in status' },
            file: { unavailable: 'kernel older than 4.5: no RssFile in status' },
            shmem: { unavailable: 'kernel older than 4.5: no RssShmem in status' },
            pss: { unavailable: 'no permission to read /proc/48213/smaps_rollup' },
            uss: { unavailable: 'no permission to read /proc/48213/smaps_rollup' },
            peakRes: { unavailable: 'VmHWM missing' },
            cgroup: {
              version: 2,
              path: '/user.slice/user-1000.slice/session-3.scope',
              usageBytes: 1.38 * GiB,
              workingSet: { unavailable: 'Unexpected content in /proc: memory.stat has no inactive_file' },
              levels: [],
              tightest: { unavailable: 'no limit on its cgroup /user.slice/user-1000.slice/session-3.scope or above' },
              oom: { unavailable: 'Permission denied: the kernel only shows this to the process owner or root.' },
            },
            oomScore: { unavailable: 'Unexpected content in /proc: oom_score "<html>"' },
            pressure: {
              system: {
                unavailable:
                  'Not available on this system: no /proc/pressure/memory: this kernel has no pressure stall information (Linux 4.20+ with CONFIG_PSI)',
              },
              group: {
                unavailable:
                  'Not available on this system: the process is in no cgroup v2 group (no "0::" line in its cgroup file)',
              },
            },
            faults: { unavailable: 'needs two readings' },
            mappings: { unavailable: 'Permission denied: the kernel only shows this to the process owner or root.' },
          },
        }),
      ];
    case 'many-mappings': {
      // A server with 40 000 mappings: smaps costs ~300 ms, so it is read once a minute (or on "Read now").
      const figure = mappings(current.resBytes);
      if (!('kinds' in figure)) {
        return [init({})];
      }
      const others = figure.kinds.reduce((sum, row) => sum + (row.kind === 'anonymous' ? 0 : row.count), 0);
      const kinds = figure.kinds.map((row) => (row.kind === 'anonymous' ? { ...row, count: 40000 - others } : row));
      return [
        init({
          snapshot: {
            ...current,
            mappings: {
              ...figure,
              kinds,
              readAtMs: NOW - 40_000,
              pace: { readAtMs: NOW - 40_000, everyMs: 60_000, byCost: true, costMs: 296, reading: false },
            },
          },
        }),
      ];
    }
    case 'kernel-thread':
      return [
        init({
          snapshot: snapshot({
            pid: 87,
            name: 'kworker/u16:3-events_unbound',
            commandLine: '',
            user: 'root',
            state: 'I',
            stateText: 'idle',
            memoryless: 'kernel-thread',
            resBytes: 0,
            virtBytes: 0,
            shrBytes: 0,
          }),
          history: { timesMs: [], res: [], shr: [] },
          trendPerMinute: undefined,
        }),
      ];
    case 'zombie':
      return [
        init({
          snapshot: snapshot({
            pid: 51022,
            name: 'defunct-worker',
            commandLine: '',
            state: 'Z',
            stateText: 'zombie',
            memoryless: 'zombie',
            resBytes: 0,
            virtBytes: 0,
            shrBytes: 0,
            threads: 1,
          }),
          trendPerMinute: undefined,
        }),
      ];
    case 'waiting':
      return [init({ snapshot: undefined, history: { timesMs: [], res: [], shr: [] }, trendPerMinute: undefined })];
    default:
      return [init({})];
  }
}

/** Three stops and a user marker spread over a history, as a debug session leaves them. */
function markersOver(timesMs: readonly number[]): TimelineMarker[] {
  if (timesMs.length < 10) {
    return [];
  }
  const at = (share: number) => timesMs[Math.floor((timesMs.length - 1) * share)];
  return [
    {
      timeMs: at(0.55),
      kind: 'stop',
      label: 'server.js:41',
      detail: 'handleOrder · breakpoint · RES 402.1 MiB at the first stop',
    },
    { timeMs: at(0.7), kind: 'user', label: 'after warm-up <b>x</b>', detail: 'Added by you at 14:02:10' },
    {
      timeMs: at(0.8),
      kind: 'stop',
      label: 'server.js:57',
      detail: 'handleOrder · step · RES +64.0 MiB in 1.2 s since the previous stop',
    },
    {
      timeMs: at(0.95),
      kind: 'stop',
      label: '<img src=x onerror=alert(4)>.js:3',
      detail: '<script>alert(5)</script> · exception · RES -1.25 MiB in 12 s since the previous stop',
    },
  ];
}

const STOPS: StopRow[] = [
  {
    id: 4,
    atMs: NOW - 2_000,
    reason: 'step',
    location: { file: 'server.js', line: 58, functionName: 'handleOrder' },
    resBytes: 160.4 * MiB,
    sincePrevious: { resBytes: 64 * MiB, ms: 1_240 },
    hasMappings: true,
  },
  {
    id: 3,
    atMs: NOW - 3_240,
    reason: 'breakpoint',
    location: { file: 'server.js', line: 57, functionName: 'handleOrder' },
    resBytes: 96.4 * MiB,
    sincePrevious: { resBytes: -1.25 * MiB, ms: 12_400 },
    hasMappings: true,
  },
  {
    id: 2,
    atMs: NOW - 15_640,
    reason: 'exception',
    location: { file: '<img src=x onerror=alert(6)>.js', line: 3, functionName: '<b>anonymous</b>' },
    resBytes: 97.65 * MiB,
    sincePrevious: { resBytes: 512 * 1024, ms: 800 },
    hasMappings: true,
  },
  {
    id: 1,
    atMs: NOW - 16_440,
    reason: 'breakpoint',
    location: undefined,
    resBytes: 97.15 * MiB,
    sincePrevious: undefined,
    hasMappings: false,
  },
];

const COMPARISON: StopComparison = {
  baselineId: 3,
  stopId: 4,
  kinds: [
    { kind: 'anonymous', rssBytes: 64 * MiB, pssBytes: 64 * MiB, privateBytes: 64 * MiB, rssAfterBytes: 118.2 * MiB },
    { kind: 'heap', rssBytes: 132 * 1024, pssBytes: 132 * 1024, privateBytes: 132 * 1024, rssAfterBytes: 4.1 * MiB },
    { kind: 'libraries', rssBytes: -8 * 1024, pssBytes: -3 * 1024, privateBytes: 0, rssAfterBytes: 21.7 * MiB },
  ],
  grew: [
    {
      name: '[anonymous]',
      kind: 'anonymous',
      perms: '',
      rssBytes: 64 * MiB,
      rssAfterBytes: 118.2 * MiB,
      appeared: false,
      vanished: false,
    },
    {
      name: '/home/dev/orders-api/node_modules/sharp/build/Release/<img src=x onerror=alert(7)>.node',
      kind: 'libraries',
      perms: 'r-xp',
      rssBytes: 412 * 1024,
      rssAfterBytes: 412 * 1024,
      appeared: true,
      vanished: false,
    },
    {
      name: '[heap]',
      kind: 'heap',
      perms: '',
      rssBytes: 132 * 1024,
      rssAfterBytes: 4.1 * MiB,
      appeared: false,
      vanished: false,
    },
  ],
  shrank: [],
  partialPause: true,
};

function debugMessages(): ToDebugView[] {
  if (scenario === 'idle') {
    return [{ type: 'state', debugging: false, rows: [] }];
  }
  if (scenario === 'terminals') {
    return terminalMessages();
  }
  const spark = leakingHistory(3600, NOW).res.slice(-120);
  const row = (overrides: Partial<DebugSessionRow>): DebugSessionRow => ({
    sessionId: 's1',
    parentSessionId: undefined,
    name: 'Launch Program',
    debugType: 'pwa-node',
    status: 'found',
    message: 'PID from the debug adapter (process event)',
    snapshot: snapshot({ resBytes: spark[spark.length - 1] }),
    sparkline: spark,
    sinceLastStop: 42 * MiB,
    children: undefined,
    sparklineTimesMs: spark.map((_, i) => NOW - (spark.length - 1 - i) * 1000),
    markers: [],
    stops: [],
    comparison: undefined,
    ...overrides,
  });
  const rows: DebugSessionRow[] = [
    row({
      sessionId: 'parent',
      name: 'Launch orders-api',
      status: 'found',
      children: { count: 3, resBytes: 1.21 * GiB, pss: { bytes: 0.97 * GiB } },
    }),
    row({
      sessionId: 'child',
      parentSessionId: 'parent',
      name: 'server.js [48214]',
      snapshot: snapshot({
        pid: 48214,
        name: 'node',
        resBytes: 96.4 * MiB,
        virtBytes: 1.02 * GiB,
        shrBytes: 31.2 * MiB,
        peakRes: { bytes: 102.5 * MiB },
      }),
      sparkline: spark.map((v) => v / 4),
      sinceLastStop: 64 * MiB,
      stops: STOPS,
      comparison: COMPARISON,
      markers: markersOver(spark.map((_, i) => NOW - (spark.length - 1 - i) * 1000)),
    }),
    row({
      sessionId: 'child2',
      parentSessionId: 'parent',
      name: `${HOSTILE_NAME} worker with a very long session name [48220]`,
      debugType: '<b>node</b>',
      snapshot: snapshot({ pid: 48220, name: HOSTILE_NAME, pss: { unavailable: 'no permission' } }),
      sinceLastStop: 0,
    }),
    row({
      sessionId: 'py',
      name: 'Python: Current File',
      debugType: 'debugpy',
      status: 'waiting',
      message: 'Waiting for the process event',
      snapshot: undefined,
      sparkline: [],
      sinceLastStop: undefined,
    }),
    row({
      sessionId: 'remote',
      name: 'Attach to container',
      debugType: 'node',
      status: 'remote',
      message: 'The debug adapter reported a process on another host (docker://orders).',
      snapshot: undefined,
      sparkline: [],
      sinceLastStop: undefined,
    }),
    row({
      sessionId: 'lldb',
      name: 'Debug ./bench/sample',
      debugType: 'lldb',
      status: 'not-found',
      message: 'The debugger did not say which process it started.',
      snapshot: undefined,
      sparkline: [],
      sinceLastStop: undefined,
    }),
    row({
      sessionId: 'old',
      name: 'Run tests',
      debugType: 'pwa-node',
      status: 'ended',
      message: 'The process exited with code 0.',
      sinceLastStop: undefined,
    }),
    row({
      sessionId: 'oom',
      name: 'Import batch',
      debugType: 'debugpy',
      status: 'ended',
      message: 'The process has exited.',
      sinceLastStop: undefined,
      oomKill:
        'memory.oom_control oom_kill of cgroup /docker/<img src=x onerror=alert(7)> rose by 1 (0 → 1) as it ended. Another process in the group may have been the victim instead. Last reading: RES 251.2 MiB, working set 254.1 MiB of the 256.0 MiB limit.',
    }),
  ];
  return [{ type: 'state', debugging: true, rows: scenario === 'one' ? rows.slice(0, 1) : rows }];
}

/** Not debugging; two terminals run a command, one of them with a hostile name and command line. */
function terminalMessages(): ToDebugView[] {
  const terminals: TerminalRow[] = [
    {
      index: 1,
      terminal: 'bash',
      pid: 51200,
      startTicks: 7712345,
      name: 'npm run dev',
      commandLine: 'npm run dev -- --port 5173 | tee dev.log',
      commandSource: 'shell',
      processes: 6,
      resBytes: 912.4 * MiB,
      pssBytes: 688.1 * MiB,
      pssMissing: 0,
      largest: { pid: 51233, name: 'node', bytes: 402.7 * MiB, figure: 'PSS' },
    },
    {
      index: 3,
      terminal: `${HOSTILE_NAME} $(zap) **bold**`,
      pid: 51300,
      startTicks: 7719999,
      name: HOSTILE_NAME,
      commandLine: `${HOSTILE_COMMAND} \\x1b[31m`,
      commandSource: 'proc',
      processes: 1,
      resBytes: 12.5 * MiB,
      pssBytes: 9.1 * MiB,
      pssMissing: 1,
      largest: { pid: 51300, name: HOSTILE_NAME, bytes: 12.5 * MiB, figure: 'RES' },
    },
  ];
  return [
    { type: 'state', debugging: false, rows: [] },
    { type: 'terminals', rows: terminals },
  ];
}

function recordingMessages(): ToRecordingView[] {
  if (scenario === 'invalid') {
    return [
      { type: 'invalid', fileName: 'broken.procmem.json', reason: 'The file ends in the middle: it is truncated.' },
    ];
  }
  // `day`: 24 hours at 1 Hz, the size the recording editor must draw without decimating.
  const history = leakingHistory(scenario === 'day' ? 86_400 : 600, NOW);
  const peak = history.res.reduce((max, value) => Math.max(max, value), 0);
  return [
    {
      type: 'recording',
      fileName: 'orders-api-48213.procmem.json',
      process: { pid: 48213, name: HOSTILE_NAME, commandLine: HOSTILE_COMMAND },
      context: {
        kernel: '6.1.0-28-amd64',
        totalRamBytes: 24 * GiB,
        cgroupLimitBytes: 2 * GiB,
        sampleIntervalMs: 1000,
        debugSession: 'server.js [48213] « Launch orders-api',
      },
      summary: {
        startMs: history.timesMs[0],
        durationMs: history.timesMs[history.timesMs.length - 1] - history.timesMs[0],
        peakResBytes: peak,
        peakAtMs: history.timesMs[history.res.indexOf(peak)],
        samples: history.res.length,
        stops: 3,
      },
      history,
      markers: markersOver(history.timesMs),
      note: undefined,
    },
  ];
}

function compareMessages(): ToCompareView[] {
  const before = leakingHistory(300, NOW);
  const after = { ...before, res: before.res.map((value, i) => Math.min(value, before.res[0] + i * 40 * 1024)) };
  const run = (name: string, series: HistorySeries) => ({
    fileName: `${name}.procmem.json`,
    name: 'node',
    pid: name === 'before' ? 48213 : 51022,
    startMs: series.timesMs[0],
    durationMs: series.timesMs[series.timesMs.length - 1] - series.timesMs[0],
    peakBytes: Math.max(...series.res),
    peakResBytes: Math.max(...series.res),
    timesS: series.timesMs.map((time) => (time - series.timesMs[0]) / 1000),
    values: series.res,
  });
  return [
    {
      type: 'compare',
      figure: 'RES',
      a: run('before', before),
      b: run('after', after),
      alignment: 'first-stop',
      canAlignAtStops: true,
      stops: [
        {
          place: 'handleOrder (server.js)',
          a: { label: 'server.js:41', atS: 0, resBytes: 402 * MiB },
          b: { label: 'server.js:44', atS: 0, resBytes: 380 * MiB },
          change: '-22.0 MiB RES in run B',
        },
        {
          place: 'handleOrder (server.js)',
          a: { label: 'server.js:57', atS: 1.2, resBytes: 466 * MiB },
          b: { label: 'server.js:60', atS: 1.1, resBytes: 381 * MiB },
          change: '-85.0 MiB RES in run B',
        },
        {
          place: '<b>cleanup</b> (server.js)',
          a: undefined,
          b: { label: 'server.js:90', atS: 3, resBytes: 381 * MiB },
          change: 'only in run B',
        },
      ],
      verdict:
        'Run B peaks 120.0 MiB lower than run A (300.1 MiB against 420.1 MiB); run A keeps growing at +8.20 MiB/min at its end, run B levels off after 30 s.',
    },
  ];
}

function startLive(): void {
  let t = NOW;
  let res = 420 * MiB;
  const rand = random(11);
  setInterval(() => {
    t += 1000;
    res += (rand() - 0.3) * 2 * MiB;
    if (view === 'inspect') {
      send({
        type: 'sample',
        snapshot: snapshot({ resBytes: res, sampledAtMs: t }),
        timeMs: t,
        trendPerMinute: 8.2 * MiB,
      });
    }
  }, 1000);
}

window.__savedState = () => state;
window.__snapshot = (overrides) => snapshot({ sampledAtMs: Date.now(), ...overrides });

window.acquireVsCodeApi = () => ({
  postMessage(message: unknown) {
    window.__posted.push(message);
    console.log(`[posted] ${JSON.stringify(message)}`);
    const type = (message as FromInspectPanel | FromDebugView).type;
    if (type === 'ready') {
      const replies: Record<string, () => Parameters<typeof send>[0][]> = {
        inspect: inspectMessages,
        debugView: debugMessages,
        recording: recordingMessages,
        compare: compareMessages,
      };
      for (const reply of (replies[view] ?? inspectMessages)()) {
        send(reply);
      }
      setTimeout(() => (window.__devReady = true), 50);
      if (live) {
        startLive();
      }
    }
  },
  getState: () => state ?? (params.get('state') ? JSON.parse(params.get('state')!) : undefined),
  setState: (next: unknown) => {
    state = next;
  },
});
