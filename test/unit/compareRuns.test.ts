// Comparing two recordings, on synthetic runs whose answer is known.
import * as assert from 'assert';
import {
  alignmentOrigins,
  comparedFigure,
  comparedValues,
  matchStops,
  runShape,
  stopChange,
  verdict,
} from '../../src/recordings/compareRuns';
import { makeRecording, Recording } from '../../src/recordings/recordingFile';
import { TimelineMarker } from '../../shared/model';
import { MiB } from '../../shared/units';

const T0 = 1_700_000_000_000;

/** A run sampled every second for `seconds`, RES given by `res(t)` in MiB. */
function run(seconds: number, res: (t: number) => number, markers: TimelineMarker[] = [], start = T0): Recording {
  const points = Array.from({ length: seconds + 1 }, (_, t) => ({
    timeMs: start + t * 1000,
    resBytes: Math.round(res(t) * MiB),
    virtBytes: 0,
    shrBytes: 0,
  }));
  return makeRecording({ pid: 1, startTicks: 1, name: 'app' }, points, markers, {
    kernel: 'k',
    totalRamBytes: 0,
    sampleIntervalMs: 1000,
  });
}

function stop(timeMs: number, functionName: string, file: string, line: number, resMiB: number): TimelineMarker {
  return {
    timeMs,
    kind: 'stop',
    label: `${file}:${line}`,
    detail: '',
    stop: {
      id: 1,
      reason: 'breakpoint',
      location: { file, line, functionName },
      resBytes: resMiB * MiB,
      sincePrevious: undefined,
    },
  };
}

describe('comparing two recordings', () => {
  it('a leak against its fix: B peaks lower and levels off, A keeps growing', () => {
    const leaking = run(120, (t) => 100 + t); // +60 MiB/min
    const fixed = run(120, (t) => 100 + Math.min(t, 30)); // grows 30 s, then flat
    const a = runShape(leaking, T0);
    const b = runShape(fixed, T0);
    assert.ok(Math.abs(a.endSlopePerMinute - 60 * MiB) < MiB, String(a.endSlopePerMinute / MiB));
    assert.strictEqual(a.levelsOffAtS, undefined);
    assert.ok(b.levelsOffAtS !== undefined && b.levelsOffAtS >= 24 && b.levelsOffAtS <= 30, String(b.levelsOffAtS));
    assert.strictEqual(
      verdict(a, b),
      `Run B peaks 90.0 MiB lower than run A (130.0 MiB against 220.0 MiB); run A keeps growing at +60.0 MiB/min at its end, run B levels off after ${b.levelsOffAtS} s.`,
    );
  });
  it('a GC sawtooth that returns to its base is not growth', () => {
    const shape = runShape(
      run(180, (t) => 200 + (t % 20) * 4),
      T0,
    );
    assert.strictEqual(shape.endSlopePerMinute, 0, JSON.stringify(shape));
    assert.notStrictEqual(shape.levelsOffAtS, undefined);
    // The same sawtooth on a leak still leaks.
    const leaking = runShape(
      run(180, (t) => 200 + t / 2 + (t % 20) * 4),
      T0,
    );
    assert.ok(
      Math.abs(leaking.endSlopePerMinute - 30 * MiB) < 4 * MiB && leaking.levelsOffAtS === undefined,
      JSON.stringify(leaking),
    );
  });
  it('runs that peak alike say so', () => {
    assert.match(
      verdict(
        runShape(
          run(60, () => 100),
          T0,
        ),
        runShape(
          run(60, () => 100.5),
          T0,
        ),
      ),
      /^Both runs peak at about 100\.5 MiB/,
    );
  });
  it('aligns at the first stop of each run when both have one, else at the start', () => {
    const a = run(60, () => 1, [stop(T0 + 12_000, 'main', 'a.js', 3, 1)]);
    const b = run(60, () => 1, [stop(T0 + 500_000 + 4_000, 'main', 'a.js', 3, 1)], T0 + 500_000);
    assert.deepStrictEqual(alignmentOrigins(a, b, 'first-stop'), {
      a: T0 + 12_000,
      b: T0 + 504_000,
      alignment: 'first-stop',
    });
    assert.deepStrictEqual(
      alignmentOrigins(
        a,
        run(60, () => 1),
        'first-stop',
      ),
      { a: T0, b: T0, alignment: 'start' },
    );
  });
  it('matches stops by function and file in order, not by line (code moves between runs)', () => {
    const a = [
      stop(T0 + 1000, 'load', 'app.js', 10, 100),
      stop(T0 + 2000, 'handle', 'app.js', 40, 150),
      stop(T0 + 3000, 'handle', 'app.js', 40, 210),
    ];
    const b = [
      stop(T0 + 1000, 'load', 'app.js', 12, 100),
      stop(T0 + 2000, 'handle', 'app.js', 45, 120),
      stop(T0 + 2500, 'cleanup', 'app.js', 80, 120),
    ];
    const pairs = matchStops(a, b, T0, T0);
    assert.deepStrictEqual(
      pairs.map((pair) => [pair.place, pair.a?.label, pair.b?.label, stopChange(pair)]),
      [
        ['load (app.js)', 'app.js:10', 'app.js:12', '±0 B RES in run B'],
        ['handle (app.js)', 'app.js:40', 'app.js:45', '-30.0 MiB RES in run B'],
        ['handle (app.js)', 'app.js:40', undefined, 'only in run A'],
        ['cleanup (app.js)', undefined, 'app.js:80', 'only in run B'],
      ],
    );
    assert.strictEqual(pairs[1].a?.atS, 2);
  });
});

describe('comparing two task runs', () => {
  /** A task run whose tree's RES and PSS sums are given per second, in MiB. */
  function taskRun(res: number[], pss: number[]): Recording {
    const recording = run(res.length - 1, (t) => res[t]);
    const pssBytes = pss.map((value) => value * MiB);
    const peak = Math.max(...pssBytes);
    recording.task = {
      label: 'build',
      source: 'Workspace',
      startMs: T0,
      durationMs: (res.length - 1) * 1000,
      sampleIntervalMs: 1000,
      pss: pssBytes,
      processes: pss.map(() => 9),
      peak: { bytes: peak, source: 'sampled-pss', pssBytes: peak, atMs: T0, processes: 9 },
      hwmSumBytes: 0,
      members: [],
      membersOmitted: 0,
    };
    return recording;
  }

  it('compares PSS summed, with RES summed beside: RES counts shared pages in every process', () => {
    // B's tree holds more of its own (PSS up) but shares more (RES summed down): RES alone would say "lower".
    const a = taskRun([400, 800, 1200, 1200], [100, 200, 300, 300]);
    const b = taskRun([400, 700, 1000, 1000], [100, 250, 400, 400]);
    const figure = comparedFigure(a, b);
    assert.strictEqual(figure, 'PSS summed');
    assert.deepStrictEqual(comparedValues(b, figure), b.task?.pss);
    const shapeA = runShape(a, T0, figure);
    const shapeB = runShape(b, T0, figure);
    assert.deepStrictEqual([shapeA.peakBytes, shapeA.resPeakBytes], [300 * MiB, 1200 * MiB]);
    assert.match(
      verdict(shapeA, shapeB, figure),
      /^Run B peaks 100\.0 MiB higher than run A in PSS summed \(400\.0 MiB against 300\.0 MiB; RES summed 1000\.0 MiB against 1\.17 GiB\);/,
    );
    // A task run against a debug session's recording: both by RES.
    assert.strictEqual(
      comparedFigure(
        a,
        run(3, () => 1),
      ),
      'RES',
    );
  });
});
