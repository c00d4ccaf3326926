// The Sampler with its real readers, on real children: one of them a C program with 20 000 mappings.
//
// Most tests give the Sampler a fake reader (test/unit/samplerFakes.ts). That is the seam its
// constructor offers for this (`ProcessReader`, and `DetailReaders` for the costly reads): it lets
// a test decide what each reading returns and count the readings, while the timers are real, and
// gives it a clock whose last reading the fakes record.
//
// Timers fire late on a loaded machine, never early. So the tests wait for what they need
// (waitFor) instead of sleeping a fixed time and counting, and only bound counts from above.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readIdentity } from '../../src/proc/processIdentity';
import { paceMs, READ_SHARE } from '../../shared/readPace';
import { realDetailReaders } from '../../src/proc/detailReaders';
import { SampleEvent, Sampler } from '../../src/proc/sampler';
import { expectOk, killAllChildren, startChild, startNode, waitFor } from './helpers';
import { MiB } from '../../shared/units';

describe('Sampler: real readers', function () {
  this.timeout(10000);

  it('with the real reader, follows a real child until it exits', async () => {
    const child = startNode("console.log('ready'); setInterval(() => {}, 1 << 30);");
    try {
      await child.waitForLine('ready');
      const identity = expectOk(readIdentity(child.pid));
      const real = new Sampler({ intervalMs: 25, detailIntervalMs: 1000, historyMinutes: 1 });
      try {
        const events: SampleEvent[] = [];
        let resolveEnded: () => void = () => undefined;
        const ended = new Promise<void>((resolve) => (resolveEnded = resolve));
        real.subscribe(identity, { detail: true, mappings: true }, (event) => {
          events.push(event);
          if (event.ended) {
            resolveEnded();
          }
        });
        await waitFor(() => events.length >= 3, 'three readings of the child');
        // The rollup and smaps are read off the thread: they come in a later event than the first.
        await waitFor(
          () => events.some((event) => event.outcome.ok && event.outcome.value.rollup && event.outcome.value.mappings),
          'the costly figures',
        );
        const sample = expectOk(
          events.find((event) => event.outcome.ok && event.outcome.value.rollup && event.outcome.value.mappings)!
            .outcome,
        );
        assert.deepStrictEqual(sample.identity, identity);
        assert.strictEqual(sample.name, 'node');
        assert.ok(sample.resBytes > 10 * MiB, `RES ${sample.resBytes}`);
        assert.ok(expectOk(sample.rollup!, 'rollup').pss > 0);
        const mappings = expectOk(sample.mappings!, 'mappings');
        assert.ok(
          mappings.categories.program.rssBytes > 0 && mappings.categories.anonymous.rssBytes > 0,
          JSON.stringify(mappings.categories),
        );
        assert.ok(sample.mappingsPace && sample.mappingsPace.costMs! > 0, JSON.stringify(sample.mappingsPace));
        assert.ok(
          real.history(identity)!.length <= events.length,
          'one history point per reading; the costly reads add events, not points',
        );

        await child.kill();
        await ended;
        const last = events[events.length - 1];
        assert.ok(!last.outcome.ok && last.outcome.error.kind === 'gone', JSON.stringify(last.outcome));
        // Between SIGKILL and Node reaping it, the child may be read once as a zombie (memoryless,
        // RES 0); lastSample is then that zombie reading, while the history keeps the last RES.
        assert.ok(last.lastSample, 'a last sample to freeze on');
        assert.ok(
          last.lastSample.memoryless === 'zombie' || last.lastSample.resBytes > 10 * MiB,
          JSON.stringify(last.lastSample),
        );
        assert.ok((real.history(identity)?.latest()?.resBytes ?? 0) > 10 * MiB);
        assert.strictEqual(real.isPolling, false);
      } finally {
        real.dispose();
      }
    } finally {
      await killAllChildren();
    }
  });

  it('measures each rollup in the thread pool alone, not its wait behind those asked in the same tick', async () => {
    // The Sampler tries a rollup in the tick only after a round trip under 5 ms: ten sleeps due in
    // the same tick each measured their wait behind the others (6 to 9 ms here) and stayed off it.
    const readers = realDetailReaders();
    try {
      const pids = Array.from({ length: 10 }, () => startChild('sleep', ['600']).pid);
      const started = performance.now();
      const reads = await Promise.all(pids.map((pid) => readers.rollupAsync(pid)));
      const wallMs = performance.now() - started;
      reads.forEach((read) => assert.ok(read.value.ok, JSON.stringify(read.value)));
      const costMs = reads.reduce((sum, read) => sum + read.costMs, 0);
      assert.ok(
        costMs <= wallMs,
        `the ten round trips (${costMs.toFixed(1)} ms) overlap: ${wallMs.toFixed(1)} ms in all`,
      );
    } finally {
      readers.dispose();
      await killAllChildren();
    }
  });

  it('with the real readers, reads a 20 000-mapping process in a worker, paced by its cost', async function () {
    this.timeout(120000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proc-memory-mappings-'));
    try {
      const binary = path.join(dir, 'mappings');
      const built = spawnSync(
        'cc',
        ['-O2', '-o', binary, path.resolve(__dirname, '..', '..', '..', 'bench', 'mappings.c')],
        { encoding: 'utf8' },
      );
      assert.strictEqual(built.status, 0, `cc: ${built.error?.message ?? built.stderr}`);
      const child = startChild(binary, ['20000']);
      await child.waitForLine('ready 20000', 60000);
      const identity = expectOk(readIdentity(child.pid));
      // A short setting, so that the cost (tens of ms here) is what sets the pace.
      const real = new Sampler({ intervalMs: 25, detailIntervalMs: 1000, historyMinutes: 1 });
      try {
        const events: SampleEvent[] = [];
        real.subscribe(identity, { detail: true, mappings: true }, (event) => events.push(event));
        await waitFor(
          () => events.some((event) => expectOk(event.outcome).mappings?.ok),
          'the mappings of the big process',
          60000,
        );
        const landed = events.findIndex((event) => expectOk(event.outcome).mappings?.ok);
        const sample = expectOk(events[landed].outcome);
        const mappings = expectOk(sample.mappings!, 'mappings');
        assert.ok(mappings.count >= 20000, `${mappings.count} mappings`);
        assert.ok(mappings.categories.anonymous.count >= 20000);
        const pace = sample.mappingsPace!;
        assert.ok(pace.costMs !== undefined && pace.costMs > 0);
        assert.deepStrictEqual(
          paceMs(pace.costMs, 1000),
          { everyMs: pace.everyMs, byCost: pace.byCost },
          JSON.stringify(pace),
        );
        assert.ok(pace.everyMs >= pace.costMs / READ_SHARE, JSON.stringify(pace));
        // The read ran off the extension host's thread: readings kept coming while it did.
        const whileReading = events
          .slice(0, landed)
          .filter((event) => event.outcome.ok && event.outcome.value.mappingsPace?.reading !== false);
        assert.ok(whileReading.length >= 1, `${whileReading.length} readings while smaps was read`);
        assert.ok(expectOk(sample.rollup!, 'rollup').rss > 0);
      } finally {
        real.dispose();
        await child.kill();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      await killAllChildren();
    }
  });
});
