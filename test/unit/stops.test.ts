// The pure parts of "memory at the stopped line": which frame VS Code reveals, the words of the tip,
// what changed between two reads of smaps, and the debug view's stop intents.
import * as assert from 'assert';
import { DapFrame, framesOf, revealedFrame, sourceLabel } from '../../src/debug/core/revealedFrame';
import { StopReading } from '../../src/debug/core/stopReading';
import { EVALUATION_CAUTION, tipHover, tipText } from '../../src/debug/core/stopTipText';
import { formatInterval } from '../../shared/format';
import { parseSmaps, MappingGroup } from '../../src/proc/smaps';
import { diffMappings, MappingsAtStop } from '../../src/proc/smapsDiff';
import { parseFromDebugView } from '../../shared/protocol/debugView';
import { expectOk } from './helpers';
import { MiB } from '../../shared/units';

describe('revealedFrame: the frame VS Code reveals after a stop', () => {
  const frame = (id: number, source?: DapFrame['source']): DapFrame => ({ id, name: `f${id}`, line: id * 10, source });
  it('skips frames without a source and de-emphasised ones (libc, skipFiles)', () => {
    const frames = [
      frame(1),
      frame(2, { name: 'libc.so.6', presentationHint: 'deemphasize' }),
      frame(3, { path: '/src/app.js' }),
      frame(4, { path: '/src/main.js' }),
    ];
    assert.strictEqual(revealedFrame(frames)?.id, 3);
  });
  it('falls back to the first frame when none has a usable source', () => {
    assert.strictEqual(revealedFrame([frame(7), frame(8, { presentationHint: 'deemphasize', path: '/x' })])?.id, 7);
    assert.strictEqual(revealedFrame([]), undefined);
  });
  it('a source the adapter serves (sourceReference, no path) counts', () => {
    assert.strictEqual(revealedFrame([frame(1), frame(2, { name: 'VM123', sourceReference: 5 })])?.id, 2);
  });
  it('framesOf keeps frame-shaped entries at their positions, the others as holes', () => {
    const body = {
      stackFrames: [
        { id: 1, name: 'a', line: 3 },
        { id: 'x', name: 'b', line: 1 },
        null,
        { id: 2, name: 'c', line: 4, source: 'no' },
        { id: 3, name: 'd', line: 5, source: { path: '/a.c' } },
      ],
    };
    assert.deepStrictEqual(
      framesOf(body).map((f) => f?.id),
      [1, undefined, undefined, undefined, 3],
    );
    assert.deepStrictEqual(framesOf(undefined), []);
    assert.deepStrictEqual(framesOf({ stackFrames: 'no' }), []);
  });
  it("sourceLabel: the file name, else the debugger's name", () => {
    assert.strictEqual(sourceLabel({ path: '/home/u/app/server.js' }), 'server.js');
    assert.strictEqual(sourceLabel({ name: '<eval> VM12' }), '<eval> VM12');
    assert.strictEqual(sourceLabel(undefined), 'unknown source');
  });
});

describe('the tip at the stopped line', () => {
  const reading = (res: number, extra: Partial<StopReading> = {}): StopReading => ({
    timeMs: Date.UTC(2026, 10, 26, 12, 0, 0),
    resBytes: res,
    pssBytes: res - 3 * MiB,
    anonBytes: res - 20 * MiB,
    fileBytes: 19 * MiB,
    shmemBytes: 1 * MiB,
    children: { count: 2, resBytes: 30 * MiB, pssBytes: 25 * MiB },
    ...extra,
  });
  it('the first stop shows RES itself and the reason', () => {
    assert.strictEqual(
      tipText({ reason: 'breakpoint', atMs: 0, reading: reading(412.3 * MiB), previous: undefined }),
      'RES 412.3 MiB · breakpoint',
    );
  });
  it('a later stop shows the change and the wall time since the previous stop', () => {
    const text = tipText({
      reason: 'step',
      atMs: 1200,
      reading: reading(120 * MiB),
      previous: { atMs: 0, reading: reading(40 * MiB) },
    });
    assert.strictEqual(text, 'RES +80.0 MiB · 1.2 s since last stop · step');
    assert.strictEqual(
      tipText({
        reason: 'step',
        atMs: 500,
        reading: reading(40 * MiB),
        previous: { atMs: 0, reading: reading(41 * MiB) },
      }),
      'RES -1.00 MiB · 500 ms since last stop · step',
    );
  });
  it("an adapter's reason is one short line", () => {
    const text = tipText({
      reason: 'exception\nwith `code` and a very long explanation that goes on',
      atMs: 0,
      reading: reading(MiB),
      previous: undefined,
    });
    assert.ok(!text.includes('\n') && text.length < 80, text);
  });
  it('the hover lists each change, both readings, when, and the caution', () => {
    const hover = tipHover(
      {
        reason: 'breakpoint',
        atMs: 1200,
        reading: reading(120 * MiB, { timeMs: 1200 }),
        previous: {
          atMs: 0,
          reading: reading(40 * MiB, { timeMs: 0, children: { count: 1, resBytes: 10 * MiB, pssBytes: 8 * MiB } }),
        },
      },
      (ms) => `T${ms}`,
    );
    assert.ok(hover.includes('| RES | +80.0 MiB | 120.0 MiB | 40.0 MiB |'), hover);
    assert.ok(hover.includes('| PSS | +80.0 MiB | 117.0 MiB | 37.0 MiB |'), hover);
    assert.ok(hover.includes('| Anon | +80.0 MiB | 100.0 MiB | 20.0 MiB |'), hover);
    assert.ok(hover.includes('| File | ±0 B | 19.0 MiB | 19.0 MiB |'), hover);
    assert.ok(hover.includes('| Children (2) | +20.0 MiB | 30.0 MiB | 10.0 MiB |'), hover);
    assert.ok(hover.includes('Read at T0 and T1200, 1.2 s apart.'), hover);
    assert.ok(hover.includes(EVALUATION_CAUTION));
  });
  it('a figure the kernel did not give reads unknown, never 0', () => {
    const hover = tipHover(
      { reason: 'step', atMs: 0, reading: reading(MiB, { pssBytes: undefined }), previous: undefined },
      String,
    );
    assert.ok(hover.includes('| PSS | unknown |'), hover);
  });
  it('a hostile reason cannot inject Markdown into the hover', () => {
    const hover = tipHover(
      { reason: '[x](command:evil) **b**', atMs: 0, reading: reading(MiB), previous: undefined },
      String,
    );
    assert.ok(!hover.includes('](command:'), hover);
  });
  it('formatInterval', () => {
    assert.deepStrictEqual(
      [0, 999, 1000, 1250, 9999, 14_000, 125_000, 3_780_000, 86_400_000, 183_600_000].map(formatInterval),
      ['0 s', '999 ms', '1.0 s', '1.2 s', '9.9 s', '14 s', '2 min 5 s', '1 h 3 min', '1 d', '2 d 3 h'],
    );
  });
});

/** A smaps text from mappings given as [start, perms, path, rssKiB, pssKiB, privateKiB]. */
function smaps(mappings: [string, string, string, number, number, number][]): string {
  return mappings
    .map(([start, perms, name, rss, pss, priv]) =>
      [
        `${start}-${(parseInt(start, 16) + 0x100000).toString(16)} ${perms} 00000000 00:00 0${name ? `                          ${name}` : ''}`,
        `Rss:            ${rss} kB`,
        `Pss:            ${pss} kB`,
        `Private_Clean:  ${Math.floor(priv / 3)} kB`,
        `Private_Dirty:  ${priv - Math.floor(priv / 3)} kB`,
        'Swap:           0 kB',
        '',
      ].join('\n'),
    )
    .join('');
}

function atStop(text: string): MappingsAtStop {
  const groups = new Map<string, MappingGroup>();
  const summary = expectOk(parseSmaps(text, '/usr/bin/app', groups));
  return { categories: summary.categories, groups: [...groups.values()] };
}

describe('what changed between two stops (smaps diff)', () => {
  const before = atStop(
    smaps([
      ['400000', 'r-xp', '/usr/bin/app', 100, 100, 100],
      ['7f0000000000', 'r-xp', '/usr/lib/libc.so.6', 900, 300, 0],
      ['7f0000200000', 'rw-p', '/usr/lib/libc.so.6', 16, 16, 16],
      ['7f1000000000', 'rw-p', '', 2048, 2048, 2048],
      ['555000000000', 'rw-p', '[heap]', 512, 512, 512],
    ]),
  );
  it('groups a file by path and permissions, named regions by name, all unnamed anonymous memory under one key', () => {
    const keys = before.groups.map((group) => group.key).sort();
    assert.deepStrictEqual(keys, [
      '/usr/bin/app r-xp',
      '/usr/lib/libc.so.6 r-xp',
      '/usr/lib/libc.so.6 rw-p',
      '[anonymous]',
      '[heap]',
    ]);
  });
  it('matches by key, never by address: a moved and split anonymous region is one change', () => {
    const after = atStop(
      smaps([
        ['400000', 'r-xp', '/usr/bin/app', 100, 100, 100],
        ['7f0000000000', 'r-xp', '/usr/lib/libc.so.6', 904, 301, 0],
        ['7f0000200000', 'rw-p', '/usr/lib/libc.so.6', 16, 16, 16],
        ['7f2000000000', 'rw-p', '', 40000, 40000, 40000], // moved
        ['7f3000000000', 'rw-p', '', 28000, 28000, 28000], // and split
        ['555000000000', 'rw-p', '[heap]', 640, 640, 640],
        ['7f4000000000', 'r--p', '/tmp/data.bin', 300, 300, 300], // newly mapped
      ]),
    );
    const change = diffMappings(before, after);
    assert.deepStrictEqual(
      change.kinds.map((kind) => [kind.kind, kind.rssBytes / 1024, kind.pssBytes / 1024, kind.privateBytes / 1024]),
      [
        ['anonymous', 65952, 65952, 65952],
        ['files', 300, 300, 300],
        ['heap', 128, 128, 128],
        ['libraries', 4, 1, 0],
      ],
    );
    assert.deepStrictEqual(
      change.grew.map((group) => [group.name, group.rssBytes / 1024, group.appeared]),
      [
        ['[anonymous]', 65952, false],
        ['/tmp/data.bin', 300, true],
        ['[heap]', 128, false],
        ['/usr/lib/libc.so.6', 4, false],
      ],
    );
    assert.strictEqual(change.grew[3].perms, 'r-xp');
    assert.deepStrictEqual(change.shrank, []);
  });
  it('an unmapped file is a shrink, marked as such; unchanged kinds are left out', () => {
    const after = atStop(
      smaps([
        ['400000', 'r-xp', '/usr/bin/app', 100, 100, 100],
        ['7f1000000000', 'rw-p', '', 2048, 2048, 2048],
        ['555000000000', 'rw-p', '[heap]', 512, 512, 512],
      ]),
    );
    const change = diffMappings(before, after);
    assert.deepStrictEqual(
      change.kinds.map((kind) => kind.kind),
      ['libraries'],
    );
    assert.deepStrictEqual(
      change.shrank.map((group) => [group.name, group.perms, group.rssBytes / 1024, group.vanished]),
      [
        ['/usr/lib/libc.so.6', 'r-xp', -900, true],
        ['/usr/lib/libc.so.6', 'rw-p', -16, true],
      ],
    );
    assert.deepStrictEqual(diffMappings(before, before), { kinds: [], grew: [], shrank: [] });
  });
  it('the groups add up to the kinds', () => {
    for (const category of Object.keys(before.categories) as (keyof typeof before.categories)[]) {
      const sum = before.groups
        .filter((group) => group.category === category)
        .reduce((total, group) => total + group.rssBytes, 0);
      assert.strictEqual(sum, before.categories[category].rssBytes, category);
    }
  });
});

describe('debug view stop intents are validated', () => {
  it('accepts well-formed revealStop, setBaseline and readMappings', () => {
    assert.deepStrictEqual(parseFromDebugView({ type: 'revealStop', sessionId: 's', stopId: 3 }), {
      type: 'revealStop',
      sessionId: 's',
      stopId: 3,
    });
    assert.deepStrictEqual(parseFromDebugView({ type: 'setBaseline', sessionId: 's', stopId: 1 }), {
      type: 'setBaseline',
      sessionId: 's',
      stopId: 1,
    });
    assert.deepStrictEqual(parseFromDebugView({ type: 'readMappings', sessionId: 's', extra: 1 }), {
      type: 'readMappings',
      sessionId: 's',
    });
  });
  it('drops anything else', () => {
    for (const message of [
      { type: 'revealStop', sessionId: 's', stopId: '3' },
      { type: 'revealStop', sessionId: 's', stopId: 0 },
      { type: 'revealStop', sessionId: 's', stopId: 1.5 },
      { type: 'setBaseline', sessionId: 'x'.repeat(201), stopId: 1 },
      { type: 'readMappings', sessionId: '' },
      { type: 'readMappings' },
      ['revealStop'],
      null,
    ]) {
      assert.strictEqual(parseFromDebugView(message), undefined, JSON.stringify(message));
    }
  });
});
