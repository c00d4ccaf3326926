// The status bar readout in the real workbench: watch a real process from the palette, read the
// entry, compare with /proc at that moment, hover it and read the explained figures.
import * as assert from 'node:assert/strict';
import { formatBytes } from '../../shared/format';
import { startAllocator, statmBytes, TestProcess } from './processes';
import { openWorkbench, PROC_MEMORY_STATUS_ITEM, Workbench, itLoggedNoProblems } from './workbench';

describe('status bar readout', function () {
  this.timeout(180_000);
  let workbench: Workbench;
  let allocator: TestProcess;

  before(async () => {
    allocator = await startAllocator(96, 'pm-statusbar-test');
    workbench = await openWorkbench();
  });

  afterEach(async function () {
    await workbench?.screenshotIfFailed(this);
  });

  after(async () => {
    await workbench?.close();
    await allocator?.kill();
  });

  it('shows the RES of a watched process, equal to /proc, with a tooltip that explains RES, VIRT and SHR', async () => {
    await workbench.runCommand('Memory: Watch Process in Status Bar');
    await workbench.pickProcess(allocator.pid);
    const item = workbench.statusBarItem(PROC_MEMORY_STATUS_ITEM);
    await item.filter({ hasText: 'MiB' }).waitFor({ state: 'visible', timeout: 15_000 });
    // The process idles, so a reading soon equals what /proc says now.
    let text = '';
    let expected = '';
    for (const deadline = Date.now() + 10_000; !(text.endsWith(expected) && expected) && Date.now() < deadline; ) {
      text = (await item.innerText()).trim();
      expected = formatBytes(statmBytes(allocator.pid).res);
    }
    assert.ok(text.endsWith(expected), `status bar shows "${text}", /proc says ${expected}`);

    const hover = await workbench.hover(item);
    const tooltip = await hover.innerText();
    for (const label of ['RES', 'VIRT', 'SHR']) {
      assert.match(tooltip, new RegExp(`\\b${label}\\b`), `tooltip shows ${label}: ${tooltip}`);
    }
    assert.match(tooltip, /physical RAM/);
    assert.match(tooltip, /address space/);
    assert.match(tooltip, /libraries/);
    assert.match(tooltip, new RegExp(`PID ${allocator.pid}`));
    assert.match(tooltip, /Inspect/);
    await workbench.screenshot('status-bar-hover');
  });

  it('opens the inspect panel when clicked', async () => {
    await workbench.page.mouse.move(0, 0);
    await workbench.statusBarItem(PROC_MEMORY_STATUS_ITEM).click();
    await workbench.page
      .locator('.tab', { hasText: `(${allocator.pid})` })
      .waitFor({ state: 'visible', timeout: 15_000 });
    await workbench.closeAllEditors();
  });

  itLoggedNoProblems(() => workbench);
});
