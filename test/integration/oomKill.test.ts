// OOM kills in a real extension host: a process in a real cgroup v1 memory group with a small limit
// allocates until the kernel kills it; the status bar, the inspect panel's exit banner and a
// notification say it was most likely OOM-killed, with the counter that rose (read here from the
// group's own memory.oom_control). A plain SIGKILL of the same kind of process is never called that.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { ProcMemoryApi } from '../../src/extension';
import type { InspectPanel } from '../../src/inspectPanel';
import {
  Allocator,
  closeAllEditors,
  makeMemoryCgroup,
  MiB,
  procMemoryApi,
  setSetting,
  startAllocator,
  waitFor,
} from './helpers';

describe('OOM kills', function () {
  this.timeout(60000);
  let api: ProcMemoryApi;
  let allocator: Allocator | undefined;
  let cgroup: ReturnType<typeof makeMemoryCgroup>;

  before(async () => {
    api = await procMemoryApi();
  });

  afterEach(async () => {
    await closeAllEditors();
    api.focus.stopWatching();
    await allocator?.kill();
    allocator = undefined;
    await cgroup?.remove();
    cgroup = undefined;
    await setSetting('detailIntervalMs', undefined);
  });

  /** An allocator in a fresh group limited to 96 MiB, watched in the status bar and inspected. */
  async function watchedInGroup(context: Mocha.Context): Promise<{ panel: InspectPanel; oomKills: () => number }> {
    cgroup = makeMemoryCgroup(96 * MiB);
    if (!cgroup) {
      context.skip(); // needs root and a cgroup v1 memory hierarchy
    }
    await setSetting('detailIntervalMs', 1000);
    allocator = await startAllocator(1);
    cgroup.add(allocator.pid);
    const sample = api.sampleProcess(allocator.pid);
    assert.ok(sample.ok);
    api.focus.watch(sample.value.identity);
    const panel = (await vscode.commands.executeCommand('procMemory.inspectProcess', allocator.pid)) as InspectPanel;
    // Both views have read the group (and so its OOM counters) while the process lives.
    await waitFor('the cgroup in the panel', () => panel.lastSnapshot && !('unavailable' in panel.lastSnapshot.cgroup));
    await waitFor('the working set in the status bar tooltip', () => /Working.set/.test(api.statusBar.state.tooltip));
    const oomControl = `/sys/fs/cgroup/memory${cgroup.path}/memory.oom_control`;
    return { panel, oomKills: () => Number(/^oom_kill (\d+)$/m.exec(readFileSync(oomControl, 'utf8'))?.[1]) };
  }

  it('says a process the OOM killer killed was most likely OOM-killed, with the evidence', async function () {
    const { panel, oomKills } = await watchedInGroup(this);
    const pid = allocator!.pid;
    assert.equal(oomKills(), 0);
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      allocator!.child.once('exit', (_code, signal) => resolve(signal)),
    );
    allocator!.child.stdin!.write('256\n'); // 256 MiB in a 96 MiB group
    assert.equal(await exited, 'SIGKILL');
    assert.equal(oomKills(), 1, 'the kernel counted the kill in the group');
    const evidence = `memory.oom_control oom_kill of cgroup ${cgroup!.path} rose by 1 (0 → 1) as it ended`;
    await waitFor('the status bar to say OOM-killed', () => api.statusBar.state.text.includes('OOM-killed?'));
    assert.match(api.statusBar.state.tooltip, /Most likely killed by the kernel's OOM killer/);
    assert.ok(api.statusBar.state.tooltip.includes(evidence), api.statusBar.state.tooltip);
    assert.match(
      api.statusBar.state.tooltip,
      /Last reading: RES [\d.]+ MiB, working set [\d.]+ (B|KiB|MiB) of the 96\.0 MiB limit/,
    );
    await waitFor('the panel to end', () => panel.isEnded);
    assert.ok(panel.endedInfo?.oomKill?.includes(evidence), panel.endedInfo?.oomKill);
    const alerts = api.oomAlerts.shown.filter((message) => message.includes(`PID ${pid})`));
    assert.equal(alerts.length, 1, 'one notification, though two views saw it end');
    assert.ok(alerts[0].includes('most likely killed by the kernel') && alerts[0].includes(evidence), alerts[0]);
  });

  it('shows no notification with procMemory.alerts.oomKill off, but still says it in the status bar and the panel', async function () {
    await setSetting('alerts.oomKill', false);
    try {
      const { panel } = await watchedInGroup(this);
      const pid = allocator!.pid;
      allocator!.child.stdin!.write('256\n');
      await waitFor('the status bar to say OOM-killed', () => api.statusBar.state.text.includes('OOM-killed?'));
      await waitFor('the panel to end', () => panel.isEnded);
      assert.match(panel.endedInfo?.oomKill ?? '', /oom_kill of cgroup .* rose by 1/);
      assert.equal(api.oomAlerts.shown.filter((message) => message.includes(`PID ${pid})`)).length, 0);
    } finally {
      await setSetting('alerts.oomKill', undefined);
    }
  });

  it('never calls a plain SIGKILL an OOM kill', async function () {
    const { panel, oomKills } = await watchedInGroup(this);
    const pid = allocator!.pid;
    await allocator!.kill(); // SIGKILL, exit "137", and no counter change
    assert.equal(oomKills(), 0);
    await waitFor('the status bar to say exited', () => api.statusBar.state.text.includes('exited'));
    assert.doesNotMatch(api.statusBar.state.text + api.statusBar.state.tooltip, /OOM/);
    await waitFor('the panel to end', () => panel.isEnded);
    assert.equal(panel.endedInfo?.oomKill, undefined);
    assert.equal(api.oomAlerts.shown.filter((message) => message.includes(`PID ${pid})`)).length, 0);
  });
});
