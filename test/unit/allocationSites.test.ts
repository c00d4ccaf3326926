// The lines that allocated memory between two stops: V8's sampling profile (a real one, taken in
// this process through node:inspector, then broken on purpose), the tracemalloc helper in a real
// /usr/bin/python3 (inside a function frame: no names added, nothing printed), the attribution to
// the innermost frame of the user's own code, the sum-of-sites sentence, recordings and Compare.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Session } from 'node:inspector';
import {
  accountSentence,
  compareSites,
  MAX_SITES,
  parseOpenSite,
  parseRecordedSites,
  recordedSites,
  siteLabel,
  StopAllocations,
} from '../../shared/allocationSites';
import { allocationTips } from '../../src/debug/allocations/allocationTipHover';
import {
  attributeSites,
  AllocationTrace,
  isOwnCode,
  madeByDebugger,
} from '../../src/debug/allocations/siteAttribution';
import { parseTracemallocAnswer } from '../../src/debug/allocations/tracemallocSites';
import { parseSamplingProfile } from '../../src/debug/allocations/v8SamplingProfile';
import { parsePythonHelperAnswer, pythonHelperExpression } from '../../src/debug/runtime/pythonHelper';
import { parseRecording } from '../../src/recordings/recordingFile';
import { stopChange } from '../../src/recordings/compareRuns';

const MiB = 1024 * 1024;
type Sites = Extract<StopAllocations, { state: 'sites' }>;

function post<T>(session: Session, method: string, params: object = {}): Promise<T> {
  return new Promise((resolve, reject) =>
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result as T))),
  );
}

/** Held by the sampled allocation below, so the profile (live objects only) keeps it. */
let kept: number[][] = [];
function allocateKnown(): number[][] {
  return Array.from({ length: 200000 }, (_, i) => new Array(16).fill(i));
}

describe('V8 sampling profile', () => {
  let profile: unknown;
  let firstOrdinal = 0;

  before(async () => {
    const session = new Session();
    session.connect();
    try {
      await post(session, 'HeapProfiler.enable');
      await post(session, 'HeapProfiler.startSampling', { samplingInterval: 32768 });
      const empty = parseSamplingProfile(await post(session, 'HeapProfiler.getSamplingProfile'), 0);
      assert.ok(empty.ok);
      firstOrdinal = empty.maxOrdinal;
      kept = allocateKnown();
      profile = await post(session, 'HeapProfiler.getSamplingProfile');
      await post(session, 'HeapProfiler.stopSampling');
    } finally {
      session.disconnect();
    }
  });

  after(() => {
    assert.equal(kept.length, 200000);
    kept = [];
  });

  it('finds the allocation of a real profile at the function that made it, within 10 % of its size', () => {
    const reading = parseSamplingProfile(profile, firstOrdinal);
    assert.ok(reading.ok, JSON.stringify(reading));
    const { sites } = attributeSites(reading.traces, []);
    const top = sites[0];
    assert.equal(top.frame.file, 'allocationSites.test.js');
    // 200 000 arrays of 16 elements, a JSArray (32 bytes) and its FixedArray (16 + 16 × 8) each, in
    // one array of 200 000 (16 + 200 000 × 8): about 1 000 samples, so the estimate is within ~3 %.
    const expected = 200000 * (32 + 16 + 16 * 8) + 16 + 200000 * 8;
    const ours = sites.filter((site) => site.frame.file === 'allocationSites.test.js').reduce((a, s) => a + s.bytes, 0);
    assert.ok(Math.abs(ours - expected) <= expected * 0.1, `sampled ${ours}, allocated ${expected}`);
    assert.ok(top.stack.every((frame, index) => index === 0 || frame !== top.frame));
    assert.ok(reading.maxOrdinal > firstOrdinal);
  });

  it('keeps only the samples newer than the previous read', () => {
    const reading = parseSamplingProfile(profile, Number.MAX_SAFE_INTEGER - 1);
    assert.ok(reading.ok);
    assert.deepEqual(reading.traces, []);
  });

  it('refuses garbage and cut profiles with a reason, never half-reads them', () => {
    const good = profile as { profile: { head: unknown; samples: { nodeId: number }[] } };
    const cases: [string, unknown][] = [
      ['nothing', undefined],
      ['a string', 'profile'],
      ['no samples', { profile: { head: good.profile.head } }],
      ['no head', { profile: { samples: good.profile.samples } }],
      ['a node without an id', { profile: { head: { callFrame: {} }, samples: [] } }],
      [
        'a sample naming a missing node',
        { profile: { head: good.profile.head, samples: [{ size: 1, nodeId: 999999999, ordinal: 1 }] } },
      ],
      ['a negative size', { profile: { head: good.profile.head, samples: [{ size: -5, nodeId: 1, ordinal: 1 }] } }],
      // A profile cut in the middle of its samples, as a truncated answer would parse if it parsed at all.
      ['samples cut short', { profile: { head: good.profile.head, samples: [{ size: 1 }] } }],
    ];
    for (const [name, value] of cases) {
      const reading = parseSamplingProfile(value, 0);
      assert.equal(reading.ok, false, name);
      assert.ok(!reading.ok && reading.reason.length > 0, name);
    }
  });
});

describe('attribution to the innermost frame of the user’s own code', () => {
  const frame = (path: string, line: number, functionName = 'f') => ({ path, line, functionName });
  const stdlib = ['/usr/lib/python3.11/'];

  it('passes over libraries, the runtime and built-ins to the user’s frame', () => {
    const traces: AllocationTrace[] = [
      {
        bytes: 80 * MiB,
        count: 1,
        frames: [
          frame('', 0, 'map'),
          frame('file:///app/node_modules/lodash/map.js', 10, 'baseMap'),
          frame('node:internal/util', 3),
          frame('file:///app/src/fill.js', 5, 'fill'),
          frame('file:///app/src/main.js', 2, 'main'),
        ],
      },
      {
        bytes: 2 * MiB,
        count: 2000,
        frames: [frame('/usr/lib/python3.11/json/decoder.py', 353, 'raw_decode'), frame('/home/u/grow.py', 7, 'load')],
      },
      {
        bytes: 1 * MiB,
        count: 9,
        frames: [frame('/venv/lib/python3.11/site-packages/numpy/core.py', 1), frame('/home/u/grow.py', 9, 'calc')],
      },
    ];
    const { sites, sitesBytes } = attributeSites(traces, stdlib);
    assert.deepEqual(
      sites.map((site) => [site.frame.file, site.frame.line, site.frame.functionName, site.bytes]),
      [
        ['fill.js', 5, 'fill', 80 * MiB],
        ['grow.py', 7, 'load', 2 * MiB],
        ['grow.py', 9, 'calc', 1 * MiB],
      ],
    );
    assert.equal(sitesBytes, 83 * MiB);
    assert.equal(sites[0].stack.length, 5, 'the whole stack for the hover');
    assert.equal(sites[0].frame.path, '/app/src/fill.js');
    assert.deepEqual(
      sites[0].stack.map((entry) => entry.own),
      [false, false, false, true, true],
    );
  });

  it('sums the traces of one line and keeps the largest stack', () => {
    const traces: AllocationTrace[] = [
      { bytes: 10, count: 1, frames: [frame('/a.py', 1, 'x'), frame('/b.py', 1, 'small')] },
      { bytes: 30, count: 2, frames: [frame('/a.py', 1, 'x'), frame('/c.py', 1, 'large')] },
    ];
    const { sites } = attributeSites(traces, []);
    assert.equal(sites.length, 1);
    assert.equal(sites[0].bytes, 40);
    assert.equal(sites[0].count, 3);
    assert.equal(sites[0].stack[1].functionName, 'large');
  });

  it('attributes a stack with no user frame to its innermost frame, marked as not the user’s', () => {
    const { sites } = attributeSites([{ bytes: 5, count: 1, frames: [frame('node:fs', 4, 'readFileSync')] }], []);
    assert.equal(sites[0].frame.file, 'node:fs');
    assert.equal(sites[0].frame.own, false);
  });

  it('leaves out what the debugger and the helper made, what shrank, and keeps at most MAX_SITES', () => {
    const pydevd = '/usr/lib/python3/dist-packages/debugpy/_vendored/pydevd/_pydevd_bundle/pydevd_comm.py';
    assert.ok(madeByDebugger([frame('/usr/lib/python3.11/json/encoder.py', 1), frame(pydevd, 2)], stdlib));
    assert.ok(madeByDebugger([frame('<procmem helper>', 3)], stdlib));
    assert.ok(!madeByDebugger([frame('/home/u/app.py', 1), frame(pydevd, 2)], stdlib));
    // A project in a folder called "debugpy" is the user's own.
    assert.ok(isOwnCode('/home/u/debugpy/main.py', stdlib));
    assert.ok(!isOwnCode('/usr/lib/python3.11/random.py', stdlib));
    const many: AllocationTrace[] = Array.from({ length: 30 }, (_, i) => ({
      bytes: 100 + i,
      count: 1,
      frames: [frame('/app.py', i + 1)],
    }));
    many.push({ bytes: -50, count: -1, frames: [frame('/gone.py', 1)] });
    many.push({ bytes: 1000, count: 1, frames: [frame(pydevd, 1)] });
    const { sites } = attributeSites(many, stdlib);
    assert.equal(sites.length, MAX_SITES);
    assert.equal(sites[0].frame.line, 30);
    assert.ok(sites.every((site) => site.frame.path === '/app.py'));
  });
});

describe('the tracemalloc helper in a real python3', function () {
  this.timeout(60000);
  /** Runs the helper's expressions in a function frame of a real program, as pydevd's evaluate would. */
  function runInPython(program: string[]): { answers: string[]; same: boolean; stdout: string; stderr: string } {
    const script = [
      'import io, json, sys, random',
      'def big_buffer(size):',
      '    return bytearray(size)',
      'def make_small(count):',
      '    return [random.randbytes(100) for _ in range(count)]',
      'def user_function(expressions):',
      '    held = []',
      '    before = (sorted(locals()), sorted(globals()))',
      '    out, err = io.StringIO(), io.StringIO()',
      '    sys.stdout, sys.stderr = out, err',
      '    answers = []',
      '    try:',
      '        answers.append(eval(expressions[0], globals(), locals()))',
      ...program.map((line) => `        ${line}`),
      '    finally:',
      '        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__',
      '    after = (sorted(k for k in locals() if k not in ("before", "out", "err", "answers")), sorted(globals()))',
      '    before = (sorted(k for k in before[0] if k not in ("before", "out", "err", "answers")), before[1])',
      '    print(json.dumps({"answers": answers, "same": before == after, "stdout": out.getvalue(), "stderr": err.getvalue()}))',
      'user_function(sys.argv[1:])',
    ].join('\n');
    const start = pythonHelperExpression('tracemalloc_start', { frames: 25 });
    const read = pythonHelperExpression('tracemalloc_read', { limit: 60, frames: 25 });
    // A file, as a user's program is (tracemalloc names `-c` code `<string>`, which is nobody's file).
    const dir = mkdtempSync(path.join(os.tmpdir(), 'proc-memory-tracemalloc-'));
    try {
      const file = path.join(dir, 'program.py');
      writeFileSync(file, script);
      const output = execFileSync('/usr/bin/python3', [file, start, read], { encoding: 'utf8', maxBuffer: 64 * MiB });
      return JSON.parse(output);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('names the lines that allocated since the last read, within 10 % of what the program built, adds no names, prints nothing', () => {
    const result = runInPython([
      'held.append(big_buffer(8 * 1024 * 1024))',
      'answers.append(eval(expressions[1], globals(), locals()))',
      'held.append(make_small(50000))',
      'answers.append(eval(expressions[1], globals(), locals()))',
    ]);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr, '');
    assert.ok(result.same, 'no name added to the frame');
    const reads = result.answers.slice(1).map((answer) => {
      const helper = parsePythonHelperAnswer(JSON.stringify(answer));
      assert.ok(helper.ok, JSON.stringify(helper));
      const parsed = parseTracemallocAnswer(helper.value);
      assert.ok(parsed.ok, JSON.stringify(parsed));
      return { ...parsed, ...attributeSites(parsed.traces, parsed.libraryPrefixes) };
    });
    const [first, second] = reads;
    assert.deepEqual([first.sites[0].frame.functionName, first.sites[0].frame.line], ['big_buffer', 3]);
    assert.ok(Math.abs(first.sites[0].bytes - 8 * MiB) < 8 * MiB * 0.1, String(first.sites[0].bytes));
    // Compared with the previous read, not the start: the buffer is not counted again.
    assert.deepEqual([second.sites[0].frame.functionName, second.sites[0].frame.line], ['make_small', 5]);
    const built = 50000 * (33 + 100);
    assert.ok(Math.abs(second.sites[0].bytes - built) < built * 0.1, `${second.sites[0].bytes} vs ${built}`);
    assert.ok(!second.sites.some((site) => site.frame.functionName === 'big_buffer'));
    // Through the standard library: random.randbytes is in the stack, not the site.
    assert.ok(second.sites[0].stack.some((frame) => frame.file === 'random.py' && !frame.own));
    assert.ok(second.tracedGrowth! > built * 0.9, `traced growth ${second.tracedGrowth}`);
  });

  it('refuses garbage and cut answers with a reason', () => {
    for (const value of [
      null,
      'traces',
      { traces: 'x', libraryPrefixes: [] },
      { traces: [{ bytes: -1, count: 1, frames: [] }], libraryPrefixes: [] },
      { traces: [{ bytes: 1, count: 1, frames: [{ path: 3, line: 1 }] }], libraryPrefixes: [] },
      { traces: [{ bytes: 1, count: 1 }], libraryPrefixes: [] },
      { traces: [] },
    ]) {
      const parsed = parseTracemallocAnswer(value);
      assert.equal(parsed.ok, false, JSON.stringify(value));
    }
    // A cut answer never reaches the parser: the helper's JSON does not parse.
    const cut = parsePythonHelperAnswer(`'{"ok": true, "value": {"traces": [{"bytes": 1'`);
    assert.equal(cut.ok, false);
  });
});

describe('what the sites say', () => {
  const sites: Sites = {
    state: 'sites',
    tracer: 'tracemalloc',
    sites: [
      {
        frame: { functionName: 'fill', file: 'grow.py', path: '/w/grow.py', line: 5, own: true },
        bytes: 80 * MiB,
        count: 1,
        stack: [{ functionName: 'fill', file: 'grow.py', path: '/w/grow.py', line: 5, own: true }],
      },
    ],
    sitesBytes: 78.2 * MiB,
    runtimeGrowth: { bytes: 80 * MiB, label: "tracemalloc's traced memory" },
    sinceStopId: 1,
    costMs: 12,
  };

  it('labels a site and says how much of the runtime’s growth the sites account for', () => {
    assert.equal(siteLabel(sites.sites[0], 'tracemalloc'), 'grow.py:5 in fill · +80.0 MiB in 1 block');
    assert.equal(
      accountSentence(sites),
      "The sites account for 78.2 of 80.0 MiB (tracemalloc's traced memory grew by that much since the last stop).",
    );
    assert.match(
      accountSentence({ ...sites, runtimeGrowth: { bytes: -3 * MiB, label: 'the V8 heap used' } }),
      /changed by -3\.00 MiB/,
    );
    assert.equal(accountSentence({ ...sites, runtimeGrowth: undefined }), 'The sites add up to 78.2 MiB.');
  });

  it('puts one tip per allocating line, with the stack and the sentence in its hover', () => {
    const tips = allocationTips(sites, 2);
    assert.equal(tips.length, 1);
    assert.deepEqual(
      [tips[0].path, tips[0].line, tips[0].text],
      ['/w/grow.py', 4, 'allocated +80.0 MiB since the last stop'],
    );
    assert.match(tips[0].hover, /grow\\\.py:5 in fill/);
    assert.match(tips[0].hover, /The sites account for 78\\\.2 of 80\\\.0 MiB/);
    assert.match(allocationTips({ ...sites, sinceStopId: 1 }, 5)[0].hover, /since stop #1/);
  });

  it('recordings keep the sites, checked; Compare matches them by function and file', () => {
    const kept = recordedSites(sites)!;
    assert.deepEqual(kept, [{ file: 'grow.py', line: 5, functionName: 'fill', bytes: 80 * MiB, count: 1 }]);
    assert.deepEqual(parseRecordedSites([...kept, { file: 1 }, null, 'x']), kept);
    assert.equal(parseRecordedSites('nope'), undefined);
    const text = JSON.stringify({
      schema: 'proc-memory/recording',
      version: 1,
      process: { pid: 1, startTicks: 1, name: 'p' },
      context: {},
      samples: { timeMs: [1], res: [1], virt: [1], shr: [1] },
      markers: [
        { timeMs: 1, kind: 'stop', label: 'grow.py:5', detail: '', stop: { id: 1, sites: [...kept, { bytes: 'x' }] } },
      ],
    });
    const parsed = parseRecording(text);
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.recording.markers[0].stop?.sites, kept);
    const halved = kept.map((site) => ({ ...site, line: 6, bytes: 40 * MiB }));
    assert.equal(compareSites(kept, halved), 'allocated: fill (grow.py) +80.0 MiB → +40.0 MiB');
    assert.equal(compareSites(undefined, undefined), '');
    const pair = {
      place: 'fill (grow.py)',
      a: { label: 'a', atS: 0, resBytes: 100 * MiB, sincePreviousBytes: undefined, sites: kept },
      b: { label: 'b', atS: 0, resBytes: 60 * MiB, sincePreviousBytes: undefined, sites: halved },
    };
    assert.equal(stopChange(pair), '-40.0 MiB RES in run B; allocated: fill (grow.py) +80.0 MiB → +40.0 MiB');
  });

  it('accepts only well-formed openSite intents', () => {
    assert.deepEqual(parseOpenSite({ type: 'openSite', sessionId: 's', stopId: 2, index: 0 }), {
      type: 'openSite',
      sessionId: 's',
      stopId: 2,
      index: 0,
    });
    for (const bad of [
      { type: 'openSite', sessionId: '', stopId: 2, index: 0 },
      { type: 'openSite', sessionId: 's', stopId: 0, index: 0 },
      { type: 'openSite', sessionId: 's', stopId: 2, index: MAX_SITES },
      { type: 'openSite', sessionId: 's', stopId: 2, index: '0' },
    ]) {
      assert.equal(parseOpenSite(bad), undefined, JSON.stringify(bad));
    }
  });
});
