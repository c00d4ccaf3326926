// The leak forecast in a real extension host: two real processes in a real cgroup v1 memory group
// with a 256 MiB limit, one leaking at a known rate, one that grew once and then stays level. The
// forecast of the leaking one must give a time to the limit within 20 % of the one computed here
// from the group's own files and the known rate; the level one must not be called a leak.
import { MiB } from '../../shared/units';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { ProcMemoryApi } from '../../src/extension';
import type { InspectPanel } from '../../src/inspectPanel';
import { TOOLTIP_REFRESH_MS } from '../../src/statusBar';
import {
  Allocator,
  closeAllEditors,
  MemoryCgroup,
  memoryCgroupOrSkip,
  procMemoryApi,
  setSetting,
  startAllocator,
  waitFor,
} from './helpers';

/** The status bar tooltip as it reads, without its Markdown escapes. */
function tooltipText(api: ProcMemoryApi): string {
  return api.statusBar.state.tooltip.replace(/\\(.)/g, '$1');
}

/** 1 MiB every 2.5 s. */
const LEAK_MIB_PER_MINUTE = 24;

describe('Leak forecast', function () {
  this.timeout(240_000);
  let api: ProcMemoryApi;
  const allocators: Allocator[] = [];
  let cgroup: MemoryCgroup | undefined;
  let leakTimer: NodeJS.Timeout | undefined;

  before(async () => {
    api = await procMemoryApi();
  });

  after(async () => {
    clearInterval(leakTimer);
    await closeAllEditors();
    api.focus.stopWatching();
    await Promise.all(allocators.map((allocator) => allocator.kill()));
    await cgroup?.remove();
    await setSetting('detailIntervalMs', undefined);
    await setSetting('alerts.sustainedGrowth', undefined);
  });

  it('forecasts when a leak reaches the cgroup limit, within 20 %, and calls a level process no leak', async function () {
    cgroup = memoryCgroupOrSkip(this, 256 * MiB); // (the verdicts are unit-tested)
    await setSetting('detailIntervalMs', 1000);
    await setSetting('alerts.sustainedGrowth', true);
    const leaking = await startAllocator(1);
    const level = await startAllocator(1);
    allocators.push(leaking, level);
    cgroup.add(leaking.pid);
    cgroup.add(level.pid);
    await level.grow(48); // a start-up allocation, then nothing more
    leakTimer = setInterval(() => leaking.child.stdin?.write('1\n'), (60_000 / LEAK_MIB_PER_MINUTE) | 0);

    // The leaking process in an inspect panel, the level one in the status bar.
    const identity = (pid: number) => {
      const sample = api.sampleProcess(pid);
      assert.ok(sample.ok);
      return sample.value.identity;
    };
    const leakingPanel = (await vscode.commands.executeCommand(
      'procMemory.inspectProcess',
      leaking.pid,
    )) as InspectPanel;
    api.focus.watch(identity(level.pid)); // after Inspect, which brings its process into focus

    assert.equal(leakingPanel.lastForecast?.verdict ?? 'collecting', 'collecting', 'nothing claimed at first');
    // 30 s of warm-up and a minute of readings, at least.
    const progress = setInterval(
      () =>
        console.log(
          `[forecast] so far: ${JSON.stringify(leakingPanel.lastForecast)} at ${leakingPanel.lastSnapshot?.sampledAtMs} RES ${leakingPanel.lastSnapshot?.resBytes}`,
        ),
      15_000,
    );
    const forecast = await waitFor(
      'the leak forecast',
      () => {
        const current = leakingPanel.lastForecast;
        return current?.verdict === 'growing' ? current : undefined;
      },
      200_000,
    ).finally(() => clearInterval(progress));
    const dir = `/sys/fs/cgroup/memory${cgroup.path}`;
    const limit = Number(readFileSync(`${dir}/memory.limit_in_bytes`, 'utf8'));
    const usage = Number(readFileSync(`${dir}/memory.usage_in_bytes`, 'utf8'));
    const inactiveFile = Number(/^total_inactive_file (\d+)$/m.exec(readFileSync(`${dir}/memory.stat`, 'utf8'))?.[1]);
    const expectedMs = ((limit - Math.max(0, usage - inactiveFile)) / (LEAK_MIB_PER_MINUTE * MiB)) * 60_000;
    assert.ok(forecast.limit?.kind === 'cgroup' && forecast.limit.path === cgroup.path, JSON.stringify(forecast));
    const ratio = forecast.limit.timeToLimitMs / expectedMs;
    console.log(
      `[forecast] ${(forecast.bytesPerMinute / MiB).toFixed(2)} MiB/min (leak ${LEAK_MIB_PER_MINUTE}), R² ${forecast.r2.toFixed(3)}, ` +
        `time to limit ${(forecast.limit.timeToLimitMs / 60000).toFixed(1)} min vs ${(expectedMs / 60000).toFixed(1)} min expected (x${ratio.toFixed(3)})`,
    );
    assert.ok(ratio > 0.8 && ratio < 1.2, `time to limit off by x${ratio}`);
    // Level since its start-up allocation (made within the warm-up): no leak. Both forecasts refit
    // in the same tick (on the wall clock's 5 s grid), and the tooltip is rebuilt up to
    // TOOLTIP_REFRESH_MS later: wait for it.
    await waitFor(
      'the level process called no leak in the tooltip',
      () => /No leak: RES has stayed level over the last/.test(tooltipText(api)),
      TOOLTIP_REFRESH_MS + 5000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}: ${tooltipText(api)}`);
    });
    // procMemory.alerts.sustainedGrowth: one notification, for the leaking process only.
    const alerts = await waitFor('the sustained-growth alert', () => {
      const shown = api.memoryAlerts.shown.filter((message) => message.includes('RES keeps growing'));
      return shown.length > 0 ? shown : undefined;
    });
    assert.equal(alerts.length, 1, alerts.join('\n'));
    assert.match(
      alerts[0],
      new RegExp(
        `^node \\(PID ${leaking.pid}\\): RES keeps growing\\. At \\+[\\d.]+ MiB/min this reaches the cgroup limit`,
      ),
    );
    api.focus.watch(identity(leaking.pid));
    await waitFor('the forecast in the status bar tooltip', () =>
      /At \+[\d.]+ MiB\/min this reaches the cgroup limit \(memory\.limit_in_bytes of .*\) in about \d+ min/.test(
        tooltipText(api),
      ),
    );
  });
});
