// /proc/PID/smaps summed by kind of mapping: against the kernel's own sums (smaps_rollup, pmap -X)
// on a real process holding 64 MiB, and on a fixture with every category.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { readProcText } from '../../src/proc/procFile';
import { MappingSummary, parseSmaps, readShortSmaps, readSmaps, TOP_MAPPINGS } from '../../src/proc/smaps';
import { parseSmapsRollup } from '../../src/proc/smapsRollup';
import { expectError, expectOk, FIXTURE_PROC, killAllChildren, run, startNode, startSleep, waitFor } from './helpers';
import { MAPPING_KINDS } from '../../shared/model';
import { KiB, MiB } from '../../shared/units';

function total(
  summary: MappingSummary,
  field: 'rssBytes' | 'pssBytes' | 'privateBytes' | 'swapBytes' | 'count',
): number {
  return MAPPING_KINDS.reduce((sum, category) => sum + summary.categories[category][field], 0);
}

/** The Rss of the total line of `pmap -X PID` (procps), in bytes. */
function pmapRss(pid: number): number {
  const lines = run('pmap', ['-X', String(pid)])
    .trimEnd()
    .split('\n');
  // Line 2 names the columns (Address Perm Offset Device Inode Size Rss ...); the last line holds
  // the totals, from Size on, then "KB".
  const header = lines[1].trim().split(/\s+/);
  const totals = lines[lines.length - 1].trim().split(/\s+/);
  assert.strictEqual(totals[totals.length - 1], 'KB', `pmap total line: ${lines[lines.length - 1]}`);
  return Number(totals[header.indexOf('Rss') - header.indexOf('Size')]) * KiB;
}

describe('smaps: RES by kind of mapping', function () {
  this.timeout(20000);
  after(killAllChildren);

  it("reads a sleeping process's whole smaps within 64 KiB (as readSmaps does), not a Node process's", async () => {
    const sleeper = startSleep();
    const node = startNode("console.log('ready'); setInterval(() => undefined, 1 << 30);");
    await node.waitForLine('ready');
    // Asleep: its loader has mapped all it maps.
    await waitFor(() => / S /.test(fs.readFileSync(`/proc/${sleeper.pid}/stat`, 'utf8')), 'sleep asleep');
    const short = readShortSmaps(sleeper.pid, '/proc', 64 * KiB);
    assert.ok(short, `sleep's smaps is ${fs.readFileSync(`/proc/${sleeper.pid}/smaps`).length} bytes`);
    // RES and the mappings by kind, as a whole read has them (PSS may move with other processes).
    const byKind = (summary: MappingSummary) =>
      MAPPING_KINDS.map((kind) => [kind, summary.categories[kind].count, summary.categories[kind].rssBytes]);
    assert.deepStrictEqual(byKind(expectOk(short)), byKind(expectOk(readSmaps(sleeper.pid))));
    assert.strictEqual(readShortSmaps(node.pid, '/proc', 64 * KiB), undefined, "Node's smaps is longer");
  });

  describe('a real Node process holding 64 MiB', () => {
    it('sums to what smaps_rollup and pmap -X say, and anonymous + heap hold the 64 MiB', async () => {
      const child = startNode(
        "const held = Buffer.alloc(64 * 1024 * 1024, 1); console.log('ready'); setInterval(() => held, 1 << 30);",
      );
      await child.waitForLine('ready');
      // The child idles after "ready", but Node may still finish start-up work (a last JIT or GC
      // step): read the three kernel sums back to back until two rounds agree.
      let mappings: MappingSummary | undefined;
      let rollupRss = -1;
      let pmap = -2;
      for (let round = 0; round < 20; round++) {
        mappings = expectOk(readSmaps(child.pid), 'readSmaps');
        rollupRss = expectOk(parseSmapsRollup(expectOk(readProcText(`/proc/${child.pid}/smaps_rollup`)))).rss;
        pmap = pmapRss(child.pid);
        if (total(mappings, 'rssBytes') === rollupRss && rollupRss === pmap) {
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.ok(mappings);
      assert.strictEqual(total(mappings, 'rssBytes'), rollupRss, 'sum of categories = smaps_rollup Rss');
      assert.strictEqual(total(mappings, 'rssBytes'), pmap, 'sum of categories = pmap -X total Rss');
      const { anonymous, heap, program, libraries, stack, kernel } = mappings.categories;
      assert.ok(
        anonymous.rssBytes + heap.rssBytes >= 64 * MiB,
        `anonymous ${anonymous.rssBytes} + heap ${heap.rssBytes}`,
      );
      // The 64 MiB buffer is one mapping of its own (Node allocates big buffers with mmap).
      assert.ok(
        mappings.top[0].rssBytes >= 64 * MiB && mappings.top[0].category === 'anonymous',
        JSON.stringify(mappings.top[0]),
      );
      assert.ok(program.count >= 2 && program.rssBytes > 0, 'the node executable is found through /proc/PID/exe');
      assert.ok(libraries.count > 0 && stack.count === 1 && kernel.count >= 1);
      assert.strictEqual(total(mappings, 'count'), mappings.count);
      const maps = expectOk(readProcText(`/proc/${child.pid}/maps`))
        .trimEnd()
        .split('\n').length;
      assert.strictEqual(mappings.count, maps, 'one entry per line of /proc/PID/maps');
      await child.kill();
      expectError(readSmaps(child.pid), 'gone');
    });

    it('parses the smaps of this process: one entry per line of /proc/self/maps', function () {
      // Behaviour only: the time it takes is measured in bench/ (parse-smaps-1000), not here.
      const text = expectOk(readProcText('/proc/self/smaps'));
      const exe = fs.readlinkSync('/proc/self/exe');
      const summary = expectOk(parseSmaps(text, exe));
      const maps = expectOk(readProcText('/proc/self/maps')).trimEnd().split('\n').length;
      assert.ok(
        Math.abs(summary.count - maps) <= 2,
        `${summary.count} mappings in smaps, ${maps} lines in maps (read apart: a few may change)`,
      );
      assert.ok(summary.categories.program.count > 0, 'node itself is the program');
    });
  });

  describe('fixture with every category (test/fixtures/proc/1234)', () => {
    const summary = () => expectOk(readSmaps(1234, FIXTURE_PROC));

    it('classifies each mapping and sums Rss, Pss, private and swap per category', () => {
      const { categories, count } = summary();
      assert.strictEqual(count, 23);
      const kb = (n: number) => n * KiB;
      assert.deepStrictEqual(categories.program, {
        count: 3,
        rssBytes: kb(32),
        pssBytes: kb(8),
        privateBytes: kb(4),
        swapBytes: 0,
      });
      assert.deepStrictEqual(categories.heap, {
        count: 1,
        rssBytes: kb(40),
        pssBytes: kb(40),
        privateBytes: kb(40),
        swapBytes: 0,
      });
      assert.deepStrictEqual(categories.stack, {
        count: 1,
        rssBytes: kb(28),
        pssBytes: kb(28),
        privateBytes: kb(28),
        swapBytes: kb(12),
      });
      // libc (3 mappings), libsystemd-shared-257.so, ld-linux-x86-64.so.2, libplugin.so (deleted)
      assert.deepStrictEqual(categories.libraries, {
        count: 6,
        rssBytes: kb(160 + 1048 + 12 + 300 + 16 + 4),
        pssBytes: kb(12 + 40 + 12 + 20 + 3 + 4),
        privateBytes: kb(12 + 4),
        swapBytes: 0,
      });
      // A path with spaces, notes.sonnet (".so" not followed by "." or the end), LC_CTYPE
      assert.deepStrictEqual(categories.files, {
        count: 3,
        rssBytes: kb(60 + 8 + 40),
        pssBytes: kb(6 + 8 + 4),
        privateBytes: kb(8),
        swapBytes: 0,
      });
      assert.strictEqual(categories.shmem.count, 4);
      assert.deepStrictEqual(categories.anonymous, {
        count: 2,
        rssBytes: kb(32 + 8),
        pssBytes: kb(40),
        privateBytes: kb(40),
        swapBytes: 0,
      });
      assert.deepStrictEqual(categories.kernel, {
        count: 3,
        rssBytes: kb(4),
        pssBytes: 0,
        privateBytes: 0,
        swapBytes: 0,
      });
    });

    it('sums to the Rss of its smaps_rollup', () => {
      const rollup = expectOk(
        parseSmapsRollup(expectOk(readProcText(path.join(FIXTURE_PROC, '1234', 'smaps_rollup')))),
      );
      assert.strictEqual(total(summary(), 'rssBytes'), rollup.rss);
    });

    it(`keeps the ${TOP_MAPPINGS} largest mappings by Rss, with their path or [category]`, () => {
      const { top } = summary();
      assert.strictEqual(top.length, TOP_MAPPINGS);
      assert.deepStrictEqual(
        top.map((entry) => [entry.name, entry.perms, entry.rssBytes / KiB]),
        [
          ['/usr/lib/x86_64-linux-gnu/libc.so.6', 'r-xp', 1048],
          ['/usr/lib/x86_64-linux-gnu/libsystemd-shared-257.so', 'r-xp', 300],
          ['/usr/lib/x86_64-linux-gnu/libc.so.6', 'r--p', 160],
          ['/path with spaces/data file.bin', 'r--p', 60],
          ['[heap]', 'rw-p', 40],
          ['/usr/lib/locale/C.utf8/LC_CTYPE', 'r--p', 40],
          ['[anonymous]', 'rw-p', 32],
          ['[stack]', 'rw-p', 28],
        ],
      );
      assert.strictEqual(top[6].category, 'anonymous');
      assert.strictEqual(top[6].start, '7f2a10000000');
      for (let i = 1; i < top.length; i++) {
        assert.ok(top[i - 1].rssBytes >= top[i].rssBytes, 'largest first');
      }
    });

    it('read up to a length: the same summary where the whole file fits, nothing where it is longer', () => {
      const file = path.join(FIXTURE_PROC, '1234', 'smaps');
      const length = fs.statSync(file).size;
      assert.deepStrictEqual(readShortSmaps(1234, FIXTURE_PROC, length), readSmaps(1234, FIXTURE_PROC));
      assert.strictEqual(readShortSmaps(1234, FIXTURE_PROC, length - 1), undefined, 'one byte longer');
      const gone = readShortSmaps(999999, FIXTURE_PROC, length);
      assert.ok(gone, 'a process not there is an error, not a longer file');
      expectError(gone, 'gone');
    });

    it('without the executable path (EACCES on /proc/PID/exe) counts the program as a file', () => {
      const text = expectOk(readProcText(path.join(FIXTURE_PROC, '1234', 'smaps')));
      const summary = expectOk(parseSmaps(text, undefined));
      assert.strictEqual(summary.categories.program.count, 0);
      assert.strictEqual(summary.categories.files.count, 3 + 3);
    });
  });
});
