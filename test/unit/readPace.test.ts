// The cost rule of the costly reads (smaps, smaps_rollup), and the panel's words for it.
import * as assert from 'assert';
import { describeEvery, paceMs, READ_SHARE } from '../../shared/readPace';
import { parseFromInspectPanel } from '../../shared/protocol/inspect';

describe('readPace', () => {
  it('follows the setting while a read costs at most 0.5 % of it', () => {
    assert.deepStrictEqual(paceMs(1.2, 5000), { everyMs: 5000, byCost: false });
    assert.deepStrictEqual(paceMs(25, 5000), { everyMs: 5000, byCost: false }, '25 ms is exactly 0.5 % of 5 s');
    assert.deepStrictEqual(paceMs(0, 5000), { everyMs: 5000, byCost: false });
  });

  it('slows a costly read to cost / 0.5 %, rounded up to a round pace', () => {
    for (const costMs of [26, 50, 170, 296, 310, 1000, 4000, 30000]) {
      const pace = paceMs(costMs, 5000);
      assert.ok(pace.byCost, `${costMs} ms`);
      assert.ok(pace.everyMs >= costMs / READ_SHARE, `${costMs} ms -> every ${pace.everyMs} ms`);
      assert.ok(
        pace.everyMs <= Math.max(2 * (costMs / READ_SHARE), 60000),
        `${costMs} ms -> every ${pace.everyMs} ms: not much slower than needed`,
      );
    }
    // 40 000 mappings: ~170-300 ms per read here -> about once a minute.
    assert.strictEqual(paceMs(296, 5000).everyMs, 60000);
    assert.strictEqual(paceMs(170, 5000).everyMs, 45000);
  });

  it('says the pace in round words', () => {
    assert.strictEqual(describeEvery(5000), 'every 5 s');
    assert.strictEqual(describeEvery(45000), 'every 45 s');
    assert.strictEqual(describeEvery(60000), 'once a minute');
    assert.strictEqual(describeEvery(90000), 'every 1.5 min');
    assert.strictEqual(describeEvery(120000), 'every 2 min');
    assert.strictEqual(describeEvery(3600000), 'once an hour');
  });

  it('the panel may ask for a read now, and nothing else rides along', () => {
    assert.deepStrictEqual(parseFromInspectPanel({ type: 'readMappings' }), { type: 'readMappings' });
    assert.deepStrictEqual(parseFromInspectPanel({ type: 'readMappings', pid: 1 }), { type: 'readMappings' });
    assert.strictEqual(parseFromInspectPanel({ type: 'readmappings' }), undefined);
  });
});
