/**
 * What tracking allocations costs the debugged program (no targets: the README states the ratios).
 * The same workload, a JSON round trip of a large document (the standard library's `json` in
 * /usr/bin/python3, `JSON` in Node), timed untracked and tracked in alternating rounds of one
 * process, so that drift hits both alike:
 * - Python: with tracemalloc started as at a stop (`tracemalloc.start(25)`), stopped between rounds;
 * - Node: with V8's sampling heap profiler started as at a stop (`HeapProfiler.startSampling`,
 *   32 KiB) through an in-process inspector session, the same sampler js-debug's CDP proxy reaches.
 * Also what reading the sites at a stop costs: the helper's read (Python) and `getSamplingProfile`
 * (Node, which forces a full garbage collection).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import { TRACEMALLOC_PART } from '../src/debug/allocations/tracemallocHelper';
import { Summary } from './measure';

const ROUNDS = 5;

export interface AllocationCost {
  id: string;
  operation: string;
  summary?: Summary;
  ratio?: number;
  ratioText?: string;
  skipped?: string;
  note?: string;
}

const PYTHON = `
import json, sys, time, tracemalloc
rounds = int(sys.argv[1])
doc = [{"id": i, "name": "item %d" % i, "tags": ["a", "b", "c"], "value": i * 1.5, "nested": {"k": [i, i + 1]}} for i in range(30000)]
text = json.dumps(doc)
helper = {}
exec(compile(sys.argv[2], "<procmem helper>", "exec"), helper)
def round_trip():
    start = time.perf_counter_ns()
    json.loads(json.dumps(json.loads(text)))
    return time.perf_counter_ns() - start
round_trip()
plain, traced, reads = [], [], []
for _ in range(rounds):
    plain.append(round_trip())
    helper["tracemalloc_start"](25)
    traced.append(round_trip())
    kept = json.loads(text)
    start = time.perf_counter_ns()
    helper["tracemalloc_read"](60, 25)
    reads.append(time.perf_counter_ns() - start)
    del kept
    helper["_tm_previous"] = None
    tracemalloc.stop()
print(json.dumps({"plain": plain, "traced": traced, "reads": reads, "bytes": len(text)}))
`;

const NODE = `
const { Session } = require('node:inspector');
const rounds = Number(process.argv[1]);
const doc = Array.from({ length: 30000 }, (_, i) => ({ id: i, name: 'item ' + i, tags: ['a', 'b', 'c'], value: i * 1.5, nested: { k: [i, i + 1] } }));
const text = JSON.stringify(doc);
const session = new Session();
session.connect();
const post = (method, params = {}) => { let out; session.post(method, params, (error, result) => { if (error) throw error; out = result; }); return out; };
const roundTrip = () => { const start = process.hrtime.bigint(); JSON.parse(JSON.stringify(JSON.parse(text))); return Number(process.hrtime.bigint() - start); };
roundTrip();
const plain = [], traced = [], reads = [];
post('HeapProfiler.enable');
for (let r = 0; r < rounds; r++) {
  plain.push(roundTrip());
  post('HeapProfiler.startSampling', { samplingInterval: 32768 });
  traced.push(roundTrip());
  const kept = JSON.parse(text);
  const start = process.hrtime.bigint();
  post('HeapProfiler.getSamplingProfile');
  reads.push(Number(process.hrtime.bigint() - start));
  post('HeapProfiler.stopSampling');
  if (kept.length !== 30000) throw new Error('kept');
}
console.log(JSON.stringify({ plain, traced, reads, bytes: text.length }));
`;

/** Median and p90 of per-round times (one operation per round). */
function summaryOf(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { medianNs: at(0.5), p90Ns: at(0.9), minNs: sorted[0], operations: samples.length, samples };
}

function rowsOf(
  runtime: string,
  idPrefix: string,
  tracer: string,
  read: string,
  result: { plain: number[]; traced: number[]; reads: number[]; bytes: number },
): AllocationCost[] {
  const plain = summaryOf(result.plain);
  const traced = summaryOf(result.traced);
  const ratio = traced.medianNs / plain.medianNs;
  const size = `${(result.bytes / 1048576).toFixed(1)} MiB of JSON`;
  return [
    {
      id: `${idPrefix}-plain`,
      operation: `${runtime} JSON round trip (${size}), untracked`,
      summary: plain,
    },
    {
      id: `${idPrefix}-traced`,
      operation: `${runtime} JSON round trip (${size}), with ${tracer}`,
      summary: traced,
      ratio,
      ratioText: `${ratio.toFixed(2)}x untracked`,
    },
    {
      id: `${idPrefix}-read`,
      operation: `${runtime}: ${read} at a stop, with the document alive`,
      summary: summaryOf(result.reads),
    },
  ];
}

function run(command: string, args: string[]): { ok: true; value: never } | { ok: false; reason: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, timeout: 600000 });
  if (result.error || result.status !== 0) {
    return { ok: false, reason: `${command} failed: ${result.error?.message ?? result.stderr.trim().slice(0, 300)}` };
  }
  return { ok: true, value: JSON.parse(result.stdout) as never };
}

export function benchAllocations(): AllocationCost[] {
  const rows: AllocationCost[] = [];
  const python = fs.existsSync('/usr/bin/python3')
    ? run('/usr/bin/python3', ['-c', PYTHON, String(ROUNDS), TRACEMALLOC_PART])
    : { ok: false as const, reason: 'no /usr/bin/python3' };
  if (python.ok) {
    rows.push(
      ...rowsOf('Python', 'tracemalloc', 'tracemalloc (25 frames)', "the helper's tracemalloc_read", python.value),
    );
  } else {
    rows.push({ id: 'tracemalloc', operation: 'Python JSON round trip with tracemalloc', skipped: python.reason });
  }
  const node = run(process.execPath, ['-e', NODE, String(ROUNDS)]);
  if (node.ok) {
    rows.push(
      ...rowsOf(
        'Node',
        'v8-sampler',
        "V8's sampling heap profiler (32 KiB)",
        'HeapProfiler.getSamplingProfile (forces a full GC)',
        node.value,
      ),
    );
  } else {
    rows.push({ id: 'v8-sampler', operation: 'Node JSON round trip with the V8 sampler', skipped: node.reason });
  }
  return rows;
}
