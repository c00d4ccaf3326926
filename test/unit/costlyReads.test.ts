// The pacing of the Sampler's costly reads (smaps_rollup, smaps, the cgroup): at most once per detailIntervalMs, slower where their cost asks.
//
// Most tests give the Sampler a fake reader (test/unit/samplerFakes.ts). That is the seam its
// constructor offers for this (`ProcessReader`, and `DetailReaders` for the costly reads): it lets
// a test decide what each reading returns and count the readings, while the timers are real, and
// gives it a clock whose last reading the fakes record.
//
// Timers fire late on a loaded machine, never early. So the tests wait for what they need
// (waitFor) instead of sleeping a fixed time and counting, and only bound counts from above.
import * as assert from 'assert';
import { paceMs, READ_SHARE } from '../../shared/readPace';
import { FIRST_SMAPS_IN_TICK_MAX_BYTES, ROLLUP_RETRY_IN_TICK_AFTER } from '../../src/proc/costlyReads';
import { MiB } from '../../shared/units';
import { SampleEvent } from '../../src/proc/sampler';
import { expectOk, waitFor } from './helpers';

import { A, B, FAKE_SETTINGS, fakeSamplerPerTest } from './samplerFakes';

describe('Sampler: costly reads', function () {
  this.timeout(10000);
  const t = fakeSamplerPerTest();

  it('reads the detail only for a subscriber that wants it, at most once per detailIntervalMs', async () => {
    const plain = t.sampler.subscribe(A, {}, () => undefined);
    await waitFor(() => t.fake.reads.length >= 4, 'four plain reads');
    assert.deepStrictEqual(t.details.reads, [], 'no detail without a subscriber asking for it');

    // A round trip through the thread pool as on a busy machine; a setting it does not slow (1.5 ms / 0.5 % = 300 ms).
    t.details.rollupRoundTripMs = 1.5;
    const settings = { ...FAKE_SETTINGS, detailIntervalMs: 400 };
    t.sampler.updateSettings(settings);
    const events: SampleEvent[] = [];
    const detailed = t.sampler.subscribe(A, { detail: true }, (event) => events.push(event));
    assert.strictEqual(events.length, 1, 'the last plain event is replayed at once');
    assert.strictEqual(expectOk(events[0].outcome).rollup, undefined);
    const started = Date.now();
    await waitFor(() => t.details.of('rollup').length >= 3, 'three rollup reads');
    const elapsed = Date.now() - started;
    const rollups = t.details.of('rollup');
    assert.strictEqual(rollups[0].what, 'rollup-async', 'the first rollup is read off the thread: its cost is unknown');
    assert.ok(
      rollups.slice(1).every((read) => read.what === 'rollup-sync'),
      'then in the tick, where it proves cheap (the round trip through the thread pool cost more than 1 ms)',
    );
    assert.ok(
      rollups.length <= elapsed / settings.detailIntervalMs + 2,
      `${rollups.length} rollup reads in ${elapsed} ms`,
    );
    // The rule, read by read: a cheap read comes detailIntervalMs after the last one started.
    for (let i = 1; i < rollups.length; i++) {
      const since = rollups[i].timeMs - rollups[i - 1].timeMs;
      assert.ok(since >= settings.detailIntervalMs, `a rollup read ${since} ms after the previous one`);
    }
    assert.ok(t.details.of('cgroup').length >= 1, 'the cgroup comes with the detail');
    // The off-thread read lands in an event of its own; then the last rollup is carried over.
    const firstWithRollup = events.findIndex((event) => expectOk(event.outcome).rollup?.ok);
    assert.ok(firstWithRollup > 0);
    assert.ok(
      events.slice(firstWithRollup).every((event) => expectOk(event.outcome).rollup?.ok),
      'every reading since the first rollup has one',
    );

    detailed.dispose();
    const afterDispose = t.details.reads.length;
    const plainAfter = t.fake.reads.length;
    await waitFor(() => t.fake.reads.length >= plainAfter + 3, 'the plain subscriber is still served');
    assert.strictEqual(t.details.reads.length, afterDispose, 'no detail once its subscriber left');
    plain.dispose();
  });

  it('reads only the cgroup for a subscriber that wants no more (the status bar, the debug view), and all of it at once when a panel comes', async () => {
    // A long interval: after the first cgroup read, the next is a minute away.
    t.sampler.updateSettings({ ...FAKE_SETTINGS, detailIntervalMs: 60000 });
    const events: SampleEvent[] = [];
    const groupOnly = t.sampler.subscribe(A, { cgroup: true }, (event) => events.push(event));
    await waitFor(() => t.details.of('cgroup').length >= 1 && events.length >= 4, 'a cgroup read and four readings');
    for (const what of ['rollup', 'oomScore', 'pressure'] as const) {
      assert.deepStrictEqual(t.details.of(what), [], `no ${what} read for the cgroup alone`);
    }
    const last = expectOk(events[events.length - 1].outcome);
    assert.ok(last.cgroup?.ok, 'the cgroup is on the readings');
    assert.strictEqual(last.oomScore, undefined);

    // The panel does not wait for the next cgroup read to show the rest.
    const panelEvents: SampleEvent[] = [];
    const panel = t.sampler.subscribe(A, { detail: true }, (event) => panelEvents.push(event));
    await waitFor(() => panelEvents.length >= 2, 'a reading for the panel');
    const full = expectOk(panelEvents[1].outcome);
    assert.ok(full.oomScore?.ok, 'its first reading has the oom_score');
    assert.ok(full.pressure, 'and the pressure');
    assert.strictEqual(t.details.of('cgroup').length, 2, 'the cgroup read again with them');
    assert.strictEqual(t.details.of('oomScore').length, 1);
    await waitFor(() => t.details.of('rollup').length >= 1, 'a rollup read');
    panel.dispose();
    groupOnly.dispose();
  });

  /** A rollup costly in the tick, not so costly that it slows the pace (1.2 ms / 0.5 % = 240 ms), watched. */
  function watchCostlyRollup(): { dispose(): void } {
    t.details.rollupRoundTripMs = 1.2;
    t.details.rollupCostMs = 1.2;
    t.sampler.updateSettings({ ...FAKE_SETTINGS, detailIntervalMs: 250 });
    return t.sampler.subscribe(A, { detail: true }, () => undefined);
  }

  it('reads a rollup that proves costly in the tick off the thread, trying the tick again every ROLLUP_RETRY_IN_TICK_AFTER reads', async function () {
    this.timeout(20000);
    const subscription = watchCostlyRollup();
    const reads = 2 * ROLLUP_RETRY_IN_TICK_AFTER + 4;
    await waitFor(() => t.details.of('rollup').length >= reads, `${reads} rollup reads`, 15000);
    const offTick = Array<string>(ROLLUP_RETRY_IN_TICK_AFTER).fill('rollup-async');
    assert.deepStrictEqual(
      t.details
        .of('rollup')
        .slice(0, reads)
        .map((read) => read.what),
      ['rollup-async', 'rollup-sync', ...offTick, 'rollup-sync', ...offTick, 'rollup-sync'],
      'a try in the tick, then off it, tried again after every ROLLUP_RETRY_IN_TICK_AFTER reads',
    );
    subscription.dispose();
  });

  it('brings a rollup back into the tick when one slow read there was the exception', async function () {
    // One read in the tick caught on a busy machine, the ones after it as cheap as before.
    this.timeout(20000);
    const subscription = watchCostlyRollup();
    await waitFor(() => t.details.of('rollup-sync').length >= 1, 'the slow read in the tick');
    t.details.rollupCostMs = 0.2;
    const reads = ROLLUP_RETRY_IN_TICK_AFTER + 5;
    await waitFor(() => t.details.of('rollup').length >= reads, `${reads} rollup reads`, 15000);
    assert.deepStrictEqual(
      t.details
        .of('rollup')
        .slice(0, reads)
        .map((read) => read.what),
      [
        'rollup-async',
        'rollup-sync',
        ...Array<string>(ROLLUP_RETRY_IN_TICK_AFTER).fill('rollup-async'),
        // The median of 1.2 and 0.2 (of two, the lower) is cheap: in the tick from then on.
        'rollup-sync',
        'rollup-sync',
        'rollup-sync',
      ],
    );
    // And one slow read among cheap ones keeps it there: the median of the last three decides.
    const syncs = t.details.of('rollup-sync').length;
    t.details.rollupCostMs = 1.2;
    await waitFor(() => t.details.of('rollup-sync').length > syncs, 'one more read in the tick');
    t.details.rollupCostMs = 0.2;
    const after = t.details.of('rollup').length;
    await waitFor(() => t.details.of('rollup').length >= after + 2, 'two reads after the slow one');
    assert.deepStrictEqual(
      t.details
        .of('rollup')
        .slice(after, after + 2)
        .map((read) => read.what),
      ['rollup-sync', 'rollup-sync'],
    );
    subscription.dispose();
  });

  it('reads the mappings (smaps) only for a subscriber that asks, in the tick once they prove cheap, and keeps them between', async () => {
    // The status bar and the debug view: plain and detail subscribers never cost an smaps read.
    const plain = t.sampler.subscribe(A, {}, () => undefined);
    const detailOnly = t.sampler.subscribe(A, { detail: true }, () => undefined);
    await waitFor(() => t.details.of('rollup').length >= 2, 'two rollup reads');
    assert.deepStrictEqual(t.details.of('smaps'), [], 'no smaps read without a subscriber asking for it');

    const events: SampleEvent[] = [];
    const readsBefore = t.details.reads.length;
    const panel = t.sampler.subscribe(A, { detail: true, mappings: true }, (event) => events.push(event));
    await waitFor(() => t.details.of('smaps', readsBefore).length >= 3, 'three mapping reads');
    const smaps = t.details.of('smaps', readsBefore);
    assert.deepStrictEqual(
      smaps.slice(0, 3).map((read) => read.what),
      ['smaps', 'smaps-sync', 'smaps-sync'],
      'the first in the worker (its cost unknown, its RES above FIRST_SMAPS_IN_TICK_MAX_RES), then in the tick: it cost the worker under 1 ms',
    );
    assert.ok(
      smaps.every((read) => read.pid === A.pid),
      `every read of A's own smaps: ${smaps.map((read) => read.pid).join(', ')}`,
    );
    for (let i = 1; i < smaps.length; i++) {
      assert.ok(
        smaps[i].timeMs - smaps[i - 1].timeMs >= FAKE_SETTINGS.detailIntervalMs,
        'a cheap smaps read comes at the setting',
      );
    }
    // Between reads the last mappings are carried over, with when they were read and at what pace.
    const firstWith = events.findIndex((event) => expectOk(event.outcome).mappings?.ok);
    assert.ok(firstWith > 0, 'the panel gets its mappings in an event of their own');
    for (const event of events.slice(firstWith)) {
      const sample = expectOk(event.outcome);
      assert.ok(sample.mappings?.ok);
      assert.ok(
        sample.mappingsPace &&
          sample.mappingsPace.everyMs === FAKE_SETTINGS.detailIntervalMs &&
          !sample.mappingsPace.byCost,
        JSON.stringify(sample.mappingsPace),
      );
      assert.ok(sample.mappingsTimeMs !== undefined && sample.mappingsTimeMs <= sample.timeMs);
      // And the rollup with when it was read: the panel says how much older than RES it is.
      const rollupReads = t.details.of('rollup').map((read) => read.timeMs);
      assert.ok(
        sample.rollup?.ok && rollupReads.includes(sample.rollupTimeMs as number),
        `the rollup of ${sample.rollupTimeMs}, reads at ${rollupReads.join(', ')}`,
      );
    }

    panel.dispose();
    const afterDispose = t.details.reads.length;
    await waitFor(() => t.details.of('rollup', afterDispose).length >= 2, 'two more rollup reads');
    assert.deepStrictEqual(t.details.of('smaps', afterDispose), [], 'no smaps once the panel left');
    plain.dispose();
    detailOnly.dispose();
  });

  it("reads a small process's first smaps in the tick, and a longer one's in the worker", async () => {
    // A sleeping process: RES of a few MiB, an smaps of 30 KiB. No worker for it, ever.
    t.fake.resOf.set(A.pid, 4 * MiB);
    const events: SampleEvent[] = [];
    const panel = t.sampler.subscribe(A, { detail: true, mappings: true }, (event) => events.push(event));
    await waitFor(() => t.details.of('smaps').length >= 2, 'two mapping reads');
    const [first, second] = t.details.of('smaps');
    assert.deepStrictEqual([first.what, second.what], ['smaps-short', 'smaps-sync']);
    const withFirst = events.find((event) => event.outcome.ok && event.outcome.value.timeMs === first.timeMs);
    assert.ok(withFirst && expectOk(withFirst.outcome).mappings?.ok, 'the reading of that tick has the mappings');
    // Read now, of a process whose smaps proved cheap: in this thread too, its rows at once.
    const before = events.length;
    assert.strictEqual(t.sampler.readMappingsNow(A), true);
    assert.strictEqual(t.details.of('smaps').at(-1)?.what, 'smaps-sync');
    assert.strictEqual(events.length, before + 1, 'the panel hears at once');
    assert.strictEqual(expectOk(events[before].outcome).mappingsPace?.reading, false, 'with the rows, not "reading"');
    panel.dispose();

    // As small, but with an smaps too long for the tick: read in the worker at once, then as its cost says.
    t.fake.resOf.set(B.pid, 4 * MiB);
    t.details.smapsBytes = FIRST_SMAPS_IN_TICK_MAX_BYTES + 1;
    const readsBefore = t.details.reads.length;
    t.sampler.subscribe(B, { detail: true, mappings: true }, () => undefined);
    await waitFor(() => t.details.of('smaps', readsBefore).length >= 3, 'three mapping reads of B');
    const reads = t.details.of('smaps', readsBefore);
    assert.deepStrictEqual(
      reads.slice(0, 3).map((read) => read.what),
      ['smaps-short', 'smaps', 'smaps-sync'],
      'the worker read in the same tick; then in the tick, as it cost the worker under 1 ms',
    );
    assert.strictEqual(reads[1].timeMs, reads[0].timeMs, 'in the same tick');
  });

  it('reads a costly smaps no more often than its cost allows (0.5 % of wall time), or now on demand', async () => {
    t.details.smapsCostMs = 170; // what 40 000 mappings cost here
    const events: SampleEvent[] = [];
    t.sampler.subscribe(A, { detail: true, mappings: true }, (event) => events.push(event));
    await waitFor(() => events.some((event) => expectOk(event.outcome).mappings?.ok), 'the first mappings');
    const expected = paceMs(170, FAKE_SETTINGS.detailIntervalMs);
    assert.ok(expected.everyMs >= 170 / READ_SHARE && expected.byCost);
    const pace = expectOk(events[events.length - 1].outcome).mappingsPace;
    assert.deepStrictEqual(
      { everyMs: pace?.everyMs, byCost: pace?.byCost, costMs: pace?.costMs, reading: pace?.reading },
      { everyMs: expected.everyMs, byCost: true, costMs: 170, reading: false },
    );
    // Many detail intervals later (the setting alone would read it every tick now): no new read.
    const rollupsBefore = t.details.of('rollup').length;
    await waitFor(() => t.details.of('rollup').length >= rollupsBefore + 3, 'three more detail intervals');
    assert.deepStrictEqual(
      t.details.of('smaps').map((read) => read.what),
      ['smaps'],
      'smaps read once, in the worker',
    );

    // "Read now": one read at once, whatever the pace; not a second one while it runs.
    t.details.hold = true;
    const before = events.length;
    assert.strictEqual(t.sampler.readMappingsNow(A), true);
    assert.strictEqual(t.sampler.readMappingsNow(A), false, 'a read is under way');
    assert.strictEqual(t.details.of('smaps').length, 2);
    assert.strictEqual(events.length, before + 1, 'the panel hears at once that a read is under way');
    assert.strictEqual(expectOk(events[before].outcome).mappingsPace?.reading, true);
    assert.ok(expectOk(events[before].outcome).mappings?.ok, 'and keeps showing the last mappings meanwhile');
    // The read is slow: the ticks go on meanwhile.
    const ticks = t.fake.reads.length;
    await waitFor(() => t.fake.reads.length >= ticks + 3, 'three ticks while smaps is read');
    t.details.release();
    await waitFor(
      () => expectOk(events[events.length - 1].outcome).mappingsPace?.reading === false,
      'the read to land',
    );
    assert.strictEqual(t.sampler.readMappingsNow(B), false, 'nobody watches B');
  });

  it('a costly reader that throws shows an error, and its read is tried again', async () => {
    let throwing = true;
    const smaps = t.details.smaps.bind(t.details);
    t.details.smaps = (pid) => (throwing ? Promise.reject(new Error('worker broke')) : smaps(pid));
    const events: SampleEvent[] = [];
    t.sampler.subscribe(A, { detail: true, mappings: true }, (event) => events.push(event));
    await waitFor(() => events.some((event) => expectOk(event.outcome).mappings?.ok === false), 'the error');
    const failed = expectOk(events.find((event) => expectOk(event.outcome).mappings?.ok === false)!.outcome).mappings;
    assert.ok(
      failed && !failed.ok && failed.error.kind === 'io-error' && failed.error.detail === 'worker broke',
      JSON.stringify(failed),
    );
    throwing = false;
    await waitFor(() => expectOk(events[events.length - 1].outcome).mappings?.ok === true, 'a good read after it');
    assert.deepStrictEqual(t.details.of('smaps-sync'), [], 'a failed read tells nothing of the cost in the tick');
  });

  it('keeps the costly figures and their pace when a panel is hidden and shown again', async () => {
    t.details.smapsCostMs = 170;
    let last: SampleEvent | undefined;
    const first = t.sampler.subscribe(A, { detail: true, mappings: true }, (event) => (last = event));
    await waitFor(() => last !== undefined && expectOk(last.outcome).mappings?.ok === true, 'the first mappings');
    first.dispose();
    assert.strictEqual(t.sampler.isPolling, false);
    const events: SampleEvent[] = [];
    t.sampler.subscribe(A, { detail: true, mappings: true }, (event) => events.push(event));
    await waitFor(() => events.length >= 3, 'three readings after showing it again');
    assert.strictEqual(t.details.of('smaps').length, 1, 'not read again before its pace allows');
    assert.ok(
      events.every((event) => expectOk(event.outcome).mappings?.ok),
      'the mappings read before are shown at once',
    );
  });
});
