// Recordings in the real workbench: a *.procmem.json file opened from the Explorer shows in the
// recording editor, and "Compare with…" compares it with a second run. Screenshots looked at.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeRecording, recordingToJson } from '../../src/recordings/recordingFile';
import type { TimelineMarker } from '../../shared/model';
import { MiB } from '../../shared/units';
import { hasSelector, itLoggedNoProblems, openWorkbench, PROC_MEMORY_STATUS_ITEM, Workbench } from './workbench';

const START = Date.UTC(2026, 10, 26, 9, 0, 0);

/** Ten minutes at 1 Hz: `res(t)` MiB, with two stops in handleOrder. */
function writeRun(file: string, res: (t: number) => number, lines: [number, number]): void {
  const points = Array.from({ length: 601 }, (_, t) => ({
    timeMs: START + t * 1000,
    resBytes: Math.round(res(t) * MiB),
    virtBytes: 1200 * MiB,
    shrBytes: 38 * MiB,
  }));
  const stop = (t: number, line: number): TimelineMarker => ({
    timeMs: START + t * 1000,
    kind: 'stop',
    label: `server.js:${line}`,
    detail: `handleOrder · breakpoint · RES ${res(t).toFixed(1)} MiB`,
    stop: {
      id: 1,
      reason: 'breakpoint',
      location: { file: 'server.js', line, functionName: 'handleOrder' },
      resBytes: Math.round(res(t) * MiB),
      sincePrevious: undefined,
    },
  });
  const recording = makeRecording(
    { pid: 4242, startTicks: 1, name: 'node', commandLine: 'node server.js' },
    points,
    [stop(60, lines[0]), stop(300, lines[1])],
    {
      kernel: os.release(),
      totalRamBytes: os.totalmem(),
      sampleIntervalMs: 1000,
      debugSession: 'Launch orders-api',
    },
  );
  writeFileSync(file, recordingToJson(recording, true));
}

describe('recordings', function () {
  this.timeout(240_000);
  let workbench: Workbench;
  let folder: string;

  before(async () => {
    folder = mkdtempSync(path.join(os.tmpdir(), 'proc-memory-recordings-ui-'));
    writeRun(path.join(folder, 'before.procmem.json'), (t) => 120 + t * 0.5, [41, 57]); // leaks 30 MiB/min
    writeRun(path.join(folder, 'after.procmem.json'), (t) => 120 + Math.min(t, 90) * 0.5, [44, 60]); // levels off
    // The idle status bar entry shows once Proc Memory is active, so its custom editor is known:
    // a double click before that (CI, 2 busy cores) opened the file as plain text.
    workbench = await openWorkbench({
      folder,
      settings: { 'workbench.colorTheme': 'Default Dark Modern', 'procMemory.statusBar.showWhenIdle': true },
    });
    await workbench.statusBarItem(PROC_MEMORY_STATUS_ITEM).waitFor({ state: 'visible', timeout: 60_000 });
  });

  afterEach(async function () {
    await workbench?.screenshotIfFailed(this);
  });

  after(async () => {
    await workbench?.close('recordings');
    rmSync(folder, { recursive: true, force: true });
  });

  it('opens a recording from the Explorer in the recording editor', async () => {
    await workbench.runCommand('View: Show Explorer');
    const item = workbench.page
      .locator('.explorer-folders-view .monaco-list-row', { hasText: 'before.procmem.json' })
      .first();
    await item.waitFor({ state: 'visible', timeout: 30_000 });
    await item.dblclick();
    const frame = await workbench.findWebviewFrame(hasSelector('#app[data-state=recording]'));
    assert.equal(await frame.locator('[data-testid=recording-name]').innerText(), 'node (PID 4242)');
    assert.match(
      await frame.locator('[data-testid=recording-facts]').innerText(),
      /for 10 min · peak RES 420\.0 MiB .* · 601 samples · 2 stops/,
    );
    assert.equal(await frame.locator('[data-testid=chart]').getAttribute('data-markers'), '2');
    assert.equal(await frame.locator('[data-testid=recording-stop]').count(), 2);
    await workbench.screenshot('recording-editor');
  });

  it('compares it with another run', async () => {
    const frame = await workbench.findWebviewFrame(hasSelector('#app[data-state=recording]'));
    await frame.locator('[data-testid=compare-with]').click();
    // No recent recordings in a fresh workbench: Browse…, then code-server's own file dialog.
    await workbench.pickQuickInput('Browse', /Browse/);
    // It lists the workspace folder: pick the other run there, as a user would.
    const row = workbench.page
      .locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'after.procmem.json' })
      .first();
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    await row.click();
    const widget = workbench.page.locator('.quick-input-widget');
    if (await widget.isVisible()) {
      const input = widget.locator('.quick-input-box input');
      for (
        const deadline = Date.now() + 5_000;
        !(await input.inputValue()).endsWith('after.procmem.json') && Date.now() < deadline;

      ) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await workbench.page.keyboard.press('Enter');
    }
    const compare = await workbench.findWebviewFrame(hasSelector('#app[data-state=compare]'));
    const verdict = await compare.locator('[data-testid=verdict]').innerText();
    assert.match(
      verdict,
      /^Run B peaks 255\.0 MiB lower than run A \(165\.0 MiB against 420\.0 MiB\); run A keeps growing at \+30\.0 MiB\/min at its end, run B levels off after/,
    );
    assert.equal(
      await compare.locator('[data-testid=stop-pair]').count(),
      2,
      'the stops matched by function and file although their lines moved',
    );
    await workbench.screenshot('recording-compare');
  });

  itLoggedNoProblems(() => workbench);
});
