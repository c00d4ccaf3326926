// Dev harness only (not shipped): the fake process every view's scenarios are made of, a Node
// server leaking memory, with a hostile twin. Deterministic, so screenshots and tests are stable.
import type {
  CgroupFigure,
  HistorySeries,
  MappingKindRow,
  MappingRow,
  MappingsFigure,
  ProcessSnapshot,
  TimelineMarker,
} from '../../shared/model';
import { MiB, GiB } from '../../shared/units';

/** The time of the latest reading, on a whole second. */
export const NOW = Math.floor(Date.now() / 1000) * 1000;

export const HOSTILE_NAME = '<img src=x onerror=alert(1)>';
export const HOSTILE_COMMAND = `sh -c "<script>alert(document.cookie)</script>" '"><svg onload=alert(1)>' --style="background:red" javascript:alert(1) ${'A'.repeat(180)}`;

/** A deterministic pseudo-random sequence, so screenshots are stable. */
export function random(seed: number): () => number {
  let value = seed;
  return () => {
    value = (value * 1103515245 + 12345) % 2 ** 31;
    return value / 2 ** 31;
  };
}

/** An hour at 1 s of a leaking Node process: growth, GC sawtooth, noise; SHR almost flat. */
export function leakingHistory(points: number, endMs: number): HistorySeries {
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

const HOSTILE_LIBRARY = '/tmp/<img src=x onerror=alert(1)>.so';

/**
 * Where RES lives for a Node server of `res` bytes, shaped like a real one (/proc/PID/smaps of
 * node 20 with sharp loaded): anonymous takes what the other kinds leave, so the kinds add up to RES.
 */
export function mappings(res: number, hostile = false): MappingsFigure {
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
export function cgroupOf(path: string, usage: number, inactiveFile: number, limit: number): CgroupFigure {
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

export function snapshot(overrides: Partial<ProcessSnapshot> = {}): ProcessSnapshot {
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

/** Three stops and a user marker spread over a history, as a debug session leaves them. */
export function markersOver(timesMs: readonly number[]): TimelineMarker[] {
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
