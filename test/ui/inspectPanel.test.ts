// "Memory: Inspect Process" in the real workbench, against a real process whose name and command
// line are HTML and script: pick it from the palette, read the panel's figures and compare them
// with /proc, see where its RES lives (kinds of mapping adding up to RES), read an explanation,
// watch it grow, export CSV through the real save dialog, kill it and see the exit banner. Screenshots in dark and light themes.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import type { Frame } from 'playwright-core';
import { MEMORY_DOCS } from '../../shared/memoryDocs';
import { MiB } from '../../shared/units';
import { startAllocator, statmBytes, TestProcess } from './processes';
import { hasSelector, openWorkbench, waitForAttribute, Workbench, itLoggedNoProblems } from './workbench';

const HOSTILE_ARGV0 = '<img src=x onerror=alert(1)>';
const HOSTILE_COMM = '<b>pm</b>$(bug)'; // 15 bytes: the most a comm holds

for (const theme of (process.env.UI_THEMES ?? 'Default Dark Modern,Default Light Modern').split(',')) {
  const short = theme.includes('Light') ? 'light' : 'dark';
  // The light run uses a hostile process (name and command line are HTML and script); the dark
  // one an ordinary process, whose screenshots the README shows.
  const hostile = short === 'light';

  describe(`inspect panel (${short} theme)`, function () {
    this.timeout(240_000);
    let workbench: Workbench;
    let allocator: TestProcess;
    let frame: Frame;
    let decoy: TestProcess;
    const dialogs: string[] = [];

    before(async () => {
      allocator = hostile ? await startAllocator(64, HOSTILE_ARGV0, HOSTILE_COMM) : await startAllocator(64);
      // A larger process whose command line holds the allocator's PID sorts above it in the
      // picker: the test must pick the allocator's own row (CI picked such a row once).
      decoy = await startAllocator(96, `decoy-${allocator.pid}`);
      workbench = await openWorkbench({
        settings: { 'workbench.colorTheme': theme, 'procMemory.sampleIntervalMs': 500 },
      });
      workbench.page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
    });

    // The tests after the first read the panel it opens: without it, one clear failure, not a TypeError each.
    beforeEach(function () {
      const opensThePanel = this.currentTest === this.currentTest?.parent?.tests[0];
      assert.ok(opensThePanel || frame, 'no panel to read: the first test, which opens it, failed');
    });

    afterEach(async function () {
      await workbench?.screenshotIfFailed(this);
    });

    after(async () => {
      await workbench?.close(`inspect-${short}`);
      await allocator?.kill();
      await decoy?.kill();
    });

    it(`lists the ${hostile ? 'hostile ' : ''}process as text in the picker and opens its panel`, async () => {
      await workbench.runCommand('Memory: Inspect Process');
      // The allocator's own row: its PID's digits are also in other rows (other PIDs, Chromium's
      // command lines), and those can sort above it.
      const row = await workbench.processRow(allocator.pid);
      if (hostile) {
        assert.match(await row.innerText(), /<img src=x onerror=alert\(1\)>/, 'the command line shows literally');
        assert.match(
          await row.innerText(),
          /<b>pm<\/b>\$\(bug\)/,
          'the name shows literally, $( not turned into an icon',
        );
      } else {
        assert.match(await row.innerText(), /cache-server\.js/);
      }
      await workbench.screenshot(`inspect-picker-${short}`);
      await row.click();
      frame = await workbench.findWebviewFrame(hasSelector('[data-figure=res][data-state=value]'));
    });

    it('shows RES, VIRT and SHR equal to /proc', async () => {
      // The allocator idles, so what the panel shows is what /proc says now (after one more tick).
      const statm = statmBytes(allocator.pid);
      const bytes = async (figure: string) =>
        Number(await frame.locator(`[data-figure=${figure}]`).first().getAttribute('data-bytes'));
      await waitForAttribute(
        frame.locator('[data-figure=res]'),
        'data-bytes',
        (value) => value === String(statm.res),
        10_000,
      );
      assert.equal(await bytes('res'), statm.res);
      assert.equal(await bytes('virt'), statm.virt);
      assert.equal(await bytes('shr'), statm.shr);
      assert.ok(statm.res > 64 * MiB);
      if (hostile) {
        assert.equal(await frame.locator('[data-testid=process-name]').innerText(), HOSTILE_COMM);
        assert.match(
          await frame.locator('[data-testid=process-command]').innerText(),
          /<img src=x onerror=alert\(1\)>/,
        );
        assert.equal(await frame.locator('img, b').count(), 0, 'no element was injected');
      } else {
        assert.equal(await frame.locator('[data-testid=process-name]').innerText(), 'node');
      }
    });

    it('shows where RES lives: 64 MiB in anonymous memory, kinds adding up to RES', async () => {
      // smaps is read on detail ticks (every 5 s by default), statm on every tick (500 ms here).
      const mappings = frame.locator('[data-testid=mappings]');
      await mappings.locator('[data-testid=mapping-category-anonymous]').waitFor({ timeout: 30_000 });
      const rss = async (kind: string) =>
        Number((await mappings.locator(`[data-testid=mapping-category-${kind}]`).getAttribute('data-rss')) ?? 0);
      assert.ok(
        (await rss('anonymous')) + (await rss('heap')) >= 64 * MiB,
        `anonymous ${await rss('anonymous')} + heap ${await rss('heap')}`,
      );
      // The kinds come from one read of smaps, RES from statm at the latest tick (up to 5 s later).
      // Both are the kernel's count of the same resident pages (they were equal to the page in the
      // unit test): an idle allocator changes neither, and Node's idle timers touch at most a few
      // pages, so 16 pages (64 KiB of a ~110 MiB process) is the only slack allowed (measured: 0).
      const pageSize =
        statmBytes(allocator.pid).res / Number(readFileSync(`/proc/${allocator.pid}/statm`, 'utf8').split(' ')[1]);
      // Attributes are read from Node one by one: the webview's CSP forbids the eval that frame.evaluate needs.
      const read = async () => {
        const rows = await mappings.locator('[data-testid^=mapping-category-]').all();
        const kinds = await Promise.all(rows.map(async (row) => Number(await row.getAttribute('data-rss'))));
        return {
          sum: kinds.reduce((a, b) => a + b, 0),
          res: Number(await frame.locator('[data-figure=res]').first().getAttribute('data-bytes')),
          shown: Number(await mappings.getAttribute('data-rss')),
        };
      };
      let seen = await read();
      for (const deadline = Date.now() + 12_000; seen.sum !== seen.res && Date.now() < deadline; ) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        seen = await read();
      }
      assert.equal(seen.shown, seen.sum, 'the section total is the sum of its rows');
      assert.ok(Math.abs(seen.sum - seen.res) <= 16 * pageSize, `kinds add up to ${seen.sum}, RES shows ${seen.res}`);
      assert.equal(await mappings.locator('[data-testid=mapping-top]').count(), 8);
      const largest = mappings.locator('[data-testid=mapping-top]').first();
      assert.ok(Number(await largest.getAttribute('data-rss')) >= 64 * MiB, 'the 64 MiB buffer is the largest mapping');
      await mappings.locator('[data-testid=label-mapping-anonymous]').hover();
      await frame.locator('[data-testid=tooltip-mapping-anonymous]').waitFor({ state: 'visible' });
      await workbench.screenshot(`inspect-mappings-tooltip-${short}`);
      await workbench.page.mouse.move(0, 0);
    });

    it('explains a figure on hover', async () => {
      await frame.locator('[data-testid=label-res]').hover();
      const tooltip = frame.locator('[data-testid=tooltip-res]');
      await tooltip.waitFor({ state: 'visible' });
      assert.match(
        await tooltip.innerText(),
        new RegExp(MEMORY_DOCS.res.summary.slice(0, 30).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
      );
      await workbench.screenshot(`inspect-tooltip-${short}`);
      await workbench.page.mouse.move(0, 0);
    });

    it('moves the chart and the trend when the process grows', async () => {
      const points = Number(await frame.locator('#chart').getAttribute('data-points'));
      const resBefore = Number(await frame.locator('[data-figure=res]').first().getAttribute('data-bytes'));
      for (let i = 0; i < 4; i++) {
        await allocator.grow(32);
        await new Promise((resolve) => setTimeout(resolve, 1500));
      }
      await waitForAttribute(
        frame.locator('[data-figure=res]'),
        'data-bytes',
        (value) => Number(value) > resBefore + 100 * MiB,
        10_000,
      );
      assert.ok(Number(await frame.locator('#chart').getAttribute('data-points')) > points, 'the chart got new points');
      await frame
        .locator('[data-testid=trend][data-trend=growing], [data-testid=trend][data-trend=fast]')
        .waitFor({ timeout: 15_000 });
      assert.match(await frame.locator('[data-testid=trend-text]').innerText(), /\+[\d.]+ [KMG]iB\/min/);
      await workbench.screenshot(`inspect-panel-${short}`);
      await frame.locator('[data-testid=mappings]').scrollIntoViewIfNeeded();
      await workbench.screenshot(`inspect-mappings-${short}`);
      await frame.locator('#app').evaluate((app) => app.scrollIntoView());
    });

    // Once is enough for a reload: in the ordinary run.
    const inOrdinaryRun = hostile ? () => undefined : it;
    // Once is enough for an export: in the hostile run, whose name shows the file name is made safe.
    const inHostileRun = hostile ? it : () => undefined;

    inOrdinaryRun('comes back after a window reload, for the same process', async () => {
      await workbench.runCommand('Developer: Reload Window');
      await workbench.page.waitForLoadState('load');
      await workbench.waitReady();
      frame = await workbench.findWebviewFrame(hasSelector('[data-figure=res][data-state=value]'), 60_000);
      await frame
        .locator('[data-testid=process-pid]', { hasText: new RegExp(`\\b${allocator.pid}\\b`) })
        .waitFor({ timeout: 15_000 });
      await waitForAttribute(
        frame.locator('[data-figure=res]'),
        'data-bytes',
        (value) => value === String(statmBytes(allocator.pid).res),
        15_000,
      );
    });

    inOrdinaryRun('copies the current figures as text', async () => {
      await frame.locator('[data-testid=copy-snapshot]').click();
      await workbench.statusBarItemWithText(/Memory figures copied/).waitFor({ timeout: 10_000 });
      const copied = await workbench.page.evaluate('navigator.clipboard.readText()');
      assert.match(String(copied), new RegExp(`^node \\(PID ${allocator.pid}\\)`));
      assert.match(String(copied), /^RES +[\d.]+ MiB \(anon/m);
      // smaps_rollup is read every few seconds, RES every second: between those reads PSS says how much earlier.
      assert.match(String(copied), /^PSS +[\d.]+ MiB( \(read [\d.]+ s before RES\))?$/m);
    });

    inHostileRun('exports the history as CSV through the save dialog', async () => {
      await frame.locator('[data-testid=export-csv]').click();
      // code-server's save dialog is VS Code's own simple dialog: a quick input holding the path,
      // proposed in the workspace folder and named after the process. Accept it as a user would.
      const input = workbench.page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible', timeout: 15_000 });
      let proposed = '';
      for (
        const deadline = Date.now() + 10_000;
        !proposed.endsWith(`-${allocator.pid}-memory.csv`) && Date.now() < deadline;

      ) {
        proposed = await input.inputValue();
      }
      const target = path.join(workbench.folder, path.basename(proposed));
      assert.match(path.basename(target), /^[\w.-]+$/, 'the proposed file name is sanitised');
      await workbench.page.keyboard.press('Enter');
      const deadline = Date.now() + 15_000;
      while (!existsSync(target) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const lines = readFileSync(target, 'utf8').trim().split('\n');
      assert.equal(lines[0], 'time,time_ms,res_bytes,shr_bytes,virt_bytes');
      const res = lines.slice(1).map((line) => Number(line.split(',')[2]));
      assert.ok(res.length >= 5, `${res.length} samples exported`);
      assert.ok(Math.max(...res) - Math.min(...res) > 100 * MiB, 'the growth is in the export');
      rmSync(target, { force: true });
    });

    it('shows an exit banner and keeps the figures when the process is killed', async () => {
      await allocator.kill();
      await frame.locator('#exit-banner').waitFor({ state: 'visible', timeout: 15_000 });
      assert.match(await frame.locator('#exit-banner').innerText(), /exited/i);
      assert.ok(
        Number(await frame.locator('[data-figure=res]').first().getAttribute('data-bytes')) > 64 * MiB,
        'figures frozen, not zeroed',
      );
      await workbench.screenshot(`inspect-exited-${short}`);
      assert.deepEqual(dialogs, [], 'no script ran');
    });

    itLoggedNoProblems(() => workbench);
  });
}
