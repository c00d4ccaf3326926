// The Process Memory view in Run and Debug, in the real workbench with js-debug: start a Node
// program that allocates between two breakpoints with F5, and read the view while it is stopped.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Frame } from 'playwright-core';
import { MiB } from '../../shared/units';
import { readPidFile, statmBytes, writeGrowWorkspace } from './processes';
import {
  hasSelector,
  itLoggedNoProblems,
  openWorkbench,
  SCREENSHOT_DIR,
  waitForAttribute,
  Workbench,
} from './workbench';

describe('Process Memory view while debugging', function () {
  this.timeout(240_000);
  let workbench: Workbench;
  let folder: string;
  let frame: Frame;
  let pid: number;

  before(async () => {
    folder = mkdtempSync(path.join(os.tmpdir(), 'proc-memory-debug-ui-'));
    writeGrowWorkspace(folder);
    workbench = await openWorkbench({
      folder,
      settings: { 'workbench.colorTheme': 'Default Dark Modern', 'procMemory.sampleIntervalMs': 500 },
    });
  });

  afterEach(async function () {
    await workbench?.screenshotIfFailed(this);
  });

  after(async () => {
    await workbench?.page.keyboard.press('Shift+F5').catch(() => undefined);
    await workbench?.close('debug-view');
    rmSync(folder, { recursive: true, force: true });
  });

  it('explains itself before debugging starts', async () => {
    await workbench.runCommand('View: Show Run and Debug');
    await workbench.runCommand('Run and Debug: Focus on Process Memory View');
    frame = await workbench.findWebviewFrame(hasSelector('#app[data-view]'));
    await frame.locator('[data-testid=not-debugging]').waitFor({ state: 'visible', timeout: 15_000 });
  });

  it('finds the program and shows the growth since the last breakpoint', async () => {
    await workbench.runCommand('Debug: Start Debugging');
    const pidFile = path.join(folder, 'grow.pid');
    const deadline = Date.now() + 60_000;
    pid = await readPidFile(pidFile, deadline);
    const row = frame
      .locator(`[data-testid=session]:has(> .session-card [data-testid=session-pid]:text("${pid}"))`)
      .first();
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    // Stopped at the first breakpoint: continue to the second, where 96 MiB more is resident.
    await workbench.page.locator('.debug-toolbar').waitFor({ state: 'visible', timeout: 30_000 });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await workbench.page.keyboard.press('F5');
    const since = row.locator('[data-testid=since-last-stop]').first();
    // 96 MiB are allocated between the stops; V8 may give back a few MiB meanwhile (a GC of its
    // young generation), so RES grows by 96 MiB less that: seen 90-96 MiB. Allow 10% below.
    await waitForAttribute(since, 'data-delta', (value) => Number(value) > 86 * MiB, 30_000);
    const delta = Number(await since.getAttribute('data-delta'));
    assert.ok(delta > 86 * MiB && delta < 110 * MiB, `grew ${delta} bytes between the breakpoints`);
    assert.match(await since.innerText(), /\+(8[6-9]|9\d|10\d)\.\d MiB/);
    // Stopped, the program holds still: the next reading equals /proc.
    await waitForAttribute(
      row.locator('[data-figure=res]'),
      'data-bytes',
      (value) => Number(value) === statmBytes(pid).res,
      10_000,
    );
    // Give the view room, as a user would: collapse the other Run and Debug sections.
    await workbench.foldSideBarSections(['Variables', 'Watch', 'Breakpoints']);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await workbench.screenshot('debug-view');
    await workbench.page
      .locator('.part.sidebar')
      .screenshot({ path: path.join(SCREENSHOT_DIR, 'debug-view-sidebar.png') });
  });

  itLoggedNoProblems(() => workbench);
});
