// "Will it run out of memory?" in the real workbench, for a real process in a real cgroup v1 memory
// group (root, on hosts with the v1 memory controller; skipped elsewhere): usage and working set
// equal to the group's own files, the tightest limit with its headroom; then the process allocates
// past the limit, the kernel kills it, and the panel's banner, the status bar and a notification
// say it was most likely OOM-killed. Screenshots of the section and of the banner.
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import type { Frame } from 'playwright-core';
import { MiB } from '../../shared/units';
import { QUIET_MESSAGE_MS } from '../../shared/protocol/quietMessages';
import { startAllocator, TestProcess, until } from './processes';
import { hasSelector, openWorkbench, PROC_MEMORY_STATUS_ITEM, waitForAttribute, Workbench } from './workbench';

const V1_MEMORY = '/sys/fs/cgroup/memory';

describe('will it run out of memory (real cgroup, real OOM kill)', function () {
  this.timeout(240_000);
  let workbench: Workbench;
  let allocator: TestProcess;
  let frame: Frame;
  let dir: string | undefined;
  let groupPath = '';

  before(async function () {
    const own = /^\d+:(?:[^:]*,)?memory(?:,[^:]*)?:(\/.*)$/m.exec(readFileSync('/proc/self/cgroup', 'utf8'))?.[1];
    if (
      process.getuid?.() !== 0 ||
      own === undefined ||
      !existsSync(`${V1_MEMORY}${own === '/' ? '' : own}/memory.usage_in_bytes`)
    ) {
      console.log('      skipped: needs root and a cgroup v1 memory hierarchy');
      this.skip();
    }
    groupPath = `${own === '/' ? '' : own}/proc-memory-ui-${process.pid}`;
    dir = `${V1_MEMORY}${groupPath}`;
    mkdirSync(dir);
    writeFileSync(`${dir}/memory.limit_in_bytes`, String(160 * MiB));
    allocator = await startAllocator(1, 'pm-oom-test');
    writeFileSync(`${dir}/cgroup.procs`, String(allocator.pid));
    await allocator.grow(64); // charged to the group: 64 of 160 MiB
    workbench = await openWorkbench({
      settings: {
        'workbench.colorTheme': 'Default Dark Modern',
        'procMemory.sampleIntervalMs': 500,
        'procMemory.detailIntervalMs': 1000,
      },
    });
  });

  afterEach(async function () {
    await workbench?.screenshotIfFailed(this);
  });

  after(async () => {
    await workbench?.close('out-of-memory');
    await allocator?.kill();
    if (dir) {
      await until(
        () => {
          try {
            rmdirSync(dir as string);
            return true;
          } catch {
            return false;
          }
        },
        15_000,
        'the test cgroup to be removed',
      );
    }
  });

  it('shows the usage and working set of the group, equal to its files, and the limit with its headroom', async () => {
    await workbench.runCommand('Memory: Inspect Process');
    await workbench.pickProcess(allocator.pid);
    frame = await workbench.findWebviewFrame(hasSelector('[data-testid=out-of-memory][data-cgroup=value]'));
    const section = frame.locator('[data-testid=out-of-memory]');
    assert.equal(await section.locator('[data-testid=cgroup-path]').innerText(), `cgroup ${groupPath} (v1)`);
    const kernel = () => {
      const usage = Number(readFileSync(`${dir}/memory.usage_in_bytes`, 'utf8'));
      const inactive = Number(/^total_inactive_file (\d+)$/m.exec(readFileSync(`${dir}/memory.stat`, 'utf8'))?.[1]);
      return { usage, workingSet: Math.max(0, usage - inactive) };
    };
    // The group idles, so its files stop moving and the panel's next detail reading equals them. A
    // move of a few pages prints alike, so the page may hear of it only with the next quiet message.
    let shown = { usage: -1, workingSet: -1 };
    let expected = kernel();
    for (
      const deadline = Date.now() + 15_000 + QUIET_MESSAGE_MS;
      (shown.usage !== expected.usage || shown.workingSet !== expected.workingSet) && Date.now() < deadline;

    ) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      expected = kernel();
      shown = {
        usage: Number(await section.locator('[data-figure=cgroupUsage]').getAttribute('data-bytes')),
        workingSet: Number(await section.locator('[data-figure=workingSet]').getAttribute('data-bytes')),
      };
    }
    assert.deepEqual(shown, expected, 'usage = memory.usage_in_bytes, working set = usage − total_inactive_file');
    assert.ok(shown.workingSet >= 64 * MiB);
    const level = section.locator('[data-testid=limit-level][data-tightest]');
    assert.equal(await level.getAttribute('data-path'), groupPath);
    assert.equal(Number(await level.getAttribute('data-limit')), 160 * MiB);
    assert.equal(Number(await level.getAttribute('data-headroom')), 160 * MiB - shown.workingSet);
    await waitForAttribute(
      frame.locator('[data-figure=cgroup]'),
      'data-headroom',
      (value) => Number(value) === 160 * MiB - shown.workingSet,
    );
    assert.equal(await section.locator('[data-figure=oomKill] [data-testid=figure-value]').innerText(), '0');
    const score = Number(readFileSync(`/proc/${allocator.pid}/oom_score`, 'utf8'));
    await waitForAttribute(
      section.locator('[data-figure=oomScore]'),
      'data-value',
      (value) => Number(value) === Number(readFileSync(`/proc/${allocator.pid}/oom_score`, 'utf8')),
    );
    assert.ok(score >= 0 && score <= 2000);
    await section.evaluate((element) => element.scrollIntoView({ block: 'start' }));
    await section.locator('[data-testid=label-workingSet]').hover();
    await frame.locator('[data-testid=tooltip-workingSet]').waitFor({ state: 'visible' });
    await workbench.screenshot('out-of-memory-section-dark');
    await workbench.page.mouse.move(0, 0);
  });

  it('forecasts when its steady leak reaches the group limit, within 20 % of the time computed from the group', async () => {
    // 1 MiB every 2 s: 30 MiB/min, until the forecast has its minute of readings past the warm-up.
    const leakMiBPerMinute = 30;
    const leak = setInterval(() => allocator.child.stdin?.write('1\n'), 2000);
    try {
      const forecast = frame.locator('[data-testid=forecast]');
      await waitForAttribute(forecast, 'data-verdict', (verdict) => verdict === 'growing', 180_000);
      const limit = Number(readFileSync(`${dir}/memory.limit_in_bytes`, 'utf8'));
      const usage = Number(readFileSync(`${dir}/memory.usage_in_bytes`, 'utf8'));
      const inactive = Number(/^total_inactive_file (\d+)$/m.exec(readFileSync(`${dir}/memory.stat`, 'utf8'))?.[1]);
      const expectedMs = ((limit - Math.max(0, usage - inactive)) / (leakMiBPerMinute * MiB)) * 60_000;
      const shownMs = Number(await forecast.getAttribute('data-time-to-limit'));
      console.log(
        `      [forecast] time to limit ${(shownMs / 1000).toFixed(0)} s vs ${(expectedMs / 1000).toFixed(0)} s`,
      );
      assert.ok(Math.abs(shownMs / expectedMs - 1) < 0.2, `${shownMs} vs ${expectedMs}`);
      const verdict = await forecast.locator('[data-testid=forecast-verdict]').innerText();
      assert.ok(
        new RegExp(
          `^At \\+[\\d.]+ MiB/min this reaches the cgroup limit \\(memory\\.limit_in_bytes of ${groupPath}\\) in about \\d+ min\\.$`,
        ).test(verdict),
        verdict,
      );
      await frame
        .locator('[data-testid=out-of-memory]')
        .evaluate((element) => element.scrollIntoView({ block: 'start' }));
      await workbench.screenshot('leak-forecast-dark');
    } finally {
      clearInterval(leak);
    }
  });

  it('says the process was most likely OOM-killed when the kernel kills it, with the evidence', async () => {
    allocator.child.stdin?.write('256\n'); // 256 MiB more in a 160 MiB group
    await until(() => allocator.child.signalCode === 'SIGKILL', 30_000, 'the kernel to kill the allocator');
    assert.match(readFileSync(`${dir}/memory.oom_control`, 'utf8'), /^oom_kill 1$/m);
    const banner = frame.locator('#oom-banner');
    await banner.waitFor({ state: 'visible', timeout: 15_000 });
    const text = await banner.innerText();
    assert.match(text, /Most likely killed by the OOM killer/);
    assert.ok(text.includes(`memory.oom_control oom_kill of cgroup ${groupPath} rose by 1 (0 → 1)`), text);
    assert.equal(await frame.locator('#exit-banner').isVisible(), false);
    await frame.locator('#app').evaluate((app) => app.scrollIntoView());
    await workbench
      .statusBarItem(PROC_MEMORY_STATUS_ITEM)
      .filter({ hasText: 'OOM-killed?' })
      .waitFor({ state: 'visible', timeout: 10_000 });
    const toast = workbench.page.locator('.notifications-toasts .notification-toast', {
      hasText: 'most likely killed by the kernel',
    });
    await toast.waitFor({ state: 'visible', timeout: 10_000 });
    assert.match(await toast.innerText(), new RegExp(`PID ${allocator.pid}`));
    await workbench.screenshot('out-of-memory-killed-dark');
  });
});
