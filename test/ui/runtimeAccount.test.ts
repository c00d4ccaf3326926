// The runtime's own account at a stop in the real workbench, dark and light, with debugpy: a Python
// program that allocates 100 000 small chunks, stops, frees every other one and stops again. Reached
// from the keyboard (Go to Line, Show Hover) and through the status bar's accessible label; the
// stops list and the comparison carry it. Each looked at in a screenshot.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Frame } from 'playwright-core';
import { repoRoot } from '../host/codeServer';
import { MiB } from '../../shared/units';
import { readPidFile } from './processes';
import {
  hasSelector,
  itLoggedNoProblems,
  openWorkbench,
  SCREENSHOT_DIR,
  waitForAttribute,
  Workbench,
} from './workbench';

function writeWorkspace(folder: string): void {
  writeFileSync(
    path.join(folder, 'fragment.py'),
    [
      'import os, time',
      'open(os.path.join(os.path.dirname(__file__), "fragment.pid"), "w").write(str(os.getpid()))',
      'held = [bytes(1000) for _ in range(100000)]',
      'breakpoint()  # first stop',
      'del held[::2]',
      'breakpoint()  # second stop: the holes stay with malloc',
      'time.sleep(600)',
      '',
    ].join('\n'),
  );
  mkdirSync(path.join(folder, '.vscode'));
  writeFileSync(
    path.join(folder, '.vscode', 'launch.json'),
    JSON.stringify({
      version: '0.2.0',
      configurations: [
        {
          type: 'procmem-debugpy',
          request: 'launch',
          name: 'Fragment',
          program: '${workspaceFolder}/fragment.py',
          python: '/usr/bin/python3',
          console: 'internalConsole',
        },
      ],
    }),
  );
}

for (const theme of [
  { name: 'dark', id: 'Default Dark Modern' },
  { name: 'light', id: 'Default Light Modern' },
]) {
  describe(`the runtime's own account at a stop (${theme.name})`, function () {
    this.timeout(240_000);
    let workbench: Workbench;
    let folder: string;
    let view: Frame;

    before(async () => {
      folder = mkdtempSync(path.join(os.tmpdir(), 'proc-memory-account-ui-'));
      writeWorkspace(folder);
      workbench = await openWorkbench({
        folder,
        extensionDevelopmentPath: [repoRoot, path.join(repoRoot, 'test', 'debugAdapters')],
        settings: { 'workbench.colorTheme': theme.id, 'procMemory.sampleIntervalMs': 500 },
      });
    });

    afterEach(async function () {
      await workbench?.screenshotIfFailed(this);
    });

    after(async () => {
      await workbench?.page.keyboard.press('Shift+F5').catch(() => undefined);
      await workbench?.close(`account-${theme.name}`);
      rmSync(folder, { recursive: true, force: true });
    });

    /** The stopped line's tip text in the editor of fragment.py (a decoration's ::after). */
    const tipAt = async (): Promise<string | undefined> =>
      workbench.page.evaluate(`(() => {
        for (const span of document.querySelectorAll('.editor-group-container .view-line span')) {
          const content = getComputedStyle(span, '::after').content;
          if (content && content !== 'none' && content.includes('RES')) return JSON.parse(content);
        }
        return undefined;
      })()`);

    it('stops twice; the stops list shows each stop’s account, and free but kept by malloc grew', async () => {
      await workbench.page.keyboard.press('Control+P');
      await workbench.page.locator('.quick-input-widget .quick-input-box input').fill('fragment.py');
      await workbench.page
        .locator('.quick-input-widget .monaco-list-row', { hasText: 'fragment.py' })
        .first()
        .waitFor({ state: 'visible' });
      await workbench.page.keyboard.press('Enter');
      await workbench.runCommand('View: Show Run and Debug');
      await workbench.runCommand('Run and Debug: Focus on Process Memory View');
      view = await workbench.findWebviewFrame(hasSelector('#app[data-view]'));
      await workbench.runCommand('Debug: Start Debugging');
      await readPidFile(path.join(folder, 'fragment.pid'), Date.now() + 60_000);
      const accounts = view.locator('[data-testid=stop] [data-testid=stop-account]');
      await waitForAttribute(accounts.first(), 'data-status', (value) => value === 'ok', 60_000);
      await workbench.page.keyboard.press('F5');
      const stops = view.locator('[data-testid=stops]').first();
      await waitForAttribute(stops, 'data-count', (value) => Number(value) === 2, 60_000);
      await waitForAttribute(accounts.first(), 'data-status', (value) => value === 'ok', 60_000);
      const newest = await accounts.first().innerText();
      assert.match(newest, /in use by malloc [\d.]+ MiB/);
      assert.match(newest, /free but kept by malloc [\d.]+ MiB/);
      assert.match(newest, /code and libraries [\d.]+ MiB/);
      assert.match(newest, /the rest -?[\d.]+ [KM]iB/);
      const freed = view.locator('[data-testid=change-term-mallocFreeKept]').first();
      await freed.waitFor({ state: 'visible', timeout: 30_000 });
      assert.ok(Number(await freed.getAttribute('data-bytes')) > 40 * MiB, await freed.innerText());
      // The term's label explains itself on keyboard focus.
      await freed.locator('[data-testid=label-account-mallocFreeKept]').focus();
      const tooltip = freed.locator('[data-testid=tooltip-account-mallocFreeKept]');
      await tooltip.waitFor({ state: 'visible', timeout: 10_000 });
      assert.match(await tooltip.innerText(), /RES does not go down/);
      await workbench.foldSideBarSections(['Variables', 'Watch', 'Breakpoints', 'Call Stack']);
      await freed.scrollIntoViewIfNeeded();
      await workbench.page
        .locator('.part.sidebar')
        .screenshot({ path: path.join(SCREENSHOT_DIR, `account-stops-list-${theme.name}.png`) });
    });

    it('Show Hover from the keyboard on the stopped line says what the tip says, with the account', async () => {
      assert.match((await tipAt()) ?? '', /^RES [+-]/, 'the tip is drawn');
      // debugpy's breakpoint() stops on the line after it (7). Go there with the keyboard, to its end
      // (at a word, the debugger's own hover answers Show Hover), then Show Hover (Ctrl+K Ctrl+I).
      await workbench.page.locator('.editor-group-container .monaco-editor textarea').first().focus();
      await workbench.page.keyboard.press('Control+G');
      await workbench.page.keyboard.type('7');
      await workbench.page.keyboard.press('Enter');
      await workbench.page.keyboard.press('End');
      await workbench.page.keyboard.press('Control+K');
      await workbench.page.keyboard.press('Control+I');
      const hover = workbench.page
        .locator('.monaco-hover:not(.hidden)')
        .filter({ visible: true, hasText: 'The runtime’s own account of RES' })
        .first();
      await hover.waitFor({ state: 'visible', timeout: 15_000 });
      const text = await hover.innerText();
      for (const expected of ['Memory at this stop', 'RES', 'Python', 'free but kept by malloc', 'the rest']) {
        assert.ok(text.includes(expected), `hover has ${expected}: ${text}`);
      }
      await workbench.screenshot(`account-hover-${theme.name}`);
      await workbench.page.keyboard.press('Escape');
    });

    it('the status bar item’s accessible label says where it stopped and the account', async () => {
      const item = workbench.page.locator('.statusbar-item[aria-label*="stopped at fragment.py line 7"]').first();
      await item.waitFor({ state: 'attached', timeout: 15_000 });
      const label = (await item.getAttribute('aria-label')) ?? '';
      assert.match(label, /RES [+-][\d.]+ [KM]iB/);
      assert.match(label, /free but kept by malloc [\d.]+ MiB/);
    });

    itLoggedNoProblems(() => workbench);
  });
}
