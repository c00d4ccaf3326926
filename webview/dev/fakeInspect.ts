// Dev harness only: what the host sends the inspect panel in each scenario (?scenario=…).
import type { HistorySeries, LeakForecast, ProcessSnapshot } from '../../shared/model';
import type { ToInspectPanel } from '../../shared/protocol/inspect';
import { MiB, GiB } from '../../shared/units';
import {
  HOSTILE_COMMAND,
  HOSTILE_NAME,
  NOW,
  cgroupOf,
  leakingHistory,
  mappings,
  markersOver,
  snapshot,
} from './fakeProcess';

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

export function inspectMessages(scenario: string): ToInspectPanel[] {
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
    case 'reloaded':
      // A page the webview reloaded (code-server does, when its service worker races): the host,
      // not told yet, sends it what the old page lacked (a delta) before its init answers the new ready.
      return [
        { type: 'sample', snapshot: { resBytes: 1, sampledAtMs: NOW }, timeMs: NOW, trendPerMinute: undefined },
        init({}),
      ];
    default:
      return [init({})];
  }
}
