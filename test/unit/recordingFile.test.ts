// The recording file: what it holds, that it reads back, that older exports still open, and that
// every kind of bad file gets a clear reason instead of an exception.
import * as assert from 'assert';
import {
  makeRecording,
  MAX_RECORDING_BYTES,
  parseRecording,
  Recording,
  recordingToJson,
  summarize,
  thinOlderHalf,
} from '../../src/recordings/recordingFile';
import { MiB } from '../../shared/units';

/** What JSON keeps of a value (fields that are undefined are not written). */
const asWritten = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

function sample(): Recording {
  const points = Array.from({ length: 5 }, (_, i) => ({
    timeMs: 1_700_000_000_000 + i * 1000,
    resBytes: (100 + i * 10) * MiB,
    virtBytes: (900 + i) * MiB,
    shrBytes: (20 + i) * MiB,
  }));
  return makeRecording(
    {
      pid: 4242,
      startTicks: 987654,
      name: '<img src=x onerror=alert(1)>',
      commandLine: 'node server.js --token=SECRET',
    },
    points,
    [
      {
        timeMs: 1_700_000_001_000,
        kind: 'stop',
        label: 'server.js:41',
        detail: 'breakpoint',
        stop: {
          id: 1,
          reason: 'breakpoint',
          location: { file: 'server.js', line: 41, functionName: 'main' },
          resBytes: 110 * MiB,
          sincePrevious: undefined,
        },
      },
      { timeMs: 1_700_000_003_000, kind: 'user', label: 'after load', detail: 'Added by you' },
    ],
    {
      kernel: '6.1.0',
      totalRamBytes: 24 * 1024 * MiB,
      cgroupLimitBytes: 2 * 1024 * MiB,
      sampleIntervalMs: 1000,
      debugSession: 'Launch',
    },
  );
}

describe('recording file', () => {
  it('holds the samples as columns and reads back the same', () => {
    const recording = sample();
    assert.deepStrictEqual(
      recording.samples.res,
      [100, 110, 120, 130, 140].map((mib) => mib * MiB),
    );
    assert.deepStrictEqual(
      recording.samples.virt,
      [900, 901, 902, 903, 904].map((mib) => mib * MiB),
    );
    assert.deepStrictEqual(
      recording.samples.shr,
      [20, 21, 22, 23, 24].map((mib) => mib * MiB),
    );
    const parsed = parseRecording(recordingToJson(recording, true));
    assert.ok(parsed.ok, JSON.stringify(parsed));
    assert.deepStrictEqual(parsed.recording, asWritten(recording));
    assert.strictEqual(parsed.fromOlderExport, false);
  });
  it('leaves the command line out when asked (it can hold secrets)', () => {
    const text = recordingToJson(sample(), false);
    assert.ok(!text.includes('SECRET'));
    const parsed = parseRecording(text);
    assert.ok(parsed.ok && parsed.recording.process.commandLine === undefined);
  });
  it('summarizes: start, duration, peak RES, samples, stops', () => {
    assert.deepStrictEqual(summarize(sample()), {
      name: '<img src=x onerror=alert(1)>',
      startMs: 1_700_000_000_000,
      durationMs: 4000,
      peakResBytes: 140 * MiB,
      peakAtMs: 1_700_000_004_000,
      samples: 5,
      stops: 1,
    });
  });
  it('a day at 1 Hz stays small', () => {
    const points = Array.from({ length: 86_400 }, (_, i) => ({
      timeMs: 1_700_000_000_000 + i * 1000,
      resBytes: 400 * MiB + i * 4096,
      virtBytes: 2048 * MiB,
      shrBytes: 40 * MiB,
    }));
    const bytes = recordingToJson(
      makeRecording({ pid: 1, startTicks: 1, name: 'x' }, points, [], {
        kernel: 'k',
        totalRamBytes: 1,
        sampleIntervalMs: 1000,
      }),
      true,
    ).length;
    assert.ok(bytes < 5 * MiB, `${bytes} bytes`);
  });
  it('opens an export written by 0.1 (rows of samples, no schema)', () => {
    const old = JSON.stringify({
      process: { pid: 7, startTicks: 70, name: 'node', commandLine: 'node a.js' },
      exportedAt: '2026-11-01T00:00:00Z',
      unit: 'bytes',
      samples: [
        { timeMs: 1000, resBytes: 10, shrBytes: 3, virtBytes: 100 },
        { timeMs: 2000, resBytes: 20, shrBytes: 4, virtBytes: 200 },
      ],
    });
    const parsed = parseRecording(old);
    assert.ok(parsed.ok, JSON.stringify(parsed));
    assert.strictEqual(parsed.fromOlderExport, true);
    assert.deepStrictEqual(parsed.recording.samples, {
      timeMs: [1000, 2000],
      res: [10, 20],
      virt: [100, 200],
      shr: [3, 4],
    });
  });
  const bad: [string, string, RegExp][] = [
    ['not JSON', 'hello', /not JSON/],
    ['truncated', recordingToJson(sample(), true).slice(0, 300), /truncated/],
    ['JSON but not a recording', '{"a": 1}', /not a Proc Memory recording/],
    ['an array', '[1,2]', /not a Proc Memory recording/],
    ['an unknown version', JSON.stringify({ ...sample(), version: 2 }), /version 2.*reads version 1/],
    ['no process', JSON.stringify({ ...sample(), process: null }), /"process"/],
    [
      'a column with text',
      JSON.stringify({ ...sample(), samples: { ...sample().samples, res: [1, 2, '3', 4, 5] } }),
      /"res" column/,
    ],
    [
      'columns of different lengths',
      JSON.stringify({ ...sample(), samples: { ...sample().samples, shr: [1] } }),
      /different lengths/,
    ],
    [
      'times going backwards',
      JSON.stringify({ ...sample(), samples: { ...sample().samples, timeMs: [5, 4, 3, 2, 1] } }),
      /backwards/,
    ],
    [
      'a negative size',
      JSON.stringify({ ...sample(), samples: { ...sample().samples, res: [1, 2, -3, 4, 5] } }),
      /"res" column/,
    ],
  ];
  for (const [what, text, reason] of bad) {
    it(`a bad file gets a clear reason: ${what}`, () => {
      const parsed = parseRecording(text);
      assert.ok(!parsed.ok, what);
      assert.match(parsed.reason, reason);
    });
  }
  it('refuses a file larger than the stated maximum before parsing it', () => {
    const parsed = parseRecording(' '.repeat(MAX_RECORDING_BYTES + 1));
    assert.ok(!parsed.ok && /larger than 64 MiB/.test(parsed.reason));
  });
  it('drops markers that are not shaped like markers, keeps the rest in time order', () => {
    const recording = sample();
    const text = JSON.stringify({
      ...recording,
      markers: [
        recording.markers[1],
        { timeMs: 'x' },
        null,
        recording.markers[0],
        { timeMs: 1, kind: 'evil', label: '', detail: '' },
      ],
    });
    const parsed = parseRecording(text);
    assert.ok(parsed.ok);
    assert.deepStrictEqual(parsed.recording.markers, asWritten(recording).markers);
  });
});

describe('thinning a long recording', () => {
  it('halves the older half and keeps the recent half whole', () => {
    const points = Array.from({ length: 10 }, (_, i) => i);
    thinOlderHalf(points);
    assert.deepStrictEqual(points, [0, 2, 4, 5, 6, 7, 8, 9]);
  });
});
