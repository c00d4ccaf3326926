// The recording editor (*.procmem.json) in Chromium under its real CSP, fed by the fake host
// (webview/dev/fakeRecording.ts): a recording with a hostile name, a broken file, a day at 1 Hz.
import assert from 'node:assert/strict';
import { accessibilityTests, screenshotTests, Shot } from './everyPage';
import { itLeavesNoProblems, usePage } from './harness';
import { lastPosted, msSinceHostMessageDrawn, numberAttribute, text } from './page';

const SHOTS: Shot[] = [
  { name: 'recording', scenario: 'recording', themes: ['dark', 'light'], width: 1100, height: 900 },
  { name: 'recording-invalid', scenario: 'invalid', themes: ['dark'], width: 900, height: 300 },
];

describe('recording editor', () => {
  describe('a recording', () => {
    const use = usePage('recording', 'recording');
    it('the name as text, the facts, the chart with its markers', async () => {
      const tab = use.page.tab;
      assert.equal(await text(tab, '[data-testid=recording-name]'), '<img src=x onerror=alert(1)> (PID 48213)');
      assert.ok((await text(tab, '[data-testid=recording-facts]')).includes('peak RES'));
      assert.equal(await numberAttribute(tab, '[data-testid=chart]', 'data-markers'), 4);
      assert.equal(await tab.locator('.recording-head img').count(), 0);
    });
    it('stops and markers listed in order', async () => {
      assert.equal(await use.page.tab.locator('[data-testid=recording-stop]').count(), 4);
    });
    it('Compare with… posts compareWith', async () => {
      await use.page.tab.click('[data-testid=compare-with]');
      assert.deepEqual(await lastPosted(use.page.tab), { type: 'compareWith' });
    });
    itLeavesNoProblems(use);
  });

  describe('a bad file', () => {
    const use = usePage('recording', 'invalid');
    it('says why, no chart', async () => {
      assert.ok((await text(use.page.tab, '[data-testid=recording-invalid-text]')).includes('truncated'));
      assert.ok(!(await use.page.tab.isVisible('[data-testid=chart]')));
    });
    itLeavesNoProblems(use);
  });

  // A day at 1 Hz: how long from the message to the drawn chart (no target; uPlot draws it whole).
  describe('a recording of a day', () => {
    const use = usePage('recording', 'day');
    it('drawn whole, the legend follows the pointer', async () => {
      const tab = use.page.tab;
      await tab.waitForSelector('[data-testid=chart][data-points="86400"] .uplot canvas');
      const drawnMs = await msSinceHostMessageDrawn(tab);
      console.log(
        `      info: recording of 24 h at 1 Hz (86 400 samples) drawn ${Math.round(drawnMs)} ms after the host's message`,
      );
      await tab.mouse.move(600, 450);
      assert.equal(await numberAttribute(tab, '[data-testid=chart]', 'data-points'), 86400);
      assert.ok((await text(tab, '.u-legend')).includes('MiB'));
    });
    itLeavesNoProblems(use);
  });

  screenshotTests('recording', SHOTS);
  accessibilityTests('recording', SHOTS);
});
