// The inspect panel in Chromium under its real CSP, fed by the fake host (webview/dev/fakeInspect.ts):
// the states a live system will not produce on demand (a malformed /proc file, a kernel thread, a
// figure the kernel refuses, a hostile name) and what the screenshots cannot show. The real host
// is covered by the integration and UI suites.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { QUIET_MESSAGE_MS, SILENT_AFTER_MS } from '../../shared/protocol/quietMessages';
import { MiB } from '../../shared/units';
import { accessibilityTests, screenshotTests, Shot } from './everyPage';
import { assertNoProblems, itLeavesNoProblems, openView, usePage } from './harness';
import {
  activeTestId,
  chartCanvasWidth,
  clippedTileValues,
  describedBy,
  fakeSnapshot,
  hostPost,
  lastPosted,
  legendMarkerColour,
  numberAttribute,
  postSample,
  posted,
  savedState,
  switchBodyTheme,
  text,
  until,
} from './page';

const RES_VALUE = '[data-figure=res] [data-testid=figure-value]';
const points = (tab: Page) => numberAttribute(tab, '[data-testid=chart]', 'data-points');

async function visibleTooltip(tab: Page, key: string): Promise<void> {
  await tab.locator(`[data-testid=tooltip-${key}]:visible`).first().waitFor();
}
async function scrollToOutOfMemory(tab: Page): Promise<void> {
  await tab.locator('[data-testid=out-of-memory]').evaluate((element) => element.scrollIntoView({ block: 'start' }));
}

const SHOTS: Shot[] = [
  { name: 'inspect-live', scenario: 'live', themes: ['dark', 'light', 'hc'], width: 1100, height: 1000 },
  { name: 'inspect-narrow', scenario: 'live', themes: ['dark'], width: 460, height: 1400 },
  { name: 'inspect-200px', scenario: 'live', themes: ['dark', 'light'], width: 200, height: 1600 },
  { name: 'inspect-many-mappings', scenario: 'many-mappings', themes: ['dark'], width: 1100, height: 1000 },
  { name: 'inspect-hostile', scenario: 'hostile', themes: ['dark'], width: 1100, height: 1000 },
  { name: 'inspect-ended', scenario: 'ended', themes: ['dark', 'light'], width: 1100, height: 1000 },
  { name: 'inspect-unavailable', scenario: 'unavailable', themes: ['dark'], width: 1100, height: 1000 },
  { name: 'inspect-kernel-thread', scenario: 'kernel-thread', themes: ['dark'], width: 900, height: 420 },
  { name: 'inspect-zombie', scenario: 'zombie', themes: ['light'], width: 900, height: 420 },
  { name: 'inspect-waiting', scenario: 'waiting', themes: ['dark'], width: 900, height: 300 },
  {
    name: 'inspect-tooltip',
    scenario: 'live',
    themes: ['dark', 'hc'],
    width: 1100,
    height: 700,
    action: async (tab) => {
      await tab.hover('[data-testid=label-res] >> nth=0');
      await visibleTooltip(tab, 'res');
    },
  },
  {
    name: 'inspect-focus',
    scenario: 'live',
    themes: ['light'],
    width: 1100,
    height: 1000,
    action: async (tab) => {
      await tab.focus('[data-testid=label-cgroup]');
      await visibleTooltip(tab, 'cgroup');
    },
  },
  {
    name: 'inspect-chart-hover',
    scenario: 'live',
    themes: ['dark'],
    width: 1100,
    height: 800,
    action: async (tab) => {
      const box = await tab.locator('.chart-plot .u-over').boundingBox();
      assert.ok(box, 'no chart');
      await tab.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5);
    },
  },
  {
    name: 'inspect-mapping-tooltip',
    scenario: 'live',
    themes: ['dark', 'light', 'hc'],
    width: 1100,
    height: 700,
    action: async (tab) => {
      await tab.locator('[data-testid=mappings]').scrollIntoViewIfNeeded();
      await tab.hover('[data-testid=label-mapping-libraries]');
      await visibleTooltip(tab, 'mapping-libraries');
    },
  },
  {
    name: 'inspect-oom-section',
    scenario: 'live',
    themes: ['dark', 'light', 'hc'],
    width: 1100,
    height: 700,
    action: scrollToOutOfMemory,
  },
  {
    name: 'inspect-oom-unavailable',
    scenario: 'unavailable',
    themes: ['dark'],
    width: 1100,
    height: 700,
    action: scrollToOutOfMemory,
  },
  {
    name: 'inspect-working-set-tooltip',
    scenario: 'live',
    themes: ['dark'],
    width: 1100,
    height: 700,
    action: async (tab) => {
      await scrollToOutOfMemory(tab);
      await tab.hover('[data-testid=label-workingSet]');
      await visibleTooltip(tab, 'workingSet');
    },
  },
  { name: 'inspect-oom-killed', scenario: 'oom-killed', themes: ['dark', 'light'], width: 1100, height: 1000 },
  {
    name: 'inspect-oom-narrow',
    scenario: 'live',
    themes: ['dark'],
    width: 460,
    height: 900,
    action: scrollToOutOfMemory,
  },
  {
    name: 'inspect-paused',
    scenario: 'live',
    themes: ['dark'],
    width: 1100,
    height: 800,
    action: async (tab) => {
      await tab.click('[data-testid=pause]');
      await until(async () => (await text(tab, '[data-testid=pause]')).trim() === 'Resume');
    },
  },
];

describe('inspect panel', () => {
  describe('live: posts, pause, theme, tooltips, the end', () => {
    const use = usePage('inspect', 'live');
    let tab: Page;
    before(() => (tab = use.page.tab));

    it('posts ready first', async () => {
      assert.equal(((await posted(tab))[0] as { type?: string })?.type, 'ready');
    });
    it('init history drawn (3600 points)', async () => {
      assert.equal(await points(tab), 3600);
    });
    it('RES tile shows formatBytes text', async () => {
      assert.match(await text(tab, RES_VALUE), /MiB$/);
    });
    it('state keeps the process for restore', async () => {
      assert.equal(((await savedState(tab)) as { process?: { pid?: number } })?.process?.pid, 48213);
    });
    for (const [id, message] of [
      ['export-csv', { type: 'export', format: 'csv' }],
      ['export-json', { type: 'export', format: 'json' }],
      ['copy-snapshot', { type: 'copySnapshot' }],
    ] as const) {
      it(`${id} posts ${JSON.stringify(message)}`, async () => {
        await tab.click(`[data-testid=${id}]`);
        assert.deepEqual(await lastPosted(tab), message);
      });
    }
    it('pause saved in state', async () => {
      await tab.click('[data-testid=pause]');
      assert.equal(((await savedState(tab)) as { paused?: boolean })?.paused, true);
    });
    it('paused: chart not updated', async () => {
      for (let i = 0; i < 3; i++) {
        await postSample(tab, 500 * MiB);
      }
      assert.equal(await points(tab), 3600);
    });
    it('paused: figures still update', async () => {
      assert.equal(await text(tab, RES_VALUE), '500.0 MiB');
    });
    it('resume draws the samples that came meanwhile', async () => {
      await tab.click('[data-testid=pause]');
      assert.equal(await points(tab), 3603);
    });
    it('a sample after readings the host held back draws the flat line up to the last of them first', async () => {
      const now = Date.now();
      const snapshot = await fakeSnapshot(tab, { resBytes: 500 * MiB }); // what the tests after it expect
      await hostPost(tab, { type: 'sample', snapshot, timeMs: now, trendPerMinute: 0, sameUntilMs: now - 1000 });
      assert.equal(await points(tab), 3605, 'the flat point, then the new one');
      await hostPost(tab, { type: 'sample', snapshot, timeMs: now + 1000, trendPerMinute: 0, sameUntilMs: now + 1000 });
      assert.equal(await points(tab), 3606, 'no flat point at or after the new reading');
      assert.match(await text(tab, '[data-testid=reading-time]'), /^As of \d/);
    });
    it('theme change re-reads chart colours', async () => {
      const before = await legendMarkerColour(tab, 1);
      await switchBodyTheme(tab, 'vscode-dark', 'vscode-light');
      // The view re-reads its colours on the next frame after the class changes.
      await until(async () => (await legendMarkerColour(tab, 1)) !== before);
      assert.deepEqual([before, await legendMarkerColour(tab, 1)], ['rgb(55, 148, 255)', 'rgb(26, 133, 255)']);
    });
    it('theme change keeps one chart', async () => {
      assert.equal(await tab.locator('.uplot').count(), 1);
    });
    it('label focus opens its tooltip', async () => {
      await tab.focus('[data-testid=label-pss]');
      assert.ok(await tab.isVisible('[data-testid=tooltip-pss]'));
    });
    it('aria-describedby points at the MEMORY_DOCS summary', async () => {
      const description = await describedBy(tab, '[data-testid=label-pss]');
      assert.ok(description?.startsWith('RES with each shared page divided'), description);
    });
    it('Escape closes the tooltip', async () => {
      await tab.keyboard.press('Escape');
      assert.ok(!(await tab.isVisible('[data-testid=tooltip-pss]')));
    });
    it('exit banner shown', async () => {
      await hostPost(tab, { type: 'ended', ended: { atMs: Date.now(), message: 'The process exited.' } });
      await postSample(tab, 900 * MiB);
      assert.ok(await tab.isVisible('#exit-banner'));
    });
    it('no Pause after the exit', async () => {
      assert.ok(!(await tab.isVisible('[data-testid=pause]')));
    });
    it('figures frozen after ended', async () => {
      assert.equal(await text(tab, RES_VALUE), '500.0 MiB');
    });
    it('export still works after ended', async () => {
      await tab.click('[data-testid=export-csv]');
      assert.equal(((await lastPosted(tab)) as { type?: string })?.type, 'export');
    });
    it('problem banner shown', async () => {
      await hostPost(tab, { type: 'problem', message: 'EACCES' });
      assert.ok((await text(tab, '#problem-banner')).includes('EACCES'));
    });
    itLeavesNoProblems(use);
  });

  describe('restored paused state', () => {
    const use = usePage('inspect', 'live', { state: { paused: true } });
    it('button says Resume', async () => {
      assert.equal((await text(use.page.tab, '[data-testid=pause]')).trim(), 'Resume');
    });
    it('history still drawn', async () => {
      assert.equal(await points(use.page.tab), 3600);
    });
    it('chart resizes with the panel', async () => {
      const tab = use.page.tab;
      const before = await chartCanvasWidth(tab);
      await tab.setViewportSize({ width: 700, height: 900 });
      await until(async () => (await chartCanvasWidth(tab)) < before);
      const after = await chartCanvasWidth(tab);
      assert.ok(after < before && after > 500, `${before} -> ${after}`);
    });
    itLeavesNoProblems(use);
  });

  describe('a host gone silent', () => {
    const use = usePage('inspect', 'live', { clock: true });
    it('the reading time says so once the promised reading is well overdue, and the next reading clears it', async () => {
      const tab = use.page.tab;
      const snapshot = await fakeSnapshot(tab, { resBytes: 500 * MiB });
      const now = await tab.evaluate(() => Date.now());
      await hostPost(tab, { type: 'sample', snapshot, timeMs: now, trendPerMinute: 0 });
      const readingTime = '[data-testid=reading-time]';
      await tab.clock.fastForward(QUIET_MESSAGE_MS);
      assert.equal(await tab.getAttribute(readingTime, 'data-silent'), null, 'a quiet stretch is not silence');
      await tab.clock.fastForward(SILENT_AFTER_MS - QUIET_MESSAGE_MS);
      assert.match(await text(tab, readingTime), /^As of .+ · no reading since/);
      assert.equal(await tab.getAttribute(readingTime, 'data-silent'), 'true');
      await hostPost(tab, { type: 'sample', snapshot, timeMs: now + SILENT_AFTER_MS, trendPerMinute: 0 });
      assert.match(await text(tab, readingTime), /^As of [^·]+$/);
      assert.equal(await tab.getAttribute(readingTime, 'data-silent'), null);
    });
    itLeavesNoProblems(use);
  });

  describe('PSS and USS read before RES', () => {
    const use = usePage('inspect', 'live');
    it('say how much earlier, older with each reading until read again, and nothing once read with RES', async () => {
      const tab = use.page.tab;
      const note = (figure: string) => `[data-figure=${figure}] [data-testid=figure-note]`;
      const now = Date.now();
      const snapshot = await fakeSnapshot(tab, { resBytes: 233 * MiB, sampledAtMs: now, rollupReadAtMs: now - 7300 });
      await hostPost(tab, { type: 'sample', snapshot, timeMs: now, trendPerMinute: 0 });
      assert.equal(await text(tab, note('pss')), 'read 7.3 s before RES');
      assert.equal(await text(tab, note('uss')), 'read 7.3 s before RES');
      // The host leaves out what did not change: the same rollup, a newer RES.
      await hostPost(tab, {
        type: 'sample',
        snapshot: { sampledAtMs: now + 1000 },
        timeMs: now + 1000,
        trendPerMinute: 0,
      });
      assert.equal(await text(tab, note('pss')), 'read 8.3 s before RES');
      await hostPost(tab, {
        type: 'sample',
        snapshot: { sampledAtMs: now + 2000, rollupReadAtMs: now + 2000 },
        timeMs: now + 2000,
        trendPerMinute: 0,
      });
      assert.equal(await tab.isVisible(note('pss')), false, 'read with RES: no note');
      assert.equal(await tab.isVisible(note('uss')), false);
    });
    itLeavesNoProblems(use);
  });

  describe('a reloaded page hears a sample before its init', () => {
    const use = usePage('inspect', 'reloaded');
    it('it ignores the sample and shows the init', async () => {
      assert.match(await text(use.page.tab, RES_VALUE), /MiB$/);
      assert.equal(await points(use.page.tab), 3600);
    });
    itLeavesNoProblems(use);
  });

  describe('waiting for the first reading', () => {
    const use = usePage('inspect', 'waiting');
    it('no figures yet', async () => {
      assert.ok(await use.page.tab.isVisible('[data-testid=no-snapshot]'));
    });
    it('first samples after waiting are drawn', async () => {
      const tab = use.page.tab;
      for (let i = 0; i < 3; i++) {
        await postSample(tab, (100 + i) * MiB);
      }
      assert.equal(await points(tab), 3);
      assert.ok(!(await tab.isVisible('[data-testid=no-snapshot]')));
    });
    it('chart created once the panel has a size', async () => {
      const canvases = use.page.tab.locator('.uplot canvas');
      await until(async () => (await canvases.count()) === 1);
      assert.equal(await canvases.count(), 1);
    });
    itLeavesNoProblems(use);
  });

  describe('unavailable figures', () => {
    const use = usePage('inspect', 'unavailable');
    it('unavailable figure shows its reason, not 0', async () => {
      assert.match(await text(use.page.tab, '[data-figure=pss] [data-testid=figure-value]'), /^unavailable: /);
    });
    it('unavailable figure has data-state', async () => {
      assert.equal(await use.page.tab.getAttribute('[data-figure=pss]', 'data-state'), 'unavailable');
    });
    it('mappings unavailable: the reason instead of a table', async () => {
      const tab = use.page.tab;
      assert.equal(await tab.getAttribute('[data-testid=mappings]', 'data-state'), 'unavailable');
      assert.ok((await text(tab, '[data-testid=mappings-unavailable]')).includes('Permission denied'));
      assert.ok(!(await tab.isVisible('[data-testid=mapping-top]')));
    });
    itLeavesNoProblems(use);
  });

  describe('out of memory: what cannot be read', () => {
    const use = usePage('inspect', 'unavailable');
    it('oom: unreadable working set, counters, score say why', async () => {
      const tab = use.page.tab;
      assert.match(await text(tab, '[data-figure=workingSet] [data-testid=figure-value]'), /^unavailable: /);
      assert.ok((await text(tab, '[data-testid=oom-unavailable]')).includes('Permission denied'));
      assert.match(await text(tab, '[data-figure=oomScore] [data-testid=figure-value]'), /^unavailable: /);
      assert.equal(
        await text(tab, '[data-figure=minorFaults] [data-testid=figure-value]'),
        'unavailable: needs two readings',
      );
    });
    it('forecast: collecting says how much longer', async () => {
      const tab = use.page.tab;
      assert.equal(await tab.getAttribute('[data-testid=forecast]', 'data-verdict'), 'collecting');
      assert.equal(
        await text(tab, '[data-testid=forecast-verdict]'),
        'Leak forecast: collecting readings (about 30 s more).',
      );
    });
    it('pressure unavailable: dashes and the reason, never 0', async () => {
      const tab = use.page.tab;
      const cells = await tab.$$eval('[data-testid=pressure] td', (tds) =>
        tds.map((cell) => [cell.textContent, cell.hasAttribute('data-value')]),
      );
      assert.ok(
        cells.length > 0 && cells.every(([content, hasValue]) => content === '–' && !hasValue),
        JSON.stringify(cells),
      );
      assert.ok((await text(tab, '[data-testid=pressure-note]')).includes('no pressure stall information'));
    });
    it('oom: no limit anywhere says so', async () => {
      const tab = use.page.tab;
      assert.ok((await text(tab, '[data-testid=no-limit]')).includes('No limit'));
      assert.match(await text(tab, '[data-figure=cgroup] [data-testid=figure-value]'), /^unavailable: no limit/);
    });
    itLeavesNoProblems(use);
  });

  describe('where RES lives', () => {
    const use = usePage('inspect', 'live');
    let tab: Page;
    before(() => (tab = use.page.tab));
    const kindRows = () =>
      tab.$$eval('[data-testid^=mapping-category-]', (rows) =>
        rows.map((row) => ({
          kind: row.getAttribute('data-kind'),
          rss: Number(row.getAttribute('data-rss')),
          visible: row.getBoundingClientRect().height > 0,
        })),
      );
    const mappingsRss = () => numberAttribute(tab, '[data-testid=mappings]', 'data-rss');

    it('eight kinds, each shown', async () => {
      const kinds = await kindRows();
      assert.ok(kinds.length === 8 && kinds.every((row) => row.visible), JSON.stringify(kinds));
    });
    it('largest RSS first', async () => {
      const kinds = await kindRows();
      assert.ok(
        kinds.every((row, i) => i === 0 || kinds[i - 1].rss >= row.rss),
        kinds.map((row) => row.kind).join(','),
      );
    });
    it('kinds add up to RES', async () => {
      const resBytes = await numberAttribute(tab, '[data-figure=res]', 'data-bytes');
      const sum = (await kindRows()).reduce((total, row) => total + row.rss, 0);
      assert.equal(sum, resBytes);
      assert.equal(await mappingsRss(), resBytes);
    });
    it('eight largest mappings', async () => {
      assert.equal(await tab.locator('[data-testid=mapping-top]').count(), 8);
    });
    it('a long path is shortened in the middle, whole in its title', async () => {
      const longPath = tab.locator('[data-testid=mapping-top] .mapping-path').nth(4);
      const fullPath = await longPath.getAttribute('title');
      const fits = await longPath.evaluate(
        (element) => element.scrollWidth <= element.parentElement.parentElement.clientWidth + 1,
      );
      assert.ok(fullPath?.endsWith('libvips-cpp.so.8.16.1'), `${fullPath}`);
      assert.equal(await longPath.locator('.path-base').textContent(), 'libvips-cpp.so.8.16.1');
      assert.ok(fits, `${fullPath} does not fit`);
    });
    it('mapping kind label explains itself (MAPPING_DOCS)', async () => {
      await tab.focus('[data-testid=label-mapping-heap]');
      assert.ok(await tab.isVisible('[data-testid=tooltip-mapping-heap]'));
      assert.ok((await text(tab, '[data-testid=tooltip-mapping-heap]')).includes('The classic heap that malloc grows'));
    });
    it('a new sample keeps the focus and the open tooltip of a kind label', async () => {
      await postSample(tab, 430 * MiB);
      assert.equal(await activeTestId(tab), 'label-mapping-heap');
      assert.ok(await tab.isVisible('[data-testid=tooltip-mapping-heap]'));
    });
    it('a new sample updates the kinds in place', async () => {
      assert.equal(await mappingsRss(), Math.round((430 * MiB) / 4096) * 4096);
    });
    it('a sample without mappings and command line keeps the ones the page has', async () => {
      const { mappings, commandLine, ...rest } = await fakeSnapshot(tab, { resBytes: 440 * MiB });
      void mappings;
      void commandLine;
      await hostPost(tab, { type: 'sample', snapshot: rest, timeMs: Date.now(), trendPerMinute: 0 });
      assert.equal(await text(tab, RES_VALUE), '440.0 MiB');
      assert.equal(await mappingsRss(), Math.round((430 * MiB) / 4096) * 4096);
      assert.ok((await text(tab, '.command-line')).includes('--max-old-space-size'));
    });
    itLeavesNoProblems(use);
  });

  describe('chart markers', () => {
    const use = usePage('inspect', 'live');
    it('markers of stops and user', async () => {
      const tab = use.page.tab;
      assert.equal(await numberAttribute(tab, '[data-testid=chart]', 'data-markers'), 4);
      assert.match(await text(tab, '[data-testid=chart-marker-info]'), /^3 debug stops and 1 marker/);
    });
    it('pointing at a stop marker describes it', async () => {
      const tab = use.page.tab;
      const box = await tab.locator('.uplot .u-over').boundingBox();
      assert.ok(box, 'no chart');
      // The second stop sits at 80 % of the history: point at it and read what it says.
      let described = '';
      for (
        let dx = Math.floor(box.width * 0.78);
        dx <= Math.ceil(box.width * 0.82) && !described.startsWith('Stop');
        dx += 2
      ) {
        await tab.mouse.move(box.x + dx, box.y + box.height / 2);
        described = await text(tab, '[data-testid=chart-marker-info]');
      }
      assert.ok(described.includes('server.js:57') && described.includes('+64.0 MiB'), described);
    });
    it('markers replaced by the host', async () => {
      const tab = use.page.tab;
      await hostPost(tab, { type: 'markers', markers: [] });
      assert.equal(await numberAttribute(tab, '[data-testid=chart]', 'data-markers'), 0);
    });
    itLeavesNoProblems(use);
  });

  describe('will it run out of memory', () => {
    const use = usePage('inspect', 'live');
    let tab: Page;
    before(() => (tab = use.page.tab));
    const figureBytes = (key: string) =>
      numberAttribute(tab, `[data-testid=out-of-memory] [data-figure=${key}]`, 'data-bytes');
    const levels = () =>
      tab.$$eval('[data-testid=limit-level]', (rows) =>
        rows.map((row) => ({
          path: row.getAttribute('data-path'),
          limit: Number(row.getAttribute('data-limit')),
          ws: Number(row.getAttribute('data-working-set')),
          headroom: Number(row.getAttribute('data-headroom')),
          tightest: row.hasAttribute('data-tightest'),
        })),
      );

    it('usage and working set side by side, working set the smaller', async () => {
      const usage = await figureBytes('cgroupUsage');
      const workingSet = await figureBytes('workingSet');
      assert.ok(usage > workingSet && workingSet > 0, `${usage} ${workingSet}`);
      assert.ok(
        (await text(tab, '[data-figure=workingSet] [data-testid=figure-note]')).includes('inactive page cache'),
      );
    });
    it('every level with its headroom = limit − its working set', async () => {
      const rows = await levels();
      assert.ok(
        rows.length === 2 && rows.every((level) => level.headroom === level.limit - level.ws),
        JSON.stringify(rows),
      );
    });
    it('the tightest level is marked and is the Limit tile', async () => {
      const rows = await levels();
      const tightest = rows.find((level) => level.tightest);
      assert.ok(tightest, JSON.stringify(rows));
      assert.equal(tightest.headroom, Math.min(...rows.map((level) => level.headroom)));
      assert.equal(await numberAttribute(tab, '[data-figure=cgroup]', 'data-headroom'), tightest.headroom);
    });
    it('working set label explains why it differs from usage', async () => {
      await tab.focus('[data-testid=label-workingSet]');
      assert.ok(await tab.isVisible('[data-testid=tooltip-workingSet]'));
      assert.ok((await text(tab, '[data-testid=tooltip-workingSet]')).includes('inactive page cache'));
      await tab.keyboard.press('Escape');
    });
    it('counters: v2 shows high, max, oom, oom_kill; not failcnt', async () => {
      assert.ok(await tab.isVisible('[data-figure=eventsHigh]'));
      assert.ok(await tab.isVisible('[data-figure=oomKill]'));
      assert.ok(!(await tab.isVisible('[data-figure=failcnt]')));
    });
    it('oom score and adj shown as numbers', async () => {
      assert.equal(await text(tab, '[data-figure=oomScore] [data-testid=figure-value]'), '712');
      assert.equal(await text(tab, '[data-figure=oomScoreAdj] [data-testid=figure-value]'), '+100');
    });
    it('pressure: some and full, 10 s and 60 s, of the system and the group', async () => {
      const pressure = await tab.$$eval('[data-testid=pressure] td', (cells) =>
        cells.map((cell) => cell.getAttribute('data-value')),
      );
      assert.deepEqual(pressure, ['0.42', '0.18', '3.81', '1.07', '0', '0', '0.52', '0.11']);
    });
    it('pressure: says which group', async () => {
      assert.ok(
        (await text(tab, '[data-testid=pressure-note]')).includes(
          '/user.slice/user-1000.slice/session-3.scope in the cgroup v2 hierarchy',
        ),
      );
    });
    it('pressure full label explains itself', async () => {
      await tab.focus('[data-testid=label-pressureFull]');
      assert.ok(await tab.isVisible('[data-testid=tooltip-pressureFull]'));
      assert.ok((await text(tab, '[data-testid=tooltip-pressureFull]')).includes('all non-idle tasks'));
      await tab.keyboard.press('Escape');
    });
    it('fault rates shown per second', async () => {
      assert.equal(await text(tab, '[data-figure=minorFaults] [data-testid=figure-value]'), '1,844/s');
      assert.equal(await text(tab, '[data-figure=majorFaults] [data-testid=figure-value]'), '0.40/s');
    });
    it('forecast: growing, the rate, the fit and the time to the tightest limit (its headroom / rate)', async () => {
      const tightest = (await levels()).find((level) => level.tightest);
      assert.ok(tightest);
      const timeToLimit = await numberAttribute(tab, '[data-testid=forecast]', 'data-time-to-limit');
      const forecast = await text(tab, '[data-testid=forecast]');
      assert.equal(await tab.getAttribute('[data-testid=forecast]', 'data-verdict'), 'growing');
      assert.ok(Math.abs(timeToLimit - (tightest.headroom / (3.93 * MiB)) * 60000) < 1, `${timeToLimit}`);
      assert.match(
        await text(tab, '.forecast-verdict'),
        /^↑At \+3\.93 MiB\/min this reaches the cgroup limit \(memory\.\w+ of \/[^)]+\) in about \d+ (h|min)/,
      );
      assert.ok(forecast.includes('R² 0.97'), forecast);
    });
    it('forecast: a new fit replaces the verdict (a sawtooth back to its base is no leak)', async () => {
      await hostPost(tab, {
        type: 'sample',
        snapshot: await fakeSnapshot(tab),
        timeMs: Date.now(),
        trendPerMinute: 0,
        forecast: { verdict: 'steady', reason: 'sawtooth', spanMs: 600000, bytesPerMinute: 1024, r2: 0.02 },
      });
      assert.equal(await tab.getAttribute('[data-testid=forecast]', 'data-verdict'), 'steady');
      assert.match(await text(tab, '[data-testid=forecast-verdict]'), /^No leak: RES rises and falls back/);
      assert.ok(!(await tab.locator('[data-testid=forecast]').getAttribute('data-time-to-limit')));
    });
    it('forecast: a sample without one keeps the last fit', async () => {
      await hostPost(tab, { type: 'sample', snapshot: await fakeSnapshot(tab), timeMs: Date.now(), trendPerMinute: 0 });
      assert.equal(await tab.getAttribute('[data-testid=forecast]', 'data-verdict'), 'steady');
    });
    itLeavesNoProblems(use);
  });

  describe('ended', () => {
    const use = usePage('inspect', 'ended');
    it('cgroup unavailable: the reason instead of the figures', async () => {
      const tab = use.page.tab;
      assert.equal(await tab.getAttribute('[data-testid=out-of-memory]', 'data-cgroup'), 'unavailable');
      assert.ok((await text(tab, '[data-testid=cgroup-unavailable]')).includes('cgroup v1: no single memory limit'));
    });
    it('a plain exit is not called an OOM kill', async () => {
      assert.ok(await use.page.tab.isVisible('#exit-banner'));
      assert.ok(!(await use.page.tab.isVisible('#oom-banner')));
    });
    itLeavesNoProblems(use);
  });

  describe('OOM-killed', () => {
    const use = usePage('inspect', 'oom-killed');
    it('its banner with the evidence, not the plain exit banner', async () => {
      const tab = use.page.tab;
      assert.ok(await tab.isVisible('#oom-banner'));
      assert.ok(!(await tab.isVisible('#exit-banner')));
      const banner = await text(tab, '#oom-banner');
      assert.ok(banner.includes('Most likely killed by the OOM killer'), banner);
      assert.ok(banner.includes('oom_kill of cgroup /docker/3f2a9c rose by 1'), banner);
    });
    it('v1 counters: failcnt and oom_kill only', async () => {
      assert.ok(await use.page.tab.isVisible('[data-figure=failcnt]'));
      assert.ok(!(await use.page.tab.isVisible('[data-figure=eventsMax]')));
    });
    itLeavesNoProblems(use);
  });

  describe('hostile names', () => {
    const use = usePage('inspect', 'hostile');
    it('hostile cgroup path shows as text', async () => {
      const tab = use.page.tab;
      assert.ok((await text(tab, '[data-testid=cgroup-path]')).includes('"><img src=x onerror=alert(2)>'));
      assert.equal(await tab.locator('[data-testid=out-of-memory] img').count(), 0);
    });
    it('hostile cgroup path in the forecast shows as text', async () => {
      const tab = use.page.tab;
      assert.ok((await text(tab, '[data-testid=forecast-verdict]')).includes('"><img src=x onerror=alert(2)>'));
      assert.equal(await tab.locator('[data-testid=forecast] img').count(), 0);
    });
    it('hostile mapping path shows as text', async () => {
      const row = await use.page.tab.locator('[data-testid=mapping-top]', { hasText: '<img' }).first().textContent();
      assert.ok(row?.includes('/tmp/<img src=x onerror=alert(1)>.so'), `${row}`);
    });
    it('hostile mapping path made no element', async () => {
      assert.equal(await use.page.tab.locator('[data-testid=mappings] img').count(), 0);
    });
    itLeavesNoProblems(use);
  });

  // Figures never lose digits: at 200 px (and a few other widths) no tile value is clipped, cut
  // with an ellipsis, or pushed out of its tile, and the page does not scroll sideways.
  describe('narrow panels', () => {
    for (const width of [200, 320, 460, 760]) {
      it(`${width} px: no tile value clipped or ellipsised`, async () => {
        const page = await openView('inspect', 'live', { width, height: 1600 });
        try {
          await postSample(page.tab, 1023.9 * MiB); // the widest RES text: "1023.9 MiB"
          const clipped = await clippedTileValues(page.tab);
          assert.ok(clipped.values === 22 && clipped.problems.length === 0, JSON.stringify(clipped));
        } finally {
          assertNoProblems(page.name, await page.close());
        }
      });
    }
  });

  // Where RES lives, for a process whose smaps is read rarely: how fresh, why, and Read now.
  describe('many mappings', () => {
    const use = usePage('inspect', 'many-mappings');
    it('mappings freshness says when, how many mappings and how often', async () => {
      const tab = use.page.tab;
      const freshness = await text(tab, '[data-testid=mappings-freshness]');
      assert.equal(
        freshness,
        'Read 40 s ago; this process has 40\u00a0000 mappings and one read takes 296 ms, so it is read once a minute',
      );
      assert.equal(await tab.getAttribute('[data-testid=mappings-freshness]', 'data-pace'), 'cost');
    });
    it('Read now posts readMappings', async () => {
      await use.page.tab.click('[data-testid=read-mappings-now]');
      assert.deepEqual(await lastPosted(use.page.tab), { type: 'readMappings' });
    });
    it('while reading: Read now disabled, the line says so', async () => {
      const tab = use.page.tab;
      const snapshot = await fakeSnapshot(tab);
      assert.ok(snapshot.mappings && 'kinds' in snapshot.mappings);
      await hostPost(tab, {
        type: 'sample',
        snapshot: {
          ...snapshot,
          mappings: {
            ...snapshot.mappings,
            pace: { readAtMs: Date.now() - 40_000, everyMs: 60000, byCost: true, costMs: 296, reading: true },
          },
        },
        timeMs: Date.now(),
        trendPerMinute: 0,
      });
      assert.notEqual(await tab.getAttribute('[data-testid=read-mappings-now]', 'disabled'), null);
      assert.match(await text(tab, '[data-testid=mappings-freshness]'), /reading now…$/);
    });
    itLeavesNoProblems(use);
  });

  describe('kernel thread', () => {
    const use = usePage('inspect', 'kernel-thread');
    it('explanation instead of figures', async () => {
      assert.ok(await use.page.tab.isVisible('[data-testid=memoryless]'));
      assert.ok(!(await use.page.tab.isVisible('[data-figure=res]')));
    });
    itLeavesNoProblems(use);
  });

  screenshotTests('inspect', SHOTS);
  accessibilityTests('inspect', SHOTS);
});
