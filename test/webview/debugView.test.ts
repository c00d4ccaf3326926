// The debug side view ("Process Memory" in Run and Debug) in Chromium under its real CSP, fed by
// the fake host (webview/dev/fakeDebugView.ts): sessions nested, rows that ended or were
// OOM-killed, the stops list, the comparison between two stops, the terminals that run a command,
// hostile names.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { DebugSessionSample } from '../../shared/protocol/debugView';
import { MiB } from '../../shared/units';
import { accessibilityTests, screenshotTests, Shot } from './everyPage';
import { itLeavesNoProblems, usePage } from './harness';
import { fakeSnapshot, hostPost, lastPosted, numberAttribute, text } from './page';

const SHOTS: Shot[] = [
  { name: 'debug-sessions', scenario: 'sessions', themes: ['dark', 'light', 'hc'], width: 300, height: 1100 },
  { name: 'debug-idle', scenario: 'idle', themes: ['dark'], width: 300, height: 200 },
  {
    name: 'debug-tooltip',
    scenario: 'sessions',
    themes: ['dark'],
    width: 300,
    height: 500,
    action: async (tab) => {
      await tab.hover('[data-testid=label-res] >> nth=0');
      await tab.locator('[data-testid=tooltip-res]:visible').first().waitFor();
    },
  },
  { name: 'debug-wide', scenario: 'sessions', themes: ['light'], width: 520, height: 1000 },
  { name: 'debug-narrow', scenario: 'sessions', themes: ['dark'], width: 210, height: 900 },
  { name: 'debug-stops', scenario: 'sessions', themes: ['dark', 'light'], width: 320, height: 1400 },
  { name: 'debug-terminals', scenario: 'terminals', themes: ['dark', 'light'], width: 300, height: 560 },
];

describe('debug view', () => {
  describe('sessions', () => {
    const use = usePage('debugView', 'sessions');
    let tab: Page;
    before(() => (tab = use.page.tab));
    const child = '[data-session-id=child] > .session-card';
    const oomRow = '[data-session-id=oom] > .session-card';
    const sparkPoints = () => numberAttribute(tab, `${child} [data-testid=sparkline]`, 'data-points');

    it('child sessions nested under the parent', async () => {
      assert.equal(
        await tab.locator('[data-session-id=parent] > .session-children > [data-session-id=child]').count(),
        1,
      );
    });
    it('row click posts inspect', async () => {
      await tab.click('[data-session-id=child] > .session-card [data-testid=peak-res]');
      assert.deepEqual(await lastPosted(tab), { type: 'inspect', pid: 48214, startTicks: 9812345 });
    });
    it('Pick process posts pick', async () => {
      await tab.click('[data-session-id=lldb] [data-testid=pick]');
      assert.deepEqual(await lastPosted(tab), { type: 'pick', sessionId: 'lldb' });
    });
    it('ended row has no Inspect button', async () => {
      assert.ok(!(await tab.isVisible('[data-session-id=old] [data-testid=inspect]')));
    });
    it('OOM-killed row: the verdict with its evidence, the cgroup path as text', async () => {
      const row = await text(tab, oomRow);
      assert.ok(await tab.isVisible(`${oomRow} [data-testid=session-oom]`), row);
      assert.equal(await tab.getAttribute(`${oomRow} [data-testid=session-oom]`, 'role'), 'alert');
      assert.match(
        await text(tab, `${oomRow} [data-testid=session-oom]`),
        /^Most likely killed by the kernel's OOM killer\./,
      );
      assert.ok(
        (await text(tab, `${oomRow} [data-testid=session-oom-text]`)).includes(
          'oom_kill of cgroup /docker/<img src=x onerror=alert(7)> rose by 1 (0 → 1)',
        ),
        row,
      );
      assert.equal(await tab.locator(`${oomRow} img`).count(), 0);
    });
    it('a plain exit has no OOM verdict, a live row neither', async () => {
      assert.ok(!(await tab.isVisible('[data-session-id=old] > .session-card [data-testid=session-oom]')));
      assert.ok(!(await tab.isVisible('[data-session-id=parent] > .session-card [data-testid=session-oom]')));
    });
    it('since last stop text', async () => {
      assert.equal(
        await text(tab, '[data-session-id=parent] > .session-card [data-testid=since-last-stop]'),
        '+42.0 MiB since the last stop',
      );
    });
    // Stops, what changed between two of them, and the sparkline's markers.
    it('stops: newest first', async () => {
      const ids = await tab.$$eval(`${child} [data-testid=stop]`, (items) =>
        items.map((item) => Number(item.getAttribute('data-stop-id'))),
      );
      assert.deepEqual(ids, [4, 3, 2, 1]);
    });
    it('stops: location and change', async () => {
      const stop = await text(tab, `${child} [data-stop-id="4"]`);
      assert.ok(stop.includes('server.js:58'), stop);
      assert.equal(await text(tab, `${child} [data-stop-id="4"] [data-testid=stop-delta]`), '+64.0 MiB in 1.2 s');
    });
    it('stops: a hostile file name is text', async () => {
      assert.equal(
        await text(tab, `${child} [data-stop-id="2"] [data-testid=stop-location]`),
        '<img src=x onerror=alert(6)>.js:3',
      );
      assert.equal(await tab.locator(`${child} .stops img, ${child} .stops b`).count(), 0);
    });
    it('clicking a stop posts revealStop (and not inspect)', async () => {
      await tab.click(`${child} [data-stop-id="3"]`);
      assert.deepEqual(await lastPosted(tab), { type: 'revealStop', sessionId: 'child', stopId: 3 });
    });
    it('Enter on a stop posts revealStop', async () => {
      await tab.focus(`${child} [data-stop-id="4"]`);
      await tab.keyboard.press('Enter');
      assert.deepEqual(await lastPosted(tab), { type: 'revealStop', sessionId: 'child', stopId: 4 });
    });
    it('a stop without a location is not a button', async () => {
      assert.equal(await tab.getAttribute(`${child} [data-stop-id="1"]`, 'role'), null);
    });
    it('comparison: anonymous grew by 64 MiB, first', async () => {
      assert.equal(
        await tab.getAttribute(`${child} [data-testid^=change-kind-]`, 'data-testid'),
        'change-kind-anonymous',
      );
      assert.equal(await numberAttribute(tab, `${child} [data-testid=change-kind-anonymous]`, 'data-rss'), 64 * MiB);
    });
    it('comparison: grew-most rows, hostile path as text', async () => {
      assert.equal(await tab.locator(`${child} [data-testid=change-grew]`).count(), 3);
      assert.equal(await tab.locator(`${child} .comparison img`).count(), 0);
    });
    it('comparison: says other threads may run', async () => {
      assert.ok((await text(tab, `${child} [data-testid=comparison-note]`)).includes('other threads'));
    });
    it('comparison: earlier stops with mappings as baselines', async () => {
      const options = await tab.$$eval(`${child} [data-testid=baseline] option`, (items) =>
        items.map((option) => option.value),
      );
      assert.deepEqual(options, ['3', '2']);
    });
    it('picking a baseline posts setBaseline', async () => {
      await tab.selectOption(`${child} [data-testid=baseline]`, '2');
      assert.deepEqual(await lastPosted(tab), { type: 'setBaseline', sessionId: 'child', stopId: 2 });
    });
    it('sparkline: one mark per marker in its span', async () => {
      assert.equal(await numberAttribute(tab, `${child} [data-testid=sparkline]`, 'data-marks'), 4);
      assert.equal(
        await tab.locator(`${child} [data-testid=sparkline-mark] title`).first().textContent(),
        'server.js:41: handleOrder · breakpoint · RES 402.1 MiB at the first stop',
      );
    });
    // A sample message carries only the live part of a row and the newest point: the stops, the
    // comparison and the markers stay; the sparkline moves on by one point, once.
    it('sample: new figures and one new point, same stops, comparison and markers', async () => {
      const pointsBefore = await sparkPoints();
      const at = Date.now() + 60_000;
      const live = {
        status: 'found' as const,
        message: 'PID from the debug adapter (process event)',
        sinceLastStop: -3 * MiB,
        children: undefined,
        points: [{ timeMs: at, resBytes: 512 * MiB }],
      };
      const rows: DebugSessionSample[] = [
        {
          ...live,
          sessionId: 'child',
          snapshot: await fakeSnapshot(tab, { pid: 48214, startTicks: 9812345, resBytes: 512 * MiB }),
        },
        // A session the view was never told about: ignored until a state brings it.
        { ...live, sessionId: 'nobody', snapshot: await fakeSnapshot(tab) },
      ];
      await hostPost(tab, { type: 'sample', rows });
      await hostPost(tab, { type: 'sample', rows }); // the same reading again (detail arriving between ticks): no new point
      assert.equal(await numberAttribute(tab, `${child} [data-figure=res]`, 'data-bytes'), 512 * MiB);
      assert.equal(await text(tab, `${child} [data-testid=since-last-stop]`), '-3.00 MiB since the last stop');
      assert.equal(
        await sparkPoints(),
        Math.min(60, pointsBefore + 1),
        `points ${pointsBefore} -> ${await sparkPoints()}`,
      );
      assert.ok((await numberAttribute(tab, `${child} [data-testid=sparkline]`, 'data-marks')) > 0);
      assert.equal(await tab.locator(`${child} [data-testid=stop]`).count(), 4);
      assert.equal(await tab.locator(`${child} [data-testid=change-grew]`).count(), 3);
      assert.equal(await tab.locator('[data-session-id=nobody]').count(), 0);
    });
    it('comparison unavailable: the reason and Read now', async () => {
      await hostPost(tab, {
        type: 'state',
        debugging: true,
        rows: [
          {
            sessionId: 'big',
            parentSessionId: undefined,
            name: 'big',
            debugType: 'lldb',
            status: 'found',
            message: '',
            snapshot: await fakeSnapshot(tab),
            sparkline: [],
            sparklineTimesMs: [],
            sinceLastStop: undefined,
            children: undefined,
            markers: [],
            stops: [
              {
                id: 2,
                atMs: Date.now(),
                reason: 'step',
                location: undefined,
                resBytes: 1,
                sincePrevious: undefined,
                hasMappings: false,
              },
              {
                id: 1,
                atMs: Date.now(),
                reason: 'step',
                location: undefined,
                resBytes: 1,
                sincePrevious: undefined,
                hasMappings: true,
              },
            ],
            comparison: {
              unavailable:
                'No mappings at stop 2: smaps of this process took 170 ms to read, so it is read on demand only.',
              canReadNow: true,
            },
          },
        ],
      });
      assert.ok((await text(tab, '[data-testid=comparison-unavailable]')).includes('170 ms'));
      assert.ok(await tab.isVisible('[data-testid=read-mappings]'));
    });
    it('sample: a repeated reading adds no point', async () => {
      // 'big' starts with no points: the same reading sent twice adds one point, not two.
      const sample: DebugSessionSample = {
        sessionId: 'big',
        status: 'found',
        message: '',
        snapshot: await fakeSnapshot(tab),
        sinceLastStop: undefined,
        children: undefined,
        points: [{ timeMs: Date.now(), resBytes: MiB }],
      };
      await hostPost(tab, { type: 'sample', rows: [sample] });
      await hostPost(tab, { type: 'sample', rows: [sample] });
      assert.equal(await tab.getAttribute('[data-session-id=big] [data-testid=sparkline]', 'data-points'), '1');
    });
    // The host holds back readings that change nothing (a stopped program): the next sample brings
    // every point since, so the sparkline keeps one point per reading and a change shows as a step.
    it('sample: the points of readings held back, each once, in order', async () => {
      const at = Date.now() + 10_000;
      const points = [MiB, MiB, MiB, 3 * MiB].map((resBytes, i) => ({ timeMs: at + i * 1000, resBytes }));
      const sample: DebugSessionSample = {
        sessionId: 'big',
        status: 'found',
        message: '',
        snapshot: await fakeSnapshot(tab, { resBytes: 3 * MiB }),
        sinceLastStop: undefined,
        children: undefined,
        points,
      };
      await hostPost(tab, { type: 'sample', rows: [sample] });
      // The same points again, with one more: only the new one is added.
      await hostPost(tab, {
        type: 'sample',
        rows: [{ ...sample, points: [...points.slice(2), { timeMs: at + 4000, resBytes: 3 * MiB }] }],
      });
      const sparkline = '[data-session-id=big] [data-testid=sparkline]';
      assert.equal(await tab.getAttribute(sparkline, 'data-points'), '6');
      const line = (await tab.getAttribute(`${sparkline} .sparkline-line`, 'points')) ?? '';
      const ys = line.split(' ').map((pair) => Number(pair.split(',')[1]));
      // 1 MiB four times (the first from the test before), then 3 MiB twice: flat, one step up, flat.
      assert.deepEqual(
        ys.map((y) => (y === ys[0] ? 'low' : y === ys[5] ? 'high' : String(y))),
        ['low', 'low', 'low', 'low', 'high', 'high'],
        line,
      );
    });
    it('Read now posts readMappings', async () => {
      await tab.click('[data-testid=read-mappings]');
      assert.deepEqual(await lastPosted(tab), { type: 'readMappings', sessionId: 'big' });
    });
    it('not debugging: explanation', async () => {
      await hostPost(tab, { type: 'state', debugging: false, rows: [] });
      assert.match(await text(tab, '[data-testid=not-debugging]'), /^Start debugging/);
    });
    itLeavesNoProblems(use);
  });

  // A row per terminal that runs a command, text only.
  describe('terminals', () => {
    const use = usePage('debugView', 'terminals');
    let tab: Page;
    before(() => (tab = use.page.tab));
    const terminalRow = (pid: number) => `[data-testid=terminal][data-pid="${pid}"]`;

    it('a row per terminal running a command, with its tree and largest member', async () => {
      const all = await text(tab, '[data-testid=terminals]');
      assert.equal(await tab.locator('[data-testid=terminal]').count(), 2, all);
      assert.equal(await text(tab, `${terminalRow(51200)} [data-testid=terminal-name]`), 'Terminal 1: bash');
      assert.equal(
        await text(tab, `${terminalRow(51200)} [data-testid=terminal-command]`),
        'npm run dev -- --port 5173 | tee dev.log',
      );
      assert.equal(
        await tab.getAttribute(`${terminalRow(51200)} [data-testid=terminal-command]`, 'data-source'),
        'shell',
      );
      assert.equal(
        await text(tab, `${terminalRow(51200)} [data-testid=terminal-tree]`),
        '6 processes · RES 912.4 MiB · PSS 688.1 MiB',
      );
      assert.equal(
        await text(tab, `${terminalRow(51200)} [data-testid=terminal-largest]`),
        'Largest: node (PID 51233) PSS 402.7 MiB',
      );
    });
    it('a hostile name and command line stay text', async () => {
      const command = await text(tab, `${terminalRow(51300)} [data-testid=terminal-command]`);
      assert.ok(command.startsWith('sh -c "<script>alert(document.cookie)</script>"'), command);
      const name = await text(tab, `${terminalRow(51300)} [data-testid=terminal-name]`);
      assert.ok(name.includes('<img src=x onerror=alert(1)> $(zap) **bold**'), name);
      assert.equal(
        await tab
          .locator('[data-testid=terminals] img, [data-testid=terminals] script, [data-testid=terminals] svg')
          .count(),
        0,
      );
      const tree = await text(tab, `${terminalRow(51300)} [data-testid=terminal-tree]`);
      assert.ok(tree.endsWith('(PSS of 1 unreadable)'), tree);
    });
    it('a row click posts inspect of the command', async () => {
      await tab.click(`${terminalRow(51200)} [data-testid=terminal-tree]`);
      assert.deepEqual(await lastPosted(tab), { type: 'inspect', pid: 51200, startTicks: 7712345 });
    });
    it('none running, no section', async () => {
      await hostPost(tab, { type: 'terminals', rows: [] });
      assert.equal(await tab.locator('[data-testid=terminal]').count(), 0);
      assert.ok(!(await tab.isVisible('[data-testid=terminals]')));
      assert.ok(await tab.isVisible('[data-testid=not-debugging]'));
    });
    itLeavesNoProblems(use);
  });

  screenshotTests('debugView', SHOTS);
  accessibilityTests('debugView', SHOTS);
});
