// The Process Memory view lists what terminals run: in the real workbench, a command typed into
// the integrated terminal (a Node parent with a Node child) gets a row whose tree RES is what the
// test sums from /proc, and the row goes when the command is interrupted at the keyboard.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Frame } from 'playwright-core';
import { readPidFile, statmBytes } from './processes';
import {
  hasSelector,
  itLoggedNoProblems,
  openWorkbench,
  SCREENSHOT_DIR,
  waitForAttribute,
  Workbench,
} from './workbench';

/** RES summed over `pid` and its descendants, by the test's own walk of /proc/PID/task/TID/children. */
function treeRes(pid: number): number {
  let sum = statmBytes(pid).res;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const children = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
    for (const child of children ? children.split(/\s+/).map(Number) : []) {
      sum += treeRes(child);
    }
  }
  return sum;
}

describe('Process Memory view: commands in terminals', function () {
  this.timeout(240_000);
  let workbench: Workbench;
  let folder: string;
  let frame: Frame;

  before(async () => {
    folder = mkdtempSync(path.join(os.tmpdir(), 'proc-memory-terminals-ui-'));
    writeFileSync(
      path.join(folder, 'tree.js'),
      [
        "const { spawn } = require('child_process');",
        'const held = Buffer.alloc(32 * 1048576, 1);',
        "const child = spawn(process.execPath, ['-e', 'const b = Buffer.alloc(48 * 1048576, 1); console.log(1); setInterval(() => b[0]++, 1000)'], { stdio: ['ignore', 'pipe', 'inherit'] });",
        "child.stdout.once('data', () => require('fs').writeFileSync(require('path').join(__dirname, 'tree.pid'), String(process.pid)));",
        "process.on('SIGINT', () => { child.kill(); process.exit(130); });",
        'setInterval(() => held[0]++, 1000);',
      ].join('\n'),
    );
    workbench = await openWorkbench({
      folder,
      settings: { 'workbench.colorTheme': 'Default Dark Modern', 'procMemory.sampleIntervalMs': 500 },
    });
  });

  afterEach(async function () {
    await workbench?.screenshotIfFailed(this);
  });

  after(async () => {
    await workbench?.close('terminals-view');
    rmSync(folder, { recursive: true, force: true });
  });

  it('a row for the command typed in a terminal, with its tree RES as /proc sums it; gone after Ctrl+C', async () => {
    await workbench.runCommand('Terminal: Create New Terminal');
    await workbench.page.locator('.terminal-wrapper.active .xterm').waitFor({ state: 'visible', timeout: 30_000 });
    await workbench.page.keyboard.type(`node '${path.join(folder, 'tree.js')}'`);
    await workbench.page.keyboard.press('Enter');
    const pid = await readPidFile(path.join(folder, 'tree.pid'), Date.now() + 60_000);
    await workbench.runCommand('View: Show Run and Debug');
    await workbench.runCommand('Run and Debug: Focus on Process Memory View');
    frame = await workbench.findWebviewFrame(hasSelector('#app[data-view]'));
    const row = frame.locator(`[data-testid=terminal][data-pid="${pid}"]`);
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    let expected = 0;
    await waitForAttribute(
      row.locator('[data-testid=terminal-tree]'),
      'data-res',
      (value) => {
        expected = treeRes(pid);
        return Math.abs(Number(value) - expected) <= expected * 0.01;
      },
      30_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; /proc says ${expected}`);
    });
    assert.equal(await row.locator('[data-testid=terminal-tree]').getAttribute('data-processes'), '2');
    assert.match(await row.locator('[data-testid=terminal-command]').innerText(), /tree\.js/);
    assert.match(await row.locator('[data-testid=terminal-largest]').innerText(), /^Largest: node \(PID \d+\) PSS /);
    // Give the view room, as a user would: collapse the Run section above it.
    const run = workbench.page.locator('.part.sidebar .pane-header[aria-expanded="true"]', { hasText: /^\s*Run\s*$/i });
    if (await run.count()) {
      await run.first().click();
    }
    await row.scrollIntoViewIfNeeded();
    await workbench.page
      .locator('.part.sidebar')
      .screenshot({ path: path.join(SCREENSHOT_DIR, 'debug-view-terminals-sidebar.png') });
    // Interrupted, the shell is back at its prompt: no row.
    await workbench.runCommand('Terminal: Focus Terminal');
    await workbench.page.keyboard.press('Control+C');
    await row.waitFor({ state: 'detached', timeout: 30_000 });
  });

  itLoggedNoProblems(() => workbench);
});
