// Inspect panels in a real extension host: the PID argument, one panel per process, export,
// restore after reload (through the real serializer), and a reused PID never restored.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ProcMemoryApi } from '../../src/extension';
import type { InspectPanel } from '../../src/inspectPanel';
import type { SampleEvent } from '../../src/proc/sampler';
import { spawn } from 'node:child_process';
import type { ToInspectPanel } from '../../shared/protocol/inspect';
import { QUIET_MESSAGE_MS } from '../../shared/protocol/quietMessages';
import { Allocator, closeAllEditors, procMemoryApi, setSetting, startAllocator, statmBytes, waitFor } from './helpers';

describe('inspect panel', function () {
  this.timeout(60000);
  let api: ProcMemoryApi;
  let allocator: Allocator;

  before(async () => {
    api = await procMemoryApi();
  });

  beforeEach(async () => {
    allocator = await startAllocator(24);
  });

  afterEach(async () => {
    await closeAllEditors();
    api.focus.stopWatching();
    await allocator.kill();
  });

  it('opens for a PID argument and shows the figures /proc reports', async () => {
    const panel = (await vscode.commands.executeCommand('procMemory.inspectProcess', allocator.pid)) as InspectPanel;
    assert.ok(panel, 'the command returns the panel');
    assert.equal(panel.identity.pid, allocator.pid);
    // The allocator idles, so a reading soon equals what /proc says now, to the byte.
    await waitFor('RES, VIRT and SHR equal to /proc', () => {
      const snapshot = panel.lastSnapshot;
      const statm = statmBytes(allocator.pid);
      return (
        snapshot &&
        snapshot.resBytes === statm.res &&
        snapshot.virtBytes === statm.virt &&
        snapshot.shrBytes === statm.shr
      );
    });
    await waitFor('PSS from smaps_rollup', () => 'bytes' in panel.lastSnapshot!.pss);
  });

  it('rejects a PID argument that is not a PID, without opening anything', async () => {
    const result = await vscode.commands.executeCommand('procMemory.inspectProcess', '<script>');
    assert.equal(result, undefined);
    assert.equal(api.panels.open.length, 0);
  });

  it('reveals the existing panel instead of opening a second one', async () => {
    const first = await vscode.commands.executeCommand('procMemory.inspectProcess', allocator.pid);
    const second = await vscode.commands.executeCommand('procMemory.inspectProcess', allocator.pid);
    assert.equal(first, second);
    assert.equal(api.panels.open.filter((panel) => panel.identity.pid === allocator.pid).length, 1);
  });

  it('freezes on exit and still exports its history as CSV and JSON', async () => {
    const panel = (await vscode.commands.executeCommand('procMemory.inspectProcess', allocator.pid)) as InspectPanel;
    await waitFor('two readings', () => (api.sampler.history(panel.identity)?.length ?? 0) >= 2, 10000);
    await allocator.kill();
    await waitFor('the ended state', () => panel.isEnded);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'proc-memory-export-'));
    const csvUri = await panel.exportHistory('csv', vscode.Uri.file(path.join(dir, 'history.csv')));
    const csv = readFileSync(csvUri!.fsPath, 'utf8').trim().split('\n');
    assert.equal(csv[0], 'time,time_ms,res_bytes,shr_bytes,virt_bytes');
    assert.ok(csv.length >= 3, 'header and at least two samples');
    const [, timeMs, res] = csv[1].split(',');
    assert.ok(Number(timeMs) > 0 && Number(res) > 24 * 1024 * 1024);
    const jsonUri = await panel.exportHistory('json', vscode.Uri.file(path.join(dir, 'history.procmem.json')));
    const json = JSON.parse(readFileSync(jsonUri!.fsPath, 'utf8'));
    assert.equal(json.schema, 'proc-memory/recording');
    assert.equal(json.version, 1);
    assert.equal(json.process.pid, allocator.pid);
    // The same samples as the CSV, as columns.
    const rows = csv.slice(1).map((line) => line.split(',').map(Number));
    assert.deepEqual(
      json.samples.timeMs,
      rows.map((row) => row[1]),
    );
    assert.deepEqual(
      json.samples.res,
      rows.map((row) => row[2]),
    );
    assert.deepEqual(
      json.samples.shr,
      rows.map((row) => row[3]),
    );
    assert.deepEqual(
      json.samples.virt,
      rows.map((row) => row[4]),
    );
    assert.equal(
      json.context.totalRamBytes,
      Number(/^MemTotal:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1]) * 1024,
    );
    rmSync(dir, { recursive: true, force: true });
  });

  it('is restored after a reload for the same process', async () => {
    const identity = api.sampleProcess(allocator.pid);
    assert.ok(identity.ok);
    const webviewPanel = vscode.window.createWebviewPanel('procMemory.inspect', 'restoring', vscode.ViewColumn.Active);
    await api.panels.deserializeWebviewPanel(webviewPanel, { process: { ...identity.value.identity, name: 'node' } });
    const restored = api.panels.open.find((panel) => panel.panel === webviewPanel);
    assert.ok(restored);
    assert.equal(restored.isEnded, false);
    await waitFor('live figures', () => restored.lastSnapshot?.resBytes === statmBytes(allocator.pid).res);
  });

  it('is never restored onto another process that reused the PID', async () => {
    const identity = api.sampleProcess(allocator.pid);
    assert.ok(identity.ok);
    const webviewPanel = vscode.window.createWebviewPanel('procMemory.inspect', 'restoring', vscode.ViewColumn.Active);
    // The saved state names the same PID with an earlier start: the process that had it before.
    await api.panels.deserializeWebviewPanel(webviewPanel, {
      process: { pid: allocator.pid, startTicks: identity.value.identity.startTicks - 1, name: 'old' },
    });
    const restored = api.panels.open.find((panel) => panel.panel === webviewPanel);
    assert.ok(restored);
    assert.equal(restored.isEnded, true);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(restored.lastSnapshot, undefined, 'no figures of the new process');
  });

  it('ignores a saved state it did not write', async () => {
    const webviewPanel = vscode.window.createWebviewPanel('procMemory.inspect', 'restoring', vscode.ViewColumn.Active);
    const disposed = new Promise((resolve) => webviewPanel.onDidDispose(resolve));
    await api.panels.deserializeWebviewPanel(webviewPanel, { process: { pid: '1; rm -rf /', startTicks: 1 } });
    await disposed;
  });

  it('tells the page of a reading when something changed, and at least every QUIET_MESSAGE_MS while nothing does', async () => {
    // Each message costs the host a round trip to the workbench: an idle process's readings at
    // 250 ms are held back (QUIET_MESSAGE_MS), a change goes at once with the time the quiet ended.
    api.focus.stopWatching();
    await setSetting('sampleIntervalMs', 250);
    const sleeper = spawn('sleep', ['120'], { stdio: 'ignore' });
    try {
      // Asleep, past its exec: a first reading taken mid-exec makes a slope that changes the
      // trend's words at every reading for a while (news, rightly), and the count below fails.
      await waitFor('sleep asleep', () => /\(sleep\) S /.test(readFileSync(`/proc/${sleeper.pid}/stat`, 'utf8')));
      const quiet = (await vscode.commands.executeCommand('procMemory.inspectProcess', sleeper.pid)) as InspectPanel;
      const samples = recordSamples(quiet);
      const history = () => api.sampler.history(quiet.identity)?.length ?? 0;
      await waitFor('the first sample on the page', () => samples.length > 0, 20000);
      const [readingsBefore, sentBefore] = [history(), samples.length];
      const windowMs = QUIET_MESSAGE_MS + 1000;
      await new Promise((resolve) => setTimeout(resolve, windowMs));
      const readings = history() - readingsBefore;
      const sent = samples.slice(sentBefore);
      assert.ok(
        readings >= (windowMs / 250) * 0.5,
        `the host still reads every 250 ms: ${readings} readings in ${windowMs} ms`,
      );
      assert.ok(sent.length >= 1, `told at least every ${QUIET_MESSAGE_MS} ms`);
      assert.ok(
        sent.length <= readings / 3,
        `${sent.length} messages for ${readings} readings of a sleeping process: ${JSON.stringify(sent.map((sample) => [Object.keys(sample.snapshot), sample.trendPerMinute, sample.snapshot.faults]))}`,
      );
      const times = samples.map((sample) => sample.timeMs);
      const gaps = times.slice(1).map((time, i) => time - times[i]);
      assert.ok(Math.max(...gaps) <= QUIET_MESSAGE_MS + 1000, `gaps between messages ${gaps.join(', ')} ms`);

      // A reading that failed while the process lives shows a problem on the page; the next good
      // reading takes it away at once, not with the next quiet message. Injected: nothing real
      // makes a live process's stat fail on demand (a test has every permission here).
      // Right after a message, so that the next quiet one is QUIET_MESSAGE_MS away.
      const quietSent = samples.length;
      await waitFor('a message', () => samples.length > quietSent, QUIET_MESSAGE_MS + 5000);
      const sentBeforeProblem = samples.length;
      const problemAt = Date.now();
      (quiet as unknown as { onSample(event: SampleEvent): void }).onSample({
        identity: quiet.identity,
        outcome: { ok: false, error: { kind: 'io-error', detail: 'EIO reading status (injected by the test)' } },
        lastSample: undefined,
        history: api.sampler.history(quiet.identity)!,
        ended: false,
      });
      await waitFor('the next good reading on the page', () => samples.length > sentBeforeProblem, 5000);
      assert.ok(Date.now() - problemAt < 1500, `the problem shown for ${Date.now() - problemAt} ms after it passed`);

      // Read now: the user waits for it, so its rows go at once, even the same rows as before.
      const mappingsReadAt = () =>
        samples
          .map((sample) => sample.snapshot.mappings)
          .filter((figure) => figure && 'readAtMs' in figure)
          .at(-1);
      const shownRead = mappingsReadAt();
      const asked = Date.now();
      await (quiet as unknown as { channel: { receive(raw: unknown): Promise<void> } }).channel.receive({
        type: 'readMappings',
      });
      const fresh = await waitFor('the rows of the read asked for', () => {
        const figure = mappingsReadAt();
        return figure && figure !== shownRead && 'readAtMs' in figure && figure.readAtMs >= asked - 5
          ? figure
          : undefined;
      });
      assert.ok(Date.now() - asked < 2000, `sent ${Date.now() - asked} ms after the ask`);
      assert.ok('kinds' in fresh);
      await closeAllEditors();

      // A change is sent at the reading that sees it, with the last quiet reading before it.
      const panel = (await vscode.commands.executeCommand('procMemory.inspectProcess', allocator.pid)) as InspectPanel;
      const growing = recordSamples(panel);
      await waitFor('the first sample on the page', () => growing.length > 0, 20000);
      const start = growing.length;
      await waitFor(
        'a message after readings held back',
        () => growing.slice(start).some((sample) => sample.sameUntilMs !== undefined),
        QUIET_MESSAGE_MS + 5000,
      );
      await allocator.grow(16);
      const grown = statmBytes(allocator.pid).res;
      const step = await waitFor('the sample with the new RES', () =>
        growing.slice(start).find((sample) => (sample.snapshot.resBytes ?? 0) >= grown - 1024 * 1024),
      );
      assert.ok(
        step.sameUntilMs === undefined || step.sameUntilMs < step.timeMs,
        `the quiet readings end before the change: ${step.sameUntilMs} < ${step.timeMs}`,
      );
    } finally {
      sleeper.kill('SIGKILL');
      await setSetting('sampleIntervalMs', undefined);
    }
  });

  it('stops polling when the panel is hidden and resumes with its history when shown', async () => {
    const panel = (await vscode.commands.executeCommand('procMemory.inspectProcess', allocator.pid)) as InspectPanel;
    api.focus.stopWatching(); // the status bar would keep polling this process otherwise
    await waitFor('readings', () => (api.sampler.history(panel.identity)?.length ?? 0) >= 2, 10000);
    await vscode.commands.executeCommand('workbench.action.files.newUntitledFile');
    await waitFor('no polling while hidden', () => !api.sampler.isPolling, 5000);
    panel.reveal();
    await waitFor('polling again', () => api.sampler.isPolling, 5000);
    await waitFor('history kept', () => (api.sampler.history(panel.identity)?.length ?? 0) >= 3, 10000);
  });
});

type SampleMessage = Extract<ToInspectPanel, { type: 'sample' }>;

/** The sample messages the panel posts to its page from now on (its webview's postMessage, wrapped). */
function recordSamples(panel: InspectPanel): SampleMessage[] {
  const samples: SampleMessage[] = [];
  const webview = panel.panel.webview;
  const post = webview.postMessage.bind(webview);
  webview.postMessage = (message: ToInspectPanel) => {
    if (message.type === 'sample') {
      samples.push(JSON.parse(JSON.stringify(message)) as SampleMessage);
    }
    return post(message);
  };
  return samples;
}
