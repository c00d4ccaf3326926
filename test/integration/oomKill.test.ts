// OOM kills in a real extension host: a process in a real cgroup v1 memory group with a small limit
// allocates until the kernel kills it; the status bar, the inspect panel's exit banner and a
// notification say it was most likely OOM-killed, with the counter that rose (read here from the
// group's own memory.oom_control). A plain SIGKILL of the same kind of process is never called that.
import { MiB } from '../../shared/units';
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ProcMemoryApi } from '../../src/extension';
import type { InspectPanel } from '../../src/inspectPanel';
import { DebugSessionsStarted, startDebuggee } from './debuggees';
import {
  Allocator,
  MemoryCgroup,
  memoryCgroupOrSkip,
  procMemoryApi,
  setSetting,
  startAllocator,
  waitFor,
} from './helpers';

describe('OOM kills', function () {
  this.timeout(60000);
  let api: ProcMemoryApi;
  let allocator: Allocator | undefined;
  let cgroup: MemoryCgroup | undefined;
  let sessions: DebugSessionsStarted;

  before(async () => {
    api = await procMemoryApi();
    sessions = new DebugSessionsStarted();
  });

  after(() => sessions.dispose());

  afterEach(async () => {
    // Ends the debuggee first, or its group could not be removed below; closes every editor.
    await sessions.endAll();
    api.focus.stopWatching();
    await allocator?.kill();
    allocator = undefined;
    await cgroup?.remove();
    cgroup = undefined;
    await setSetting('detailIntervalMs', undefined);
  });

  /** An allocator in a fresh group limited to 96 MiB, watched in the status bar and inspected. */
  async function watchedInGroup(context: Mocha.Context): Promise<{ panel: InspectPanel; oomKills: () => number }> {
    cgroup = memoryCgroupOrSkip(context, 96 * MiB);
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

  it('the Process Memory view shows the verdict on the row of a debuggee the OOM killer killed (js-debug)', async function () {
    cgroup = memoryCgroupOrSkip(this, 96 * MiB);
    await setSetting('detailIntervalMs', 1000);
    // The status bar would read the group too: off, the view has to read it for itself.
    await setSetting('statusBar.enabled', false);
    await vscode.commands.executeCommand('procMemory.debugView.focus');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'proc-memory-oom-debug-'));
    try {
      const pidFile = path.join(dir, 'pid');
      const goFile = path.join(dir, 'go');
      const program = path.join(dir, 'hog.js');
      writeFileSync(
        program,
        [
          "const fs = require('fs');",
          'fs.writeFileSync(process.argv[2], String(process.pid));',
          'const held = [];',
          // Allocates only once the test has moved it into the group: 256 MiB in a 96 MiB group.
          'const wait = setInterval(() => { if (fs.existsSync(process.argv[3])) { clearInterval(wait); for (let i = 0; i < 32; i++) held.push(Buffer.alloc(8 * 1024 * 1024, 1)); } }, 100);',
          'setInterval(() => held.length, 1000);',
        ].join('\n'),
      );
      const { pid } = await startDebuggee(
        api,
        { type: 'node', request: 'launch', name: 'hog', program, args: [pidFile, goFile], console: 'internalConsole' },
        pidFile,
      );
      cgroup.add(pid);
      const rowOf = () => api.debugView.state?.rows.find((row) => row.snapshot?.pid === pid);
      // The view has read the group (and so its OOM counters) while the process lives.
      await waitFor(
        'the cgroup in the view',
        () => {
          const read = api.debugView.lastSampleOf(pid)?.cgroup;
          return read?.ok && read.value?.path === cgroup!.path;
        },
        30000,
      );
      assert.equal(rowOf()?.oomKill, undefined, 'no verdict while it lives');
      // The counters the end is compared with are the new group's from the reading that found it
      // on, or, had the group it left been near a limit (read before each reading), from the next.
      const seenAtMs = rowOf()!.snapshot!.sampledAtMs;
      await waitFor('a further reading', () => rowOf()!.snapshot!.sampledAtMs > seenAtMs);
      writeFileSync(goFile, '');
      const evidence = `memory.oom_control oom_kill of cgroup ${cgroup.path} rose by 1 (0 → 1) as it ended`;
      const row = await waitFor('the verdict in the view', () => (rowOf()?.oomKill ? rowOf() : undefined), 30000);
      assert.ok(row!.oomKill!.includes(evidence), row!.oomKill);
      assert.match(
        row!.oomKill!,
        /Last reading: RES [\d.]+ MiB, working set [\d.]+ (B|KiB|MiB) of the 96\.0 MiB limit/,
      );
      assert.equal(row!.status, 'ended');
      await waitFor('the debug session to end', () => sessions.running.size === 0, 20000);
      assert.ok(rowOf()?.oomKill?.includes(evidence), 'the verdict stays on the row after the session ended');
      // Hidden and shown again, the view reads nothing for the ended process: the row keeps its last
      // figures and the verdict (the row had lost its figures at the first refresh after the end).
      await vscode.commands.executeCommand('workbench.view.explorer');
      await waitFor('the view hidden', () => !api.debugView.visible);
      await vscode.commands.executeCommand('procMemory.debugView.focus');
      await waitFor('the view shown', () => api.debugView.visible);
      assert.ok(rowOf()?.oomKill?.includes(evidence), 'the verdict and the figures stay on the row after a refresh');
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await setSetting('statusBar.enabled', undefined);
    }
  });
});
