// The status bar entry in a real extension host: focus rules, figures against /proc, the warning
// threshold, exit, PID reuse, settings changes, and no polling when nothing shows.
import { MiB } from '../../shared/units';
import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import type { ProcMemoryApi } from '../../src/extension';
import { TOOLTIP_REFRESH_MS } from '../../src/statusBar';
import { formatBytes, formatDelta } from '../../shared/format';
import { QUIET_MESSAGE_MS } from '../../shared/protocol/quietMessages';
import {
  Allocator,
  memoryCgroupOrSkip,
  procMemoryApi,
  setSetting,
  startAllocator,
  statmBytes,
  waitFor,
} from './helpers';
import { skipBecause } from '../skip';

/**
 * Just after exec, sleep is still mapping its libraries and its RES moves: waits until it sleeps
 * and its RES stays put over a few readings, and gives the RES it settled on.
 */
async function untilSteady(pid: number): Promise<number> {
  let settledRes = -1;
  for (let steady = 0; steady < 3; ) {
    const res = statmBytes(pid).res;
    steady = res === settledRes ? steady + 1 : 0;
    settledRes = res;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return settledRes;
}

describe('status bar', function () {
  this.timeout(60000);
  let api: ProcMemoryApi;
  let allocator: Allocator | undefined;

  before(async () => {
    api = await procMemoryApi();
  });

  afterEach(async () => {
    api.focus.stopWatching();
    await allocator?.kill();
    allocator = undefined;
    await setSetting('statusBar.warnAboveMiB', undefined);
    await setSetting('statusBar.showWhenIdle', undefined);
    await setSetting('statusBar.enabled', undefined);
    await setSetting('sampleIntervalMs', undefined);
    await setSetting('statusBar.warnAboveCgroupPercent', undefined);
  });

  it('is hidden with nothing in focus, and nothing polls', async () => {
    await waitFor('no focus', () => api.focus.current === undefined);
    assert.equal(api.statusBar.state.visible, false);
    await waitFor('the sampler to stop', () => !api.sampler.isPolling);
  });

  it('shows the RES of the watched process as /proc reports it, with an explained tooltip', async () => {
    allocator = await startAllocator(48);
    const identity = api.sampleProcess(allocator.pid);
    assert.ok(identity.ok);
    api.focus.watch(identity.value.identity);
    // The allocator idles after touching its memory, so a reading soon equals what /proc says now.
    await waitFor(`the RES text to equal /proc (${api.statusBar.state.text})`, () =>
      api.statusBar.state.text.endsWith(` ${formatBytes(statmBytes(allocator!.pid).res)}`),
    );
    assert.ok(statmBytes(allocator.pid).res > 48 * MiB);
    const tooltip = api.statusBar.state.tooltip;
    for (const label of ['RES', 'VIRT', 'SHR']) {
      assert.match(tooltip, new RegExp(`\\*\\*${label}\\*\\*`), `tooltip names ${label}`);
    }
    assert.match(tooltip, /physical RAM/, 'RES is explained');
    assert.match(tooltip, /address space/, 'VIRT is explained');
    assert.match(tooltip, /libraries/, 'SHR is explained');
    assert.match(tooltip, new RegExp(`PID ${allocator.pid}`));
    assert.match(tooltip, /command:procMemory\.inspectFocused/);
    assert.match(tooltip, /command:procMemory\.stopWatching/);
  });

  it('rebuilds its tooltip when its text changes, otherwise only every TOOLTIP_REFRESH_MS, with the RES of the text', async () => {
    await setSetting('sampleIntervalMs', 250);
    // sleep's RES never changes: the text stays, so the tooltip waits for its refresh.
    const sleeper = spawn('sleep', ['600'], { stdio: 'ignore' });
    try {
      const sample = await waitFor('sleep', () => {
        const read = api.sampleProcess(sleeper.pid as number);
        return read.ok && read.value.name === 'sleep' ? read.value : undefined;
      });
      const settledRes = await untilSteady(sleeper.pid as number);
      api.focus.watch(sample.identity);
      // Text and build time from one reading of the state.
      const { text, tooltipBuiltAtMs: builtAt } = await waitFor('the settled sleep text', () => {
        const state = api.statusBar.state;
        return state.text.includes('sleep') && state.text.endsWith(formatBytes(settledRes)) ? state : undefined;
      });
      await new Promise((resolve) => setTimeout(resolve, 2000)); // 8 ticks
      assert.equal(api.statusBar.state.text, text);
      assert.equal(api.statusBar.state.tooltipBuiltAtMs, builtAt, 'not rebuilt while the text stays');
      const rebuiltAt = await waitFor(
        'the refresh',
        () => api.statusBar.state.tooltipBuiltAtMs !== builtAt && api.statusBar.state.tooltipBuiltAtMs,
        TOOLTIP_REFRESH_MS + 5000,
      );
      assert.ok(rebuiltAt - builtAt >= TOOLTIP_REFRESH_MS, `rebuilt after ${rebuiltAt - builtAt} ms`);
    } finally {
      sleeper.kill('SIGKILL');
    }
    // A text that changes brings its tooltip along at once, with the same RES.
    allocator = await startAllocator(16);
    const identity = api.sampleProcess(allocator.pid);
    assert.ok(identity.ok);
    api.focus.watch(identity.value.identity);
    await waitFor('the allocator text', () => api.statusBar.state.text.includes('MiB'));
    // At every reading the text shows that reading's RES, not one of a reading before it (the
    // status bar heard each reading first: it subscribed first).
    const stale: string[] = [];
    const everyReading = api.sampler.subscribe(identity.value.identity, {}, (event) => {
      const res = event.outcome.ok ? formatBytes(event.outcome.value.resBytes) : undefined;
      if (res !== undefined && !api.statusBar.state.text.endsWith(res)) {
        stale.push(`"${api.statusBar.state.text}" at a reading of ${res}`);
      }
    });
    for (let i = 0; i < 3; i++) {
      const before = api.statusBar.state.text;
      await allocator.grow(8);
      // Text and tooltip from one reading of the state: a tick may come between two.
      const { text: grown, tooltip } = await waitFor('the text to change', () => {
        const state = api.statusBar.state;
        return state.text !== before ? state : undefined;
      });
      const res = grown.split(' ').slice(-2).join('\u00a0');
      assert.ok(tooltip.includes(`| **RES** | ${res} |`), `tooltip RES ${res}: ${tooltip.slice(0, 300)}`);
    }
    everyReading.dispose();
    assert.deepEqual(stale, []);
  });

  it('says how much RES changed over the last minute: the growth /proc saw, at its rate', async () => {
    allocator = await startAllocator(16);
    const before = await untilSteady(allocator.pid);
    const identity = api.sampleProcess(allocator.pid);
    assert.ok(identity.ok);
    const watchedAtMs = Date.now();
    api.focus.watch(identity.value.identity);
    await waitFor('a reading', () => api.statusBar.state.text.endsWith(formatBytes(before)));
    await allocator.grow(24);
    const after = await untilSteady(allocator.pid);
    // The history's first point (at the watch) held `before`; its newest holds `after`.
    const line = `RES over the last minute: ${formatDelta(after - before)} (`;
    const tooltip = await waitFor(
      `the tooltip to say ${line}`,
      () => api.statusBar.state.tooltip.includes(line) && api.statusBar.state.tooltip,
      TOOLTIP_REFRESH_MS + 5000,
    );
    const elapsedMs = Date.now() - watchedAtMs;
    assert.ok(after - before > 23 * MiB, `grown by ${after - before} B`);
    // Its rate: the change over the time between the two points, at most as long as the test took.
    const rate = /RES over the last minute: [^(]+\(\+([\d.]+) (MiB|GiB)\/min\)/.exec(tooltip);
    assert.ok(rate, tooltip);
    const perMinute = Number(rate[1]) * (rate[2] === 'GiB' ? 1024 * MiB : MiB);
    assert.ok(perMinute >= (((after - before) * 60000) / elapsedMs) * 0.99, `${rate[0]} in ${elapsedMs} ms`);
  });

  it('takes the warning state above procMemory.statusBar.warnAboveMiB and says why', async () => {
    allocator = await startAllocator(40);
    const sample = api.sampleProcess(allocator.pid);
    assert.ok(sample.ok);
    api.focus.watch(sample.value.identity);
    await waitFor('a reading', () => api.statusBar.state.text.includes('MiB'));
    assert.equal(api.statusBar.state.warning, undefined);
    await setSetting('statusBar.warnAboveMiB', 20);
    const warning = await waitFor('the warning', () => api.statusBar.state.warning);
    assert.match(warning, /above 20 MiB/);
    assert.match(api.statusBar.state.tooltip, /above 20 MiB/);
    await setSetting('statusBar.warnAboveMiB', 100000);
    await waitFor('the warning to clear', () => api.statusBar.state.warning === undefined);
  });

  it("warns when the process's cgroup nears its memory limit", async function () {
    // the rule itself is unit-tested
    const cgroup = memoryCgroupOrSkip(this, 128 * MiB);
    try {
      allocator = await startAllocator(1);
      cgroup.add(allocator.pid);
      await allocator.grow(48); // charged to the new group: 48 of 128 MiB, 37 %
      await setSetting('statusBar.warnAboveCgroupPercent', 30);
      const sample = api.sampleProcess(allocator.pid);
      assert.ok(sample.ok);
      api.focus.watch(sample.value.identity);
      const warning = await waitFor('the cgroup warning', () => api.statusBar.state.warning);
      assert.match(
        warning,
        /Its cgroup has a working set of (3\d|4\d)% of its memory limit \([\d.]+ MiB of 128\.0 MiB, memory\.limit_in_bytes\)/,
      );
      assert.match(api.statusBar.state.tooltip, /memory limit/);
      await setSetting('statusBar.warnAboveCgroupPercent', 90);
      await waitFor('the warning to clear', () => api.statusBar.state.warning === undefined);
    } finally {
      await allocator?.kill();
      await cgroup.remove();
    }
  });

  it("pairs the tightest level's own working set with its limit when that level is a parent", async function () {
    const parent = memoryCgroupOrSkip(this, 256 * MiB);
    // The watched process in a group of its own without a limit, below a parent limited to 256 MiB
    // that also holds a 48 MiB process: the parent's working set is far from the child group's.
    const parentDir = `/sys/fs/cgroup/memory${parent.path}`;
    mkdirSync(`${parentDir}/child`);
    let sibling: Allocator | undefined;
    try {
      // v1 charges memory to the group a process is in when it touches it: move first, then grow.
      sibling = await startAllocator(1);
      parent.add(sibling.pid);
      await sibling.grow(48);
      allocator = await startAllocator(1);
      writeFileSync(`${parentDir}/child/cgroup.procs`, String(allocator.pid));
      await allocator.grow(4);
      const sample = api.sampleProcess(allocator.pid);
      assert.ok(sample.ok);
      api.focus.watch(sample.value.identity);
      const cell = () =>
        /\| \*\*Working.set\*\* \| ([\d.]+ [KMG]iB) of 256\.0 MiB \(headroom ([\d.]+ [KMG]iB), cgroup ([^)]+)\)/.exec(
          // The tooltip's Markdown, its escapes and no-break spaces undone.
          api.statusBar.state.tooltip.replace(/\\(.)/g, '$1').replace(/\u00a0/g, ' '),
        ) ?? undefined;
      const [, workingSet, headroom, level] = await waitFor("the parent's figures in the tooltip", cell).catch(
        (error: Error) => {
          throw new Error(`${error.message}: ${api.statusBar.state.tooltip}`);
        },
      );
      assert.equal(level, parent.path);
      // The parent's own working set, from its files: usage − total_inactive_file.
      const usage = Number(readFileSync(`${parentDir}/memory.usage_in_bytes`, 'utf8'));
      const inactive = Number(
        /^total_inactive_file (\d+)$/m.exec(readFileSync(`${parentDir}/memory.stat`, 'utf8'))?.[1],
      );
      const fromFiles = usage - inactive;
      const bytes = (text: string) => parseFloat(text) * 1024 ** ['KiB', 'MiB', 'GiB'].indexOf(text.slice(-3)) * 1024;
      const shown = bytes(workingSet);
      assert.ok(
        Math.abs(shown - fromFiles) < 4 * MiB,
        `working set ${workingSet} vs ${formatBytes(fromFiles)} in the parent's files`,
      );
      assert.ok(
        shown > 48 * MiB,
        `the parent's working set (with its 48 MiB process), not the child group's: ${workingSet}`,
      );
      // Each figure is rounded to 0.1 MiB, so each is off by up to 0.05 MiB, both at once at a tie
      // (a working set of 48.25 MiB shows as 48.3, its headroom of 207.75 as 207.8): 0.1 MiB in all.
      const roundingBytes = 0.1 * MiB + 1;
      assert.ok(
        Math.abs(bytes(headroom) - (256 * MiB - shown)) <= roundingBytes,
        `headroom = that limit − that working set: ${headroom} of 256.0 MiB with ${workingSet}`,
      );
    } finally {
      api.focus.stopWatching();
      await allocator?.kill();
      allocator = undefined;
      await sibling?.kill();
      await waitFor('the child group to be removed', () => {
        try {
          rmdirSync(`${parentDir}/child`);
          return true;
        } catch {
          return false;
        }
      });
      await parent.remove();
    }
  });

  it("shows its group's sizes up to QUIET_MESSAGE_MS old while nothing else in the tooltip moved", async function () {
    this.timeout(90_000);
    const cgroup = memoryCgroupOrSkip(this, 512 * MiB);
    let sibling: Allocator | undefined;
    // sleep's RES holds still, so the text stays; another process in its group then grows.
    const sleeper = spawn('sleep', ['600'], { stdio: 'ignore' });
    try {
      cgroup.add(sleeper.pid as number);
      sibling = await startAllocator(1);
      cgroup.add(sibling.pid);
      const sample = await waitFor('sleep', () => {
        const read = api.sampleProcess(sleeper.pid as number);
        return read.ok && read.value.name === 'sleep' ? read.value : undefined;
      });
      await untilSteady(sleeper.pid as number);
      api.focus.watch(sample.identity);
      const workingSet = () =>
        /\| \*\*Working.set\*\* \| ([\d.]+ (?:[KMG]i)?B) of 512\.0 MiB/.exec(
          api.statusBar.state.tooltip.replace(/\\(.)/g, '$1').replace(/\u00a0/g, ' '),
        )?.[1];
      const before = await waitFor('the working set in the tooltip', workingSet).catch((error: Error) => {
        throw new Error(`${error.message}: ${api.statusBar.state.tooltip}`);
      });
      const { tooltipBuiltAtMs: builtAt, text } = api.statusBar.state;
      const grownAtMs = Date.now();
      await sibling.grow(64);
      // Rebuilt at the refresh, the tooltip still shows the sizes it showed: they alone moved.
      await waitFor('a refresh', () => api.statusBar.state.tooltipBuiltAtMs > grownAtMs, TOOLTIP_REFRESH_MS + 5000);
      assert.equal(api.statusBar.state.text, text, 'the text held still');
      assert.equal(workingSet(), before, 'the sizes wait for QUIET_MESSAGE_MS');
      // Then they come, QUIET_MESSAGE_MS after they were first shown at most (and a refresh).
      const after = await waitFor(
        'the grown working set',
        () => {
          const shown = workingSet();
          return shown !== before ? shown : undefined;
        },
        QUIET_MESSAGE_MS + TOOLTIP_REFRESH_MS + 5000,
      );
      const shownAfterMs = Date.now() - builtAt;
      assert.ok(shownAfterMs >= QUIET_MESSAGE_MS - 1000, `the sizes came ${shownAfterMs} ms after the first`);
      const bytes = (text: string) => parseFloat(text) * 1024 ** ['B', 'KiB', 'MiB', 'GiB'].indexOf(text.split(' ')[1]);
      assert.ok(
        bytes(after) - bytes(before) > 60 * MiB,
        `the group's working set grew by the sibling's 64 MiB: ${before} then ${after}`,
      );
    } finally {
      sleeper.kill('SIGKILL');
      await sibling?.kill();
      await cgroup.remove();
    }
  });

  it('says the process exited, then falls back', async () => {
    allocator = await startAllocator(8);
    const sample = api.sampleProcess(allocator.pid);
    assert.ok(sample.ok);
    api.focus.watch(sample.value.identity);
    await waitFor('a reading', () => api.statusBar.state.text.includes('MiB'));
    await allocator.kill();
    await waitFor('"exited"', () => api.statusBar.state.text.includes('exited'));
    await waitFor('the fallback', () => !api.statusBar.state.visible, 10000);
    assert.equal(api.focus.current, undefined);
  });

  it('never shows another process that reused the PID', async function () {
    // Real PID reuse: as root, ns_last_pid makes the kernel hand the old PID to the next process.
    allocator = await startAllocator(16);
    const old = api.sampleProcess(allocator.pid);
    assert.ok(old.ok);
    api.focus.watch(old.value.identity);
    await waitFor('a reading', () => api.statusBar.state.text.includes('MiB'));
    await setSetting('sampleIntervalMs', 5000); // slow, so the new process starts between two readings
    const pid = allocator.pid;
    await allocator.kill();
    // Other processes fork too (the workbench, other tests): retry until the kernel hands our PID out.
    let impostor: ChildProcess | undefined;
    for (let attempt = 0; attempt < 20 && impostor?.pid !== pid; attempt++) {
      impostor?.kill('SIGKILL');
      try {
        writeFileSync('/proc/sys/kernel/ns_last_pid', String(pid - 1));
      } catch {
        // the unit tests' fresh-PID checks still cover the identity rule
        skipBecause(this, 'ns-last-pid-not-writable', '/proc/sys/kernel/ns_last_pid cannot be written');
      }
      impostor = spawn('sleep', ['30']);
    }
    try {
      assert.equal(impostor?.pid, pid, 'the kernel gave the old PID to the new process');
      await waitFor('"exited"', () => api.statusBar.state.text.includes('exited'), 15000);
      assert.doesNotMatch(api.statusBar.state.text, /sleep/);
    } finally {
      impostor?.kill('SIGKILL');
    }
  });

  it('shows "Memory" when idle if procMemory.statusBar.showWhenIdle is on, and hides when disabled', async () => {
    await setSetting('statusBar.showWhenIdle', true);
    await waitFor('the idle entry', () => api.statusBar.state.visible && api.statusBar.state.text.includes('Memory'));
    await setSetting('statusBar.enabled', false);
    await waitFor('the entry to hide', () => !api.statusBar.state.visible);
  });

  it('applies a new sampling interval without a reload', async () => {
    allocator = await startAllocator(4);
    const sample = api.sampleProcess(allocator.pid);
    assert.ok(sample.ok);
    await setSetting('sampleIntervalMs', 250);
    api.focus.watch(sample.value.identity);
    const history = await waitFor('history', () => api.sampler.history(sample.value.identity));
    await waitFor(
      'five readings',
      () => history.length >= 5 || api.sampler.history(sample.value.identity)!.length >= 5,
      5000,
    );
    const points = api.sampler.history(sample.value.identity)!.points();
    const spacing = points[points.length - 1].timeMs - points[points.length - 2].timeMs;
    assert.ok(spacing < 600, `readings ${spacing} ms apart with a 250 ms interval`);
  });

  it('follows the watched process chosen with the PID argument of Memory: Inspect Process', async () => {
    allocator = await startAllocator(4);
    const vscode = await import('vscode');
    await vscode.commands.executeCommand('procMemory.inspectProcess', allocator.pid);
    await waitFor('the focus', () => api.focus.current?.identity.pid === allocator?.pid);
    assert.equal(api.focus.current?.reason, 'watch');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
