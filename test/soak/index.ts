/**
 * `npm run soak [-- MINUTES]` (default 30; not part of npm test): the extension in the real
 * extension host (code-server) with what a user leaves open: the status bar on one process, three
 * inspect panels, and a debug session (js-debug) whose program allocates and frees, all at
 * sampleIntervalMs 250. Every minute it prints the extension host's CPU share and RSS, the Node
 * resources it holds (timers, handles), and the memory markers and stops kept, so drift shows; the
 * runner prints the webviews' elements and the renderer's JS heap (test/host/webviewMemory.ts).
 * At the end: RSS and resources after the history buffers filled (first minute with full
 * buffers to the end) must be flat within a margin, and nothing may only grow.
 *
 * Loaded as the `extensionTestsPath` of test/host/runIntegration.ts; ends with the INTEGRATION-RESULT
 * line the runner expects (failed=1 when something grew without bound).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ProcMemoryApi } from '../../src/extension';

const MINUTES = Number(process.env.PROC_MEMORY_SOAK_MINUTES ?? 30);
/** History is kept for this many minutes in the soak, so the buffers fill within the run. */
const HISTORY_MINUTES = Math.max(1, Math.floor(MINUTES / 3));
/** RSS may move this much after the buffers are full (V8 and the allocator breathe). */
const RSS_MARGIN_BYTES = 24 * 1024 * 1024;

interface Minute {
  minute: number;
  cpuPercent: number;
  rssBytes: number;
  resources: number;
  markers: number;
}

const log = (line: string) => console.log(`[soak] ${line}`);
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function run(): Promise<void> {
  const children: ChildProcess[] = [];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'proc-memory-soak-'));
  let failed = 0;
  try {
    const extension = vscode.extensions.getExtension<ProcMemoryApi>('proc-memory.proc-memory');
    if (!extension) {
      throw new Error('proc-memory.proc-memory is not loaded');
    }
    const api = await extension.activate();
    const settings = vscode.workspace.getConfiguration('procMemory');
    await settings.update('sampleIntervalMs', 250, vscode.ConfigurationTarget.Global);
    await settings.update('historyMinutes', HISTORY_MINUTES, vscode.ConfigurationTarget.Global);

    // Three processes that allocate and free, in a saw: panels and the status bar see them move.
    const saw =
      'let held = []; setInterval(() => { held.push(Buffer.alloc(4 << 20, 1)); if (held.length > 8) held = []; }, 500);';
    for (let i = 0; i < 3; i++) {
      const child = spawn(process.execPath, ['-e', saw], { stdio: 'ignore' });
      children.push(child);
    }
    await delay(500);
    // Each panel in an editor group of its own, so all three stay visible (a webview editor cannot
    // be split: splitEditorRight left them as tabs of one group, two hidden), and a fourth group
    // for the debuggee's source, which the debugger reveals at each stop.
    await vscode.commands.executeCommand('vscode.setEditorLayout', { orientation: 0, groups: [{}, {}, {}, {}] });
    for (const [i, child] of children.entries()) {
      const sample = api.sampleProcess(child.pid as number);
      if (!sample.ok) {
        throw new Error(`cannot read ${child.pid}`);
      }
      api.panels.show(sample.value.identity)?.panel.reveal((i + 1) as vscode.ViewColumn, true);
      await delay(200);
    }
    for (let waited = 0; !api.panels.open.every((open) => open.panel.visible) && waited < 30_000; waited += 100) {
      await delay(100);
    }
    log(`${api.panels.open.filter((open) => open.panel.visible).length} of ${api.panels.open.length} panels visible`);
    // A debug session whose program stops now and then (every 20 s), for stops, tips and markers.
    const program = path.join(dir, 'soak.js');
    writeFileSync(
      program,
      `let held = []; setInterval(() => { held.push(Buffer.alloc(1 << 20, 1)); if (held.length > 16) held = []; }, 200);\nsetInterval(() => { debugger; }, 20000);\n`,
    );
    // Open in the fourth group already, where the debugger then shows each stop.
    await vscode.window.showTextDocument(vscode.Uri.file(program), { viewColumn: vscode.ViewColumn.Four });
    await vscode.commands.executeCommand('procMemory.debugView.focus');
    await vscode.debug.startDebugging(undefined, {
      type: 'node',
      request: 'launch',
      name: 'soak',
      program,
      console: 'internalConsole',
    });
    // Continue from every stop, as a user stepping through would (after a moment).
    const tracker = vscode.debug.registerDebugAdapterTrackerFactory('*', {
      createDebugAdapterTracker: (session) => ({
        onDidSendMessage: (message: { type?: string; event?: string; body?: { threadId?: number } }) => {
          if (message.type === 'event' && message.event === 'stopped') {
            setTimeout(
              () =>
                void session
                  .customRequest('continue', { threadId: message.body?.threadId ?? 0 })
                  .then(undefined, () => undefined),
              1000,
            );
          }
        },
      }),
    });

    const minutes: Minute[] = [];
    let cpu = process.cpuUsage();
    let wall = performance.now();
    for (let minute = 1; minute <= MINUTES; minute++) {
      await delay(60_000);
      const used = process.cpuUsage(cpu);
      const elapsed = performance.now() - wall;
      cpu = process.cpuUsage();
      wall = performance.now();
      const markers = api.debugSessions.all.reduce(
        (sum, entry) => sum + (entry.identity ? api.markers.of(entry.identity).length : 0),
        0,
      );
      const sample: Minute = {
        minute,
        cpuPercent: ((used.user + used.system) / 1000 / elapsed) * 100,
        rssBytes: process.memoryUsage().rss,
        resources: process.getActiveResourcesInfo().length,
        markers,
      };
      minutes.push(sample);
      log(
        `minute ${minute}: host CPU ${sample.cpuPercent.toFixed(2)} %, host RSS ${(sample.rssBytes / 1048576).toFixed(1)} MiB, Node resources ${sample.resources}, markers of the debuggee ${sample.markers}`,
      );
    }
    tracker.dispose();
    // After the buffers are full: no drift beyond the margin, and resources not growing.
    const full = minutes.filter((sample) => sample.minute > HISTORY_MINUTES + 1);
    if (full.length >= 2) {
      const rssDrift = full[full.length - 1].rssBytes - full[0].rssBytes;
      const resourceDrift = full[full.length - 1].resources - full[0].resources;
      log(
        `after the buffers filled (minute ${full[0].minute} to ${full[full.length - 1].minute}): host RSS ${rssDrift >= 0 ? '+' : ''}${(rssDrift / 1048576).toFixed(1)} MiB, Node resources ${resourceDrift >= 0 ? '+' : ''}${resourceDrift}`,
      );
      if (rssDrift > RSS_MARGIN_BYTES || resourceDrift > 5) {
        failed = 1;
        log('FAIL: the host kept growing after its buffers were full');
      }
    } else {
      log(`too short to judge drift (${MINUTES} min; the buffers fill after ${HISTORY_MINUTES + 1})`);
    }
  } catch (error) {
    failed = 1;
    log(`FAIL: ${error instanceof Error ? error.stack : String(error)}`);
  } finally {
    for (const session of [vscode.debug.activeDebugSession].filter(Boolean)) {
      await vscode.debug.stopDebugging(session);
    }
    for (const child of children) {
      child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
    console.log(`INTEGRATION-RESULT passed=${1 - failed} failed=${failed} pending=0`);
  }
  if (failed) {
    throw new Error('soak failed');
  }
}
