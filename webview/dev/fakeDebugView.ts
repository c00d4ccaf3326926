// Dev harness only: what the host sends the debug view (?scenario=sessions|idle|one|terminals).
import type {
  DebugSessionRow,
  StopComparison,
  StopRow,
  TerminalRow,
  ToDebugView,
} from '../../shared/protocol/debugView';
import { MiB, GiB } from '../../shared/units';
import { HOSTILE_COMMAND, HOSTILE_NAME, NOW, leakingHistory, markersOver, snapshot } from './fakeProcess';

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

export function debugMessages(scenario: string): ToDebugView[] {
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
