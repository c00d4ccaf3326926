// Dev harness only: what the host sends the recording editor (?scenario=recording|invalid|day).
import type { ToRecordingView } from '../../shared/protocol/recording';
import { GiB } from '../../shared/units';
import { HOSTILE_COMMAND, HOSTILE_NAME, NOW, leakingHistory, markersOver } from './fakeProcess';

export function recordingMessages(scenario: string): ToRecordingView[] {
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
