// Every figure the panel shows (the ProcessSnapshot that toSnapshot makes) against a source that
// shares no code with the engine: the test's own read of the /proc files (test/unit/ownProc.ts),
// `pmap -XX` and `getconf`. First a fixture in which every field is non-zero and different from
// every other, so that a figure taken from the wrong line cannot pass; then a live process stopped
// with SIGSTOP, so that the engine and the independent reads see the same memory.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { sampleProcess } from '../../src/proc/sampleProcess';
import { toSnapshot } from '../../src/core/processSnapshot';
import { Figure, ProcessSnapshot } from '../../shared/model';
import { expectOk, FIXTURE_CGROUP, FIXTURE_PROC, killAllChildren, startChild, waitFor } from './helpers';
import {
  kbField,
  kbLines,
  mapsPaths,
  statusCount,
  ownKind,
  OwnKind,
  pageSizeFromGetconf,
  pmapXX,
  smapsMappings,
  statmPages,
  sumByKind,
} from './ownProc';

function bytesOf(figure: Figure, what: string): number {
  assert.ok('bytes' in figure, `${what}: ${JSON.stringify(figure)}`);
  return figure.bytes;
}

function kindsOf(
  snapshot: ProcessSnapshot,
): Map<string, { count: number; rssBytes: number; pssBytes: number; privateBytes: number; swapBytes: number }> {
  assert.ok('kinds' in snapshot.mappings, JSON.stringify(snapshot.mappings));
  return new Map(
    snapshot.mappings.kinds.map(({ kind, count, rssBytes, pssBytes, privateBytes, swapBytes }) => [
      kind,
      { count, rssBytes, pssBytes, privateBytes, swapBytes },
    ]),
  );
}

/** The figures of a snapshot, in the units of their sources, checked one by one with a name. */
function assertStatusFigures(snapshot: ProcessSnapshot, status: Map<string, number>): void {
  assert.equal(bytesOf(snapshot.anon, 'anon'), kbField(status, 'RssAnon'), 'Anon is RssAnon');
  assert.equal(bytesOf(snapshot.file, 'file'), kbField(status, 'RssFile'), 'File is RssFile');
  assert.equal(bytesOf(snapshot.shmem, 'shmem'), kbField(status, 'RssShmem'), 'Shmem is RssShmem');
  assert.equal(bytesOf(snapshot.swap, 'swap'), kbField(status, 'VmSwap'), 'Swap is VmSwap');
  assert.equal(bytesOf(snapshot.peakRes, 'peakRes'), kbField(status, 'VmHWM'), 'Peak RES is VmHWM');
}

describe('every figure against an independent source', function () {
  this.timeout(60000);

  describe('fixture /proc/6000, every field non-zero and different', () => {
    const dir = path.join(FIXTURE_PROC, '6000');
    const status = kbLines(path.join(dir, 'status'));
    const rollup = kbLines(path.join(dir, 'smaps_rollup'));
    const page = pageSizeFromGetconf();
    const [sizePages, residentPages, sharedPages] = statmPages(path.join(dir, 'statm'));
    const snapshot = () =>
      toSnapshot(
        expectOk(
          sampleProcess(6000, { procRoot: FIXTURE_PROC, cgroupRoot: FIXTURE_CGROUP, detail: true, mappings: true }),
        ),
      );

    it('the fixture itself: the fields a figure could be confused with are all non-zero and different', () => {
      const keys = ['VmHWM', 'VmRSS', 'RssAnon', 'RssFile', 'RssShmem', 'VmSwap', 'VmSize'];
      const values = keys.map((key) => status.get(key));
      assert.ok(
        values.every((value) => value !== undefined && value > 0),
        JSON.stringify(values),
      );
      assert.equal(new Set(values).size, keys.length, `status ${JSON.stringify(values)}`);
      const rollupKeys = [
        'Rss',
        'Pss',
        'Pss_Dirty',
        'Shared_Clean',
        'Shared_Dirty',
        'Private_Clean',
        'Private_Dirty',
        'Anonymous',
        'Swap',
        'SwapPss',
        'Locked',
      ];
      const rollupValues = rollupKeys.map((key) => rollup.get(key));
      assert.ok(
        rollupValues.every((value) => value !== undefined && value > 0),
        JSON.stringify(rollupValues),
      );
      assert.equal(new Set(rollupValues).size, rollupKeys.length, `smaps_rollup ${JSON.stringify(rollupValues)}`);
      assert.equal(new Set([sizePages, residentPages, sharedPages]).size, 3);
      const limit = fs.readFileSync(path.join(FIXTURE_CGROUP, 'distinct.slice/app.service/memory.max'), 'utf8').trim();
      const current = fs
        .readFileSync(path.join(FIXTURE_CGROUP, 'distinct.slice/app.service/memory.current'), 'utf8')
        .trim();
      assert.notEqual(limit, current);
    });

    it('RES, VIRT and SHR are statm resident, size and shared times the page size', () => {
      const s = snapshot();
      assert.equal(s.resBytes, residentPages * page, 'RES');
      assert.equal(s.virtBytes, sizePages * page, 'VIRT');
      assert.equal(s.shrBytes, sharedPages * page, 'SHR');
    });

    it('Anon, File, Shmem, Swap and Peak RES are the status lines of their names', () => {
      assertStatusFigures(snapshot(), status);
    });

    it('Threads is the Threads line of status', () => {
      assert.equal(snapshot().threads, statusCount(path.join(dir, 'status'), 'Threads'));
      assert.notEqual(statusCount(path.join(dir, 'status'), 'Threads'), 1, 'fixture: more than one thread');
    });

    it('PSS is smaps_rollup Pss and USS is Private_Clean + Private_Dirty', () => {
      const s = snapshot();
      assert.equal(bytesOf(s.pss, 'pss'), kbField(rollup, 'Pss'));
      assert.equal(bytesOf(s.uss, 'uss'), kbField(rollup, 'Private_Clean') + kbField(rollup, 'Private_Dirty'));
    });

    it('the cgroup usage, working set, limit, headroom and OOM counters are the files of its group', () => {
      const group = (file: string) =>
        fs.readFileSync(path.join(FIXTURE_CGROUP, 'distinct.slice/app.service', file), 'utf8');
      const keyed = (file: string) =>
        new Map(
          group(file)
            .trim()
            .split('\n')
            .map((line) => line.split(' '))
            .map(([key, value]) => [key, Number(value)]),
        );
      const limit = Number(group('memory.max'));
      const usage = Number(group('memory.current'));
      const workingSet = usage - keyed('memory.stat').get('inactive_file')!;
      const events = keyed('memory.events');
      const local = keyed('memory.events.local');
      assert.notEqual(
        events.get('oom_kill'),
        local.get('oom_kill'),
        "fixture: the group's own kills differ from its subtree's",
      );
      assert.deepEqual(snapshot().cgroup, {
        version: 2,
        path: '/distinct.slice/app.service',
        usageBytes: usage,
        workingSet: { bytes: workingSet },
        levels: [
          {
            path: '/distinct.slice/app.service',
            limitBytes: limit,
            limitFile: 'memory.max',
            usage: { bytes: usage },
            workingSet: { bytes: workingSet },
            headroom: { bytes: limit - workingSet },
          },
        ],
        tightest: {
          path: '/distinct.slice/app.service',
          limitBytes: limit,
          limitFile: 'memory.max',
          workingSetBytes: workingSet,
          headroomBytes: limit - workingSet,
        },
        oom: {
          path: '/distinct.slice/app.service',
          counters: [
            { key: 'eventsHigh', value: events.get('high'), file: 'memory.events high' },
            { key: 'eventsMax', value: events.get('max'), file: 'memory.events max' },
            { key: 'eventsOom', value: events.get('oom'), file: 'memory.events oom' },
            { key: 'oomKill', value: local.get('oom_kill'), file: 'memory.events.local oom_kill' },
          ],
        },
      });
    });

    it("each kind of mapping's Rss, Pss, Private and Swap are the sums of its mappings in smaps", () => {
      const exe = fs.readlinkSync(path.join(dir, 'exe'));
      const mappings = smapsMappings(path.join(dir, 'smaps'));
      const expected = sumByKind(
        mappings.map((mapping) => ({ kind: ownKind(mapping.path, exe), values: mapping.values })),
      );
      const kinds = kindsOf(snapshot());
      assert.deepEqual(new Set(kinds.keys()), new Set(expected.keys()));
      for (const [kind, totals] of expected) {
        assert.deepEqual(kinds.get(kind), totals, kind);
        assert.notEqual(totals.pssBytes, totals.privateBytes, `fixture: ${kind}'s Pss and Private differ`);
      }
    });

    it('the largest mappings carry their own Rss, Pss and Private', () => {
      const s = snapshot();
      assert.ok('top' in s.mappings);
      const byStart = new Map(
        smapsMappings(path.join(dir, 'smaps')).map((mapping) => [mapping.path + mapping.values.get('Rss'), mapping]),
      );
      for (const row of s.mappings.top) {
        const mapping = byStart.get((row.name === '[anonymous]' ? '' : row.name) + row.rssBytes / 1024);
        assert.ok(mapping, `${row.name} ${row.rssBytes}`);
        assert.equal(row.pssBytes, mapping.values.get('Pss')! * 1024, `${row.name} Pss`);
        assert.equal(
          row.privateBytes,
          (mapping.values.get('Private_Clean')! + mapping.values.get('Private_Dirty')!) * 1024,
          `${row.name} Private`,
        );
      }
    });
  });

  describe('a live process, stopped (SIGSTOP) while both sides read it', () => {
    after(killAllChildren);

    it('every figure equals /proc/PID/status, smaps_rollup, statm x getconf PAGESIZE and pmap -XX', async () => {
      const shm = `/dev/shm/proc-memory-test-${process.pid}`;
      const dataFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'proc-memory-figures-')), 'data.bin');
      const fd = fs.openSync(dataFile, 'w');
      fs.writeSync(fd, Buffer.alloc(8 << 20, 7));
      fs.fsyncSync(fd); // written back, so its mapped pages are clean
      fs.closeSync(fd);
      // Anonymous (a 40 MiB bytes object), file-backed (a mapped data file, read: clean private
      // pages), shared memory (a /dev/shm file, written) and a peak (160 MiB made and freed).
      const script = [
        'import mmap, os, sys',
        'peak = b"\\x02" * (160 << 20)',
        'del peak',
        'anon = b"\\x01" * (40 << 20)',
        `f = open(${JSON.stringify(dataFile)}, "rb")`,
        'data = mmap.mmap(f.fileno(), 0, flags=mmap.MAP_PRIVATE, prot=mmap.PROT_READ)',
        'touched = sum(data[i] for i in range(0, len(data), 4096))',
        `fd = os.open(${JSON.stringify(shm)}, os.O_RDWR | os.O_CREAT, 0o600)`,
        'os.ftruncate(fd, 6 << 20)',
        'seg = mmap.mmap(fd, 6 << 20, mmap.MAP_SHARED)',
        'for i in range(0, 6 << 20, 4096): seg[i] = 3',
        'print("ready", flush=True)',
        'sys.stdin.read()',
      ].join('\n');
      const child = startChild('/usr/bin/python3', ['-c', script]);
      try {
        await child.waitForLine('ready');
        process.kill(child.pid, 'SIGSTOP');
        await waitFor(
          () => /^\d+ \(.*\) T /.test(fs.readFileSync(`/proc/${child.pid}/stat`, 'latin1')),
          'the child to stop',
        );
        const exe = fs.readlinkSync(`/proc/${child.pid}/exe`);
        const page = pageSizeFromGetconf();
        // A stopped process's own pages hold still, but the Pss of a shared library changes when
        // another process maps or unmaps it (other test runs start Pythons and Nodes all the time,
        // and pmap maps libc itself): pmap runs first, twice, and must agree on every mapping but
        // the libraries; then the engine reads twice around the test's own reads of the files,
        // with no process started in between, and must agree with itself.
        let attempt = 0;
        for (;;) {
          const paths = mapsPaths(child.pid);
          const pmap = pmapXX(child.pid);
          const pmapAgain = pmapXX(child.pid);
          const withoutLibraries = (rows: Map<string, Map<string, number>>) =>
            JSON.stringify(
              [...rows]
                .filter(([start]) => ownKind(paths.get(start) ?? '', exe) !== 'libraries')
                .map(([start, values]) => [start, [...values]]),
            );
          const pmapStable = withoutLibraries(pmap.rows) === withoutLibraries(pmapAgain.rows);
          const before = toSnapshot(expectOk(sampleProcess(child.pid, { detail: true, mappings: true })));
          const status = kbLines(`/proc/${child.pid}/status`);
          const rollup = kbLines(`/proc/${child.pid}/smaps_rollup`);
          const [sizePages, residentPages, sharedPages] = statmPages(`/proc/${child.pid}/statm`);
          const ownSmaps = smapsMappings(`/proc/${child.pid}/smaps`);
          const after = toSnapshot(expectOk(sampleProcess(child.pid, { detail: true, mappings: true })));
          const stable =
            pmapStable &&
            JSON.stringify({
              ...before,
              sampledAtMs: 0,
              rollupReadAtMs: 0, // read with the rest: a time, like sampledAtMs
              mappings: 'kinds' in before.mappings ? before.mappings.kinds : before.mappings,
            }) ===
              JSON.stringify({
                ...after,
                sampledAtMs: 0,
                rollupReadAtMs: 0,
                mappings: 'kinds' in after.mappings ? after.mappings.kinds : after.mappings,
              });
          // On a busy machine (other suites starting Pythons and Nodes) the libraries' Pss can move
          // for a while: read again until it holds still, and say so if it never does.
          if (!stable) {
            assert.ok(++attempt < 400, `the figures never held still over ${attempt} reads`);
            await new Promise((resolve) => setTimeout(resolve, 20));
            continue;
          }
          const s = after;
          // The process really has what makes the figures different from each other.
          assert.ok(kbField(status, 'RssShmem') >= 6 << 20, 'the /dev/shm segment is resident');
          assert.ok(kbField(status, 'RssFile') >= 8 << 20, 'the data file is resident');
          assert.ok(kbField(status, 'VmHWM') >= kbField(status, 'VmRSS') + (32 << 20), 'the peak is above RES');
          assert.ok(
            pmap.total.get('Private_Clean')! > 0 && pmap.total.get('Private_Dirty')! > 0,
            'clean and dirty private pages exist',
          );

          assert.equal(s.resBytes, residentPages * page, 'RES');
          assert.equal(s.virtBytes, sizePages * page, 'VIRT');
          assert.equal(s.shrBytes, sharedPages * page, 'SHR');
          assert.equal(s.resBytes, kbField(status, 'VmRSS'), 'RES is VmRSS');
          assert.equal(
            s.shrBytes,
            kbField(status, 'RssFile') + kbField(status, 'RssShmem'),
            'SHR is RssFile + RssShmem (top)',
          );
          assertStatusFigures(s, status);
          assert.equal(s.threads, statusCount(`/proc/${child.pid}/status`, 'Threads'), 'Threads');
          assert.equal(bytesOf(s.pss, 'pss'), kbField(rollup, 'Pss'), 'PSS is smaps_rollup Pss');
          // pmap sums each mapping's Pss rounded down to a kB; the rollup rounds once.
          // pmap maps libc and friends itself while it runs, so the Pss (and which pages are
          // private) of the target's shared libraries differ while pmap looks: libraries are
          // compared with the test's own read of smaps, every other kind with pmap -XX as well.
          const own = sumByKind(
            ownSmaps.map((mapping) => ({ kind: ownKind(mapping.path, exe), values: mapping.values })),
          );
          const ownPss = [...own.values()].reduce((sum, totals) => sum + totals.pssBytes, 0);
          const pss = bytesOf(s.pss, 'pss');
          assert.ok(
            pss >= ownPss && pss <= ownPss + ownSmaps.length * 1024,
            `PSS ${pss} vs the sum of smaps ${ownPss} (each mapping rounded down to a kB)`,
          );
          const uss = bytesOf(s.uss, 'uss');
          assert.equal(
            uss,
            kbField(rollup, 'Private_Clean') + kbField(rollup, 'Private_Dirty'),
            'USS is smaps_rollup Private_Clean + Private_Dirty',
          );
          const rows = [...pmap.rows].map(([start, values]) => {
            const mappingPath = paths.get(start);
            assert.ok(mappingPath !== undefined, `pmap row ${start} is in /proc/PID/maps`);
            const kind: OwnKind = ownKind(mappingPath, exe);
            return { kind, values };
          });
          const fromPmap = sumByKind(rows);
          const librariesShift =
            (own.get('libraries')?.privateBytes ?? 0) - (fromPmap.get('libraries')?.privateBytes ?? 0);
          assert.equal(
            uss,
            (pmap.total.get('Private_Clean')! + pmap.total.get('Private_Dirty')!) * 1024 + librariesShift,
            'USS is pmap -XX Private_Clean + Private_Dirty (libraries as this test reads them)',
          );
          const kinds = kindsOf(s);
          assert.deepEqual([...kinds.keys()].sort(), [...own.keys()].sort());
          for (const [kind, mine] of kinds) {
            assert.deepEqual(mine, own.get(kind as OwnKind), `${kind} vs this test's sum of smaps`);
            const theirs = fromPmap.get(kind as OwnKind);
            assert.ok(theirs, `${kind} in pmap -XX`);
            assert.equal(mine.rssBytes, theirs.rssBytes, `${kind} Rss vs pmap -XX`);
            assert.equal(mine.count, theirs.count, `${kind} count vs pmap -XX`);
            if (kind !== 'libraries') {
              assert.equal(mine.pssBytes, theirs.pssBytes, `${kind} Pss vs pmap -XX`);
              assert.equal(mine.privateBytes, theirs.privateBytes, `${kind} Private vs pmap -XX`);
            }
          }
          assert.ok(
            [...own.values()].some((totals) => totals.privateBytes !== totals.pssBytes),
            'some kind has Pss != Private (shared libraries)',
          );
          break;
        }
      } finally {
        try {
          process.kill(child.pid, 'SIGCONT');
        } catch {
          // gone already
        }
        await child.kill();
        fs.rmSync(shm, { force: true });
        fs.rmSync(path.dirname(dataFile), { recursive: true, force: true });
      }
    });
  });
});
