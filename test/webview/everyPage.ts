// What every page of every view is held to: a screenshot of each scenario in its themes (to
// test-results/screenshots/, for people to look at) with no console error, page error, CSP
// violation, dialog or element made from process data; and axe-core's WCAG 2.1 AA rules on each
// scenario in the dark and the light theme.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { ThemeName, ViewName } from '../../webview/dev/devServer';
import { assertNoProblems, itLeavesNoProblems, openView, screenshotsDir, usePage } from './harness';
import { axeViolations, injectedElements, painted } from './page';

export interface Shot {
  /** The file is dev-NAME-THEME.png. */
  name: string;
  scenario: string;
  themes: ThemeName[];
  width: number;
  height: number;
  /** What to do before the screenshot (hover, focus, scroll); the shot then keeps the viewport. */
  action?: (tab: Page) => Promise<void>;
}

/** One test per shot and theme. */
export function screenshotTests(view: ViewName, shots: readonly Shot[]): void {
  describe('screenshots', () => {
    for (const shot of shots) {
      for (const theme of shot.themes) {
        it(`${shot.name} ${theme}: no console error, page error, CSP violation, dialog or injected element`, async () => {
          const page = await openView(view, shot.scenario, { theme, width: shot.width, height: shot.height });
          try {
            await painted(page.tab);
            await shot.action?.(page.tab);
            await painted(page.tab);
            const injected = await injectedElements(page.tab);
            // Full-page capture can resize the page, which moves an open tooltip: keep the viewport for interactions.
            await page.tab.screenshot({
              path: join(screenshotsDir, `dev-${shot.name}-${theme}.png`),
              fullPage: !shot.action,
            });
            assert.equal(injected, 0, `${injected} elements made from process data`);
          } finally {
            assertNoProblems(page.name, await page.close());
          }
        });
      }
    }
  });
}

let axeSource: string | undefined;

/** axe-core (WCAG 2.0 and 2.1, A and AA) on each scenario of the shots, dark and light: any violation fails. */
export function accessibilityTests(view: ViewName, shots: readonly Shot[]): void {
  for (const scenario of new Set(shots.map((shot) => shot.scenario))) {
    for (const theme of ['dark', 'light'] as const) {
      describe(`axe (WCAG 2.1 AA): ${view} ${scenario} ${theme}`, () => {
        const use = usePage(view, scenario, { theme });
        it('no violation', async () => {
          axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
          const violations = await axeViolations(use.page.tab, axeSource);
          assert.deepEqual(violations, []);
        });
        itLeavesNoProblems(use);
      });
    }
  }
}
