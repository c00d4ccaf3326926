// Recordings keep each stop's runtime account, read it back checked and bounded, and Compare
// matches the accounts of the same stop in two runs.
import * as assert from 'assert';
import { matchStops, stopChange } from '../../src/recordings/compareRuns';
import { makeRecording, parseRecording, recordingToJson } from '../../src/recordings/recordingFile';
import { TimelineMarker } from '../../shared/model';
import { buildAccount, RuntimeAccount } from '../../shared/runtimeAccount';

const MiB = 1024 * 1024;
const T0 = 1_700_000_000_000;

function account(inUseMiB: number, freeKeptMiB: number, resMiB: number): RuntimeAccount {
  return buildAccount(
    {
      runtime: 'native',
      malloc: {
        arenaBytes: 0,
        inUseBytes: inUseMiB * MiB,
        mmappedBytes: 0,
        freeKeptBytes: freeKeptMiB * MiB,
        trimmableBytes: 0,
      },
    },
    resMiB * MiB,
    { bytes: 2 * MiB },
  );
}

function stopMarker(timeMs: number, resMiB: number, runtimeAccount: unknown): TimelineMarker {
  return {
    timeMs,
    kind: 'stop',
    label: 'grow.c:12',
    detail: '',
    stop: {
      id: 1,
      reason: 'breakpoint',
      location: { file: 'grow.c', line: 12, functionName: 'main' },
      resBytes: resMiB * MiB,
      sincePrevious: undefined,
      account: runtimeAccount as RuntimeAccount,
    },
  };
}

function roundTrip(markers: TimelineMarker[]) {
  const recording = makeRecording(
    { pid: 1, startTicks: 1, name: 'grow' },
    [{ timeMs: T0, resBytes: MiB, virtBytes: 0, shrBytes: 0 }],
    markers,
    { kernel: 'k', totalRamBytes: 0, sampleIntervalMs: 1000 },
  );
  const parsed = parseRecording(recordingToJson(recording, false));
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return parsed.recording;
}

describe('recordings carry the runtime account', () => {
  it('each stop keeps its account and reads it back the same', () => {
    const kept = account(50, 60, 120);
    const recording = roundTrip([stopMarker(T0, 120, kept)]);
    assert.deepStrictEqual(recording.markers[0].stop?.account, kept);
  });

  it('a hostile or oversized account is dropped, the stop stays', () => {
    const recording = roundTrip([
      stopMarker(T0, 120, { ...account(1, 1, 10), terms: Array(1000).fill({ key: 'rest', bytes: 1 }) }),
      stopMarker(T0 + 1, 120, { runtime: 'native', resBytes: 'x', terms: [] }),
    ]);
    assert.strictEqual(recording.markers.length, 2);
    assert.strictEqual(recording.markers[0].stop?.account, undefined);
    assert.strictEqual(recording.markers[1].stop?.account, undefined);
  });

  it('Compare says which part of RES differs at the same stop of two runs', () => {
    const a = roundTrip([stopMarker(T0, 120, account(50, 60, 120))]);
    const b = roundTrip([stopMarker(T0, 150, account(50, 90, 150))]);
    const [pair] = matchStops(a.markers, b.markers, T0, T0);
    assert.strictEqual(
      stopChange(pair),
      'RES +30.0 MiB: in use by malloc ±0 B · free but kept by malloc +30.0 MiB · code and libraries ±0 B · the rest ±0 B in run B',
    );
    const withoutB = roundTrip([stopMarker(T0, 150, undefined)]);
    assert.strictEqual(stopChange(matchStops(a.markers, withoutB.markers, T0, T0)[0]), '+30.0 MiB RES in run B');
  });
});
