// Memory at the stopped line in the real workbench, dark and light: F5 in a workspace with a Node
// program that stops twice around a 96 MiB allocation. The tip at the stopped line, its hover, the
// stops list in Run and Debug and the chart's markers, each looked at in a screenshot.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Frame } from 'playwright-core';
import { MiB } from '../../shared/units';
import { readPidFile, writeGrowWorkspace } from './processes';
import { EditorTip, hoverAt, tipsIn as tipsInEditor, waitForTips as waitForTipsInEditor } from './editorTips';
import {
  hasSelector,
  hasTitle,
  itLoggedNoProblems,
  openWorkbench,
  SCREENSHOT_DIR,
  waitForAttribute,
  Workbench,
} from './workbench';

for (const theme of [
  { name: 'dark', id: 'Default Dark Modern' },
  { name: 'light', id: 'Default Light Modern' },
]) {
  describe(`memory at the stopped line (${theme.name})`, function () {
    this.timeout(240_000);
    let workbench: Workbench;
    let folder: string;
    let view: Frame;
    let pid: number;

    before(async () => {
      folder = mkdtempSync(path.join(os.tmpdir(), 'proc-memory-stops-ui-'));
      writeGrowWorkspace(folder);
      writeFileSync(path.join(folder, 'notes.md'), '# Notes\n\nAnother file: the tip never shows here.\n');
      workbench = await openWorkbench({
        folder,
        settings: { 'workbench.colorTheme': theme.id, 'procMemory.sampleIntervalMs': 500 },
      });
    });

    afterEach(async function () {
      await workbench?.screenshotIfFailed(this);
    });

    after(async () => {
      await workbench?.page.keyboard.press('Shift+F5').catch(() => undefined);
      await workbench?.close(`stops-${theme.name}`);
      rmSync(folder, { recursive: true, force: true });
    });

    const tipsIn = (file: string) => tipsInEditor(workbench.page, file, 'RES');
    const waitForTips = (file: string, accept: (tips: EditorTip[]) => boolean, timeoutMs?: number) =>
      waitForTipsInEditor(workbench.page, file, 'RES', accept, timeoutMs);

    it('shows RES at the first stop, at the stopped line, and nowhere else', async () => {
      await workbench.openFile('notes.md');
      await workbench.runCommand('View: Split Editor Right');
      await workbench.openFile('grow.js');
      await workbench.runCommand('View: Show Run and Debug');
      await workbench.runCommand('Run and Debug: Focus on Process Memory View');
      view = await workbench.findWebviewFrame(hasSelector('#app[data-view]'));
      await workbench.runCommand('Debug: Start Debugging');
      const pidFile = path.join(folder, 'grow.pid');
      const deadline = Date.now() + 60_000;
      pid = await readPidFile(pidFile, deadline);
      const [tip] = await waitForTips('grow.js', (tips) => tips.length === 1);
      assert.match(tip.line, /^debugger; \/\/ first stop/);
      assert.match(tip.tip, /^RES \d+(\.\d+)? MiB · /);
      assert.deepEqual(await tipsIn('notes.md'), [], 'no tip in the other file');
      // One editor group again, so the program's lines have the width of the window.
      await workbench.runCommand('View: Join All Editor Groups');
      await workbench.runCommand('View: Toggle Panel Visibility');
      await workbench.page
        .locator('.editor-group-container .tab.active[aria-label^="grow.js"]')
        .first()
        .waitFor({ state: 'visible' });
      await waitForTips('grow.js', (tips) => tips.length === 1);
    });

    it('shows the change since the previous stop after continuing, with the details on hover', async () => {
      await workbench.page.keyboard.press('F5');
      const tips = await waitForTips(
        'grow.js',
        (found) => found.length === 1 && found[0].tip.includes('since last stop'),
      );
      assert.match(
        tips[0].line,
        /^debugger; \/\/ second stop/,
        "the first stop's tip has gone, the second is at its line",
      );
      assert.match(tips[0].tip, /^RES \+(8[6-9]|9\d|10\d)\.\d MiB · [\d.]+ (ms|s) since last stop · /);
      await workbench.screenshot(`stop-tip-${theme.name}`);
      // The hover sits on a zero-width range at the end of the line, where the text is drawn.
      const hover = await hoverAt(workbench.page, tips[0].right - 20, tips[0].y, 'Memory at this stop');
      const hoverText = await hover.innerText();
      for (const expected of [
        'RES',
        'PSS',
        'Anon',
        'File',
        'Shmem',
        'Children',
        'Previous stop',
        'apart',
        'can allocate memory too',
        'debugger statement',
      ]) {
        assert.ok(hoverText.includes(expected), `hover has ${expected}: ${hoverText}`);
      }
      await workbench.screenshot(`stop-tip-hover-${theme.name}`);
      await workbench.page.mouse.move(0, 0);
    });

    it('lists both stops in Run and Debug, with what changed between them', async () => {
      const row = view
        .locator(`[data-testid=session]:has(> .session-card [data-testid=session-pid]:text("${pid}"))`)
        .first();
      const stops = row.locator('[data-testid=stop]');
      await waitForAttribute(
        row.locator('[data-testid=stops]').first(),
        'data-count',
        (value) => Number(value) === 2,
        15_000,
      );
      assert.match(await stops.nth(0).innerText(), /#2\s+grow\.js:5/);
      assert.match(await stops.nth(1).innerText(), /#1\s+grow\.js:3/);
      const delta = Number(await stops.nth(0).getAttribute('data-delta'));
      assert.ok(delta > 86 * MiB && delta < 110 * MiB, `stop 2 grew ${delta}`);
      const anonymous = row.locator('[data-testid=change-kind-anonymous]').first();
      await anonymous.waitFor({ state: 'visible', timeout: 15_000 });
      assert.ok(Number(await anonymous.getAttribute('data-rss')) > 86 * MiB);
      await workbench.foldSideBarSections(['Variables', 'Watch', 'Breakpoints', 'Call Stack']);
      await new Promise((resolve) => setTimeout(resolve, 800));
      await workbench.page
        .locator('.part.sidebar')
        .screenshot({ path: path.join(SCREENSHOT_DIR, `stops-list-${theme.name}.png`) });
      // Clicking the first stop takes the editor to its line.
      await stops.nth(1).click();
      await workbench.page
        .locator('.editor-group-container .tab.active[aria-label^="grow.js"]')
        .first()
        .waitFor({ state: 'visible' });
    });

    it("marks both stops on the inspect panel's chart", async () => {
      const row = view
        .locator(`[data-testid=session]:has(> .session-card [data-testid=session-pid]:text("${pid}"))`)
        .first();
      await row.locator('[data-testid=inspect]').first().click();
      const panel = await workbench.findWebviewFrame(hasTitle(new RegExp(`\\(${pid}\\)`)));
      const chart = panel.locator('[data-testid=chart]');
      await waitForAttribute(chart, 'data-markers', (value) => Number(value) === 2, 15_000);
      assert.match(
        await panel.locator('[data-testid=chart-marker-info]').innerText(),
        /^2 debug stops on the timeline/,
      );
      await panel.locator('#chart').scrollIntoViewIfNeeded();
      await workbench.screenshot(`stop-markers-${theme.name}`);
    });

    it('the tip goes as soon as the program runs again', async () => {
      await workbench.page.keyboard.press('F5');
      await waitForTips('grow.js', (tips) => tips.length === 0, 10_000);
    });

    itLoggedNoProblems(() => workbench);
  });
}
