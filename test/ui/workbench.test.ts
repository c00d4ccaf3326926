/**
 * The workbench loads in a browser with the extension: its commands are in the command palette,
 * and a command runs from there. Screenshots land in test-results/screenshots/.
 */
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { openWorkbench, Workbench, itLoggedNoProblems } from './workbench';

describe('workbench', function () {
  this.timeout(180_000);
  let workbench: Workbench;

  before(async function () {
    workbench = await openWorkbench();
  });

  afterEach(async function () {
    await workbench?.screenshotIfFailed(this);
  });

  after(async function () {
    await workbench?.close();
  });

  it('lists the extension\'s "Memory:" commands in the command palette', async () => {
    await workbench.openCommandPalette('Memory:');
    // The extension's contributions arrive with the extension host: wait for them.
    await workbench.page
      .locator('.quick-input-list .monaco-list-row[aria-label="Memory: Inspect Process"]')
      .waitFor({ state: 'visible', timeout: 30_000 });
    const labels = await workbench.quickInputLabels();
    const file = await workbench.screenshot('workbench-command-palette');
    await workbench.page.keyboard.press('Escape');

    assert.ok(labels.includes('Memory: Inspect Process'), `palette entries: ${labels.join(' | ')}`);
    assert.ok(labels.includes('Memory: Watch Process in Status Bar'), `palette entries: ${labels.join(' | ')}`);
    // Gated by "when" clauses that are false with nothing watched or debugged.
    assert.ok(!labels.includes('Memory: Stop Watching Process'), `palette entries: ${labels.join(' | ')}`);
    assert.ok(existsSync(file), `screenshot ${file}`);
  });

  it('runs a workbench command from the palette', async () => {
    await workbench.runCommand('View: Show Run and Debug');
    await workbench.page
      .locator('.part.sidebar .composite.title', { hasText: /Run and Debug/i })
      .waitFor({ state: 'visible' });
    await workbench.screenshot('workbench-run-and-debug');
  });

  itLoggedNoProblems(() => workbench);
});
