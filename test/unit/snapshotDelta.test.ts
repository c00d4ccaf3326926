// A sample message carries only the fields the page does not have (src/core/snapshotDelta.ts): the
// page merges it into what it has, as webview/inspect/view.ts does, and must get the full snapshot.
import * as assert from 'node:assert/strict';
import { sampleProcess } from '../../src/proc/sampleProcess';
import { toSnapshot } from '../../src/core/processSnapshot';
import { sameJson, snapshotDelta } from '../../src/core/snapshotDelta';
import type { ProcessSnapshot } from '../../shared/model';

function liveSnapshot(): ProcessSnapshot {
  const sample = sampleProcess(process.pid, { detail: true, mappings: true });
  assert.ok(sample.ok);
  return toSnapshot(sample.value);
}

/** What the page holds after a message: its snapshot with the delta merged in, through JSON as posted. */
function merged(page: ProcessSnapshot | undefined, delta: object): ProcessSnapshot {
  return { ...page, ...JSON.parse(JSON.stringify(delta)) } as ProcessSnapshot;
}

describe('snapshotDelta', () => {
  it('gives a page that merges each delta the very snapshot of every reading', () => {
    let page: ProcessSnapshot | undefined;
    let shown: ProcessSnapshot | undefined;
    const garbage: number[][] = [];
    for (let i = 0; i < 5; i++) {
      garbage.push(new Array(200_000).fill(i)); // RES of this process changes between readings
      const next = liveSnapshot();
      page = merged(page, snapshotDelta(next, shown));
      shown = next;
      assert.deepEqual(page, JSON.parse(JSON.stringify(next)), `reading ${i}`);
    }
    assert.ok(garbage.length > 0);
  });

  it('leaves out what did not change, sends what did', () => {
    const first = liveSnapshot();
    const next: ProcessSnapshot = {
      ...first,
      sampledAtMs: first.sampledAtMs + 1000,
      resBytes: first.resBytes + 4096,
      cgroup: JSON.parse(JSON.stringify(first.cgroup)), // a new object, the same figures
      pss: { bytes: 1 },
    };
    const delta = snapshotDelta(next, first);
    assert.deepEqual(Object.keys(delta).sort(), ['pss', 'resBytes', 'sampledAtMs']);
    assert.deepEqual(snapshotDelta(next, undefined), next, 'whole for a page without a snapshot');
  });

  it('compares JSON-like values as JSON would serialise them', () => {
    assert.ok(sameJson({ a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 }));
    assert.ok(sameJson({ a: 1, b: undefined }, { a: 1 }));
    assert.ok(!sameJson({ a: 1 }, { a: 2 }));
    assert.ok(!sameJson({ a: [1, 2] }, { a: [1] }));
    assert.ok(!sameJson({ a: { b: 1 } }, { a: { b: 1, c: 0 } }));
    assert.ok(!sameJson([1], { 0: 1 }));
    assert.ok(!sameJson(null, {}));
    assert.ok(!sameJson('1', 1));
  });
});
