// The comparison of two recordings in Chromium under its real CSP, fed by the fake host
// (webview/dev/fakeCompare.ts).
import assert from 'node:assert/strict';
import { accessibilityTests, screenshotTests, Shot } from './everyPage';
import { itLeavesNoProblems, usePage } from './harness';
import { lastPosted, numberAttribute, text } from './page';

const SHOTS: Shot[] = [{ name: 'compare', scenario: 'compare', themes: ['dark', 'light'], width: 1100, height: 1000 }];

describe('comparison of two recordings', () => {
  describe('two runs', () => {
    const use = usePage('compare', 'compare');
    it('both runs, the verdict, two curves', async () => {
      const tab = use.page.tab;
      assert.match(await text(tab, '[data-testid=verdict]'), /^Run B peaks/);
      assert.ok((await numberAttribute(tab, '[data-testid=overlay-chart]', 'data-points-a')) > 0);
      assert.ok((await numberAttribute(tab, '[data-testid=overlay-chart]', 'data-points-b')) > 0);
    });
    it('stops side by side', async () => {
      assert.equal(await use.page.tab.locator('[data-testid=stop-pair]').count(), 3);
    });
    it('changing the alignment posts align', async () => {
      await use.page.tab.selectOption('[data-testid=alignment]', 'start');
      assert.deepEqual(await lastPosted(use.page.tab), { type: 'align', alignment: 'start' });
    });
    itLeavesNoProblems(use);
  });

  describe('two task runs', () => {
    const use = usePage('compare', 'task-runs');
    it('compared by PSS summed: curves and peaks, RES summed beside', async () => {
      const tab = use.page.tab;
      assert.equal(await text(tab, '[data-testid=compare-figure]'), 'PSS summed of both runs');
      assert.equal(await tab.getAttribute('[data-testid=overlay-chart]', 'data-figure'), 'PSS summed');
      assert.ok(
        (await text(tab, '[data-testid=run-b]')).endsWith('peak PSS summed 400.0 MiB (RES summed 1.17 GiB)'),
        await text(tab, '[data-testid=run-b]'),
      );
    });
    itLeavesNoProblems(use);
  });

  screenshotTests('compare', SHOTS);
  accessibilityTests('compare', SHOTS);
});
