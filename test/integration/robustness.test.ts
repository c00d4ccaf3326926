// What users hit and nothing checked, in a real extension host: messages of the wrong shape
// reaching the host, an export that cannot be written, settings below their minimum, a hostile
// process name in the status bar, ten panels at once, and a deactivation that leaves nothing behind.
import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readConfig } from '../../src/contributions';
import type { ProcMemoryApi } from '../../src/extension';
import type { InspectPanel } from '../../src/inspectPanel';
import { Allocator, closeAllEditors, procMemoryApi, setSetting, startAllocator, statmBytes, waitFor } from './helpers';

/** The host's end of the panel's messages, as onDidReceiveMessage calls it. */
function deliver(panel: InspectPanel, message: unknown): Promise<void> {
  return (panel as unknown as { channel: { receive(raw: unknown): Promise<void> } }).channel.receive(message);
}

/** Replaces one function of a vscode namespace for the length of a test; returns the restorer. */
function stub<T extends object, K extends keyof T>(target: T, key: K, replacement: T[K]): () => void {
  const descriptor = Object.getOwnPropertyDescriptor(target, key);
  Object.defineProperty(target, key, {
    value: replacement,
    writable: true,
    configurable: true,
    enumerable: descriptor?.enumerable ?? true,
  });
  return () => {
    if (descriptor) {
      Object.defineProperty(target, key, descriptor);
    } else {
      delete (target as Record<K, unknown>)[key];
    }
  };
}

/** PIDs whose parent is this extension host. */
function ownChildren(): Set<number> {
  const children = new Set<number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid) {
        children.add(Number(entry));
      }
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

/** process.getActiveResourcesInfo() as counts per kind. */
function resourceCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) {
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return counts;
}

describe('robustness', function () {
  this.timeout(120_000);
  let api: ProcMemoryApi;
  let allocators: Allocator[] = [];
  const restorers: (() => void)[] = [];

  before(async () => {
    api = await procMemoryApi();
  });

  afterEach(async () => {
    restorers.splice(0).forEach((restore) => restore());
    await closeAllEditors();
    api.focus.stopWatching();
    await Promise.all(allocators.map((allocator) => allocator.kill()));
    allocators = [];
    await setSetting('sampleIntervalMs', undefined);
    await setSetting('detailIntervalMs', undefined);
    await setSetting('historyMinutes', undefined);
  });

  it('the inspect panel host ignores messages of the wrong shape, and still answers good ones', async () => {
    const allocator = await startAllocator(8);
    allocators.push(allocator);
    const panel = (await vscode.commands.executeCommand('procMemory.inspectProcess', allocator.pid)) as InspectPanel;
    await waitFor('two readings', () => (api.sampler.history(panel.identity)?.length ?? 0) >= 2);
    let dialogs = 0;
    restorers.push(
      stub(vscode.window, 'showSaveDialog', async () => {
        dialogs++;
        return undefined;
      }),
    );
    const bad: unknown[] = [
      undefined,
      null,
      'export',
      42,
      [],
      {},
      { type: 'export' },
      { type: 'export', format: 'exe' },
      { type: 'inspect', pid: 1, startTicks: 0 },
      { type: { type: 'ready' } },
      { type: 'copySnapshot ' },
    ];
    for (const message of bad) {
      await deliver(panel, message);
    }
    assert.equal(dialogs, 0, 'no bad message opened the save dialog');
    assert.equal(api.panels.open.length, 1, 'the panel is still open');
    await deliver(panel, { type: 'export', format: 'csv', path: '/etc/passwd' });
    assert.equal(dialogs, 1, 'a good export opens the save dialog (extra fields dropped)');
  });

  it('export to a path that cannot be written says so, naming the file, and the panel keeps its history', async () => {
    const allocator = await startAllocator(8);
    allocators.push(allocator);
    const panel = (await vscode.commands.executeCommand('procMemory.inspectProcess', allocator.pid)) as InspectPanel;
    await waitFor('three readings', () => (api.sampler.history(panel.identity)?.length ?? 0) >= 3);
    const errors: string[] = [];
    restorers.push(
      stub(vscode.window, 'showErrorMessage', (async (message: string) => {
        errors.push(message);
        return undefined;
      }) as typeof vscode.window.showErrorMessage),
    );
    // /proc takes no new files, not even from root.
    const unwritable = vscode.Uri.file('/proc/proc-memory-export.csv');
    restorers.push(stub(vscode.window, 'showSaveDialog', async () => unwritable));
    const pointsBefore = api.sampler.history(panel.identity)!.length;

    // Through the panel's own message, as the Export button sends it.
    await deliver(panel, { type: 'export', format: 'csv' });
    await waitFor('an error message', () => errors.length === 1);
    assert.match(errors[0], /^Could not export the memory history to \/proc\/proc-memory-export\.csv: /);
    // And through the API.
    assert.equal(await panel.exportHistory('json', unwritable), undefined);
    await waitFor('a second error message', () => errors.length === 2);

    assert.equal(api.panels.open.length, 1, 'the panel stays open');
    assert.ok(api.sampler.history(panel.identity)!.length >= pointsBefore, 'nothing lost from the history');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'proc-memory-export-'));
    try {
      const saved = await panel.exportHistory('csv', vscode.Uri.file(path.join(dir, 'ok.csv')));
      assert.ok(saved, 'a writable path still works');
      const rows = readFileSync(saved.fsPath, 'utf8').trim().split('\n').length - 1;
      assert.ok(rows >= pointsBefore, `${rows} rows, ${pointsBefore} points before the failed exports`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('settings below their minimum are clamped (250 ms, 1000 ms, 1 minute)', async () => {
    await setSetting('sampleIntervalMs', 1);
    await setSetting('detailIntervalMs', -5);
    await setSetting('historyMinutes', 0);
    assert.equal(readConfig('sampleIntervalMs'), 250);
    assert.equal(readConfig('detailIntervalMs'), 1000);
    assert.equal(readConfig('historyMinutes'), 1);
    await setSetting('sampleIntervalMs', 'fast');
    assert.equal(readConfig('sampleIntervalMs'), 1000, 'not a number: the default');
    await setSetting('sampleIntervalMs', 1);
    // What the running sampler uses, and what it does: about four reads a second, not a thousand.
    const settings = () =>
      (api.sampler as unknown as { settings: { intervalMs: number; detailIntervalMs: number; historyMinutes: number } })
        .settings;
    await waitFor(
      'the sampler to take the clamped settings',
      () => settings().intervalMs === 250 && settings().historyMinutes === 1,
    );
    assert.equal(settings().detailIntervalMs, 1000);
    const allocator = await startAllocator(4);
    allocators.push(allocator);
    const identity = api.sampleProcess(allocator.pid);
    assert.ok(identity.ok);
    api.focus.watch(identity.value.identity);
    await waitFor('a history', () => api.sampler.history(identity.value.identity));
    const history = api.sampler.history(identity.value.identity)!;
    assert.equal(history.capacity, Math.ceil(60_000 / 250) + 1, 'one minute of 250 ms readings');
    const start = history.length;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.ok(history.length - start <= 5, `${history.length - start} readings in one second`);
  });

  it('a hostile process name stays text in the status bar entry and its tooltip (no Markdown, no $(icon))', async () => {
    const comm = '[$(bug)](x)<b>*'; // 15 bytes: the most a comm holds
    const child: ChildProcess = spawn(
      process.execPath,
      [
        '-e',
        `require('fs').writeFileSync('/proc/self/comm', ${JSON.stringify(comm)}); console.log('ready'); setInterval(() => {}, 1 << 30);`,
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      },
    );
    allocators.push({
      child,
      pid: child.pid!,
      grow: async () => undefined,
      kill: async () => void (child.exitCode === null && child.kill('SIGKILL')),
    });
    let out = '';
    child.stdout?.on('data', (data) => (out += String(data)));
    await waitFor('the child to rename itself', () => out.includes('ready'));
    assert.equal(readFileSync(`/proc/${child.pid}/comm`, 'utf8').trim(), comm);
    const sample = api.sampleProcess(child.pid!);
    assert.ok(sample.ok);
    api.focus.watch(sample.value.identity);
    await waitFor('a reading in the status bar', () => api.statusBar.state.text.includes('MiB'));
    const { text, tooltip } = api.statusBar.state;

    // The entry's text: `$(` only in our own icon, the name's escaped.
    assert.ok(text.startsWith('$(pulse) '), text);
    assert.equal(text.slice('$(pulse) '.length).match(/(^|[^\\])\$\(/g), null, `an unescaped $( in ${text}`);
    // The tooltip's first line holds the name. Every Markdown or icon character of it must be
    // escaped, and unescaping must give the name back exactly.
    const firstLine = tooltip.split('\n')[0];
    const nameMarkdown = /^\*\*(.*)\*\* · PID \d+/.exec(firstLine)?.[1];
    assert.ok(nameMarkdown !== undefined, firstLine);
    for (let i = 0; i < nameMarkdown.length; i++) {
      const char = nameMarkdown[i];
      if (char === '\\') {
        i++;
        continue;
      }
      assert.ok(!'[]()$*_`<>!'.includes(char), `unescaped ${JSON.stringify(char)} at ${i} in ${nameMarkdown}`);
    }
    const unescaped = nameMarkdown.replace(/&lt;/g, '<').replace(/\\(.)/g, '$1');
    assert.equal(unescaped, comm);
    assert.ok(!/\]\(x\)/.test(tooltip.replace(/\\./g, '')), 'no link made of the name');
  });

  it('ten panels at once: each shows its own process as /proc reports it, and only visible ones are read', async () => {
    allocators = await Promise.all(Array.from({ length: 10 }, (_, i) => startAllocator(2 + i)));
    const panels: InspectPanel[] = [];
    for (const allocator of allocators) {
      panels.push((await vscode.commands.executeCommand('procMemory.inspectProcess', allocator.pid)) as InspectPanel);
    }
    assert.equal(new Set(panels).size, 10);
    assert.equal(api.panels.open.length, 10);
    assert.deepEqual(
      new Set(panels.map((panel) => panel.identity.pid)),
      new Set(allocators.map((allocator) => allocator.pid)),
    );
    for (const [i, panel] of panels.entries()) {
      panel.reveal();
      await waitFor(`panel ${i} to equal /proc for its own process`, () => {
        const snapshot = panel.lastSnapshot;
        const statm = statmBytes(allocators[i].pid);
        return (
          snapshot?.pid === allocators[i].pid && snapshot.resBytes === statm.res && snapshot.virtBytes === statm.virt
        );
      });
      // One editor group: one panel visible at a time. Read: its process, and the status bar's
      // (the last process inspected), nothing else.
      const expected = () =>
        [...new Set([allocators[i].pid, api.focus.current?.identity.pid ?? allocators[i].pid])].sort();
      await waitFor(
        'only the visible panel and the status bar read',
        () => JSON.stringify(api.sampler.watched.map((identity) => identity.pid).sort()) === JSON.stringify(expected()),
      ).catch((error: Error) => {
        throw new Error(
          `${error.message}: panel ${i} (PID ${allocators[i].pid}) visible ${panel.panel.visible}; watched ${JSON.stringify(api.sampler.watched.map((identity) => identity.pid))}; visible panels ${JSON.stringify(panels.filter((other) => other.panel.visible).map((other) => other.identity.pid))}; subscribed ${JSON.stringify(panels.filter((other) => (other as unknown as { subscription: { value?: unknown } }).subscription.value).map((other) => other.identity.pid))}; all ${JSON.stringify(panels.map((other) => other.identity.pid))}`,
        );
      });
    }
    await closeAllEditors();
    await waitFor('every panel closed', () => api.panels.open.length === 0);
    api.focus.stopWatching();
    await waitFor('the sampler to stop', () => !api.sampler.isPolling);
  });

  it('deactivation leaves no timer, listener, registration or child process behind', async () => {
    // A second instance of the extension, activated here on a context of our own and disposed as
    // VS Code does on deactivation (context.subscriptions). What it registers with VS Code is
    // counted through wrappers; what Node holds (timers, handles) through getActiveResourcesInfo.
    const { activate, deactivate } = (await import('../../src/extension')) as typeof import('../../src/extension');
    const live = new Set<string>();
    let serial = 0;
    const track = (what: string, disposable: vscode.Disposable): vscode.Disposable => {
      const id = `${what}#${serial++}`;
      live.add(id);
      return {
        dispose: () => {
          live.delete(id);
          disposable.dispose();
        },
      };
    };
    const noop = { dispose: () => undefined };
    // Registrations that would clash with the real instance's are recorded, not made.
    restorers.push(
      stub(vscode.commands, 'registerCommand', ((id: string) =>
        track(`command ${id}`, noop)) as typeof vscode.commands.registerCommand),
    );
    restorers.push(
      stub(vscode.window, 'registerWebviewPanelSerializer', ((id: string) =>
        track(`serializer ${id}`, noop)) as typeof vscode.window.registerWebviewPanelSerializer),
    );
    restorers.push(
      stub(vscode.window, 'registerWebviewViewProvider', ((id: string) =>
        track(`view ${id}`, noop)) as typeof vscode.window.registerWebviewViewProvider),
    );
    restorers.push(
      stub(vscode.window, 'registerCustomEditorProvider', ((id: string) =>
        track(`custom editor ${id}`, noop)) as typeof vscode.window.registerCustomEditorProvider),
    );
    // Event listeners are real, and counted.
    for (const [name, namespace] of [
      ['window', vscode.window],
      ['workspace', vscode.workspace],
      ['debug', vscode.debug],
    ] as const) {
      for (const key of Object.keys(namespace) as (keyof typeof namespace)[]) {
        if (!/^on(Did|Will)/.test(String(key)) || !Object.getOwnPropertyDescriptor(namespace, key)?.configurable) {
          continue;
        }
        const event = namespace[key] as unknown;
        if (typeof event !== 'function') {
          continue;
        }
        const wrapped = (...args: unknown[]) =>
          track(`${name}.${String(key)}`, (event as (...a: unknown[]) => vscode.Disposable)(...args));
        restorers.push(stub(namespace as Record<string, unknown>, String(key), wrapped));
      }
    }
    const createStatusBarItem = vscode.window.createStatusBarItem;
    restorers.push(
      stub(vscode.window, 'createStatusBarItem', ((...args: Parameters<typeof vscode.window.createStatusBarItem>) => {
        const item = (createStatusBarItem as (...a: unknown[]) => vscode.StatusBarItem)(...args);
        const tracked = track('status bar item', { dispose: () => undefined });
        const dispose = item.dispose.bind(item);
        item.dispose = () => {
          tracked.dispose();
          dispose();
        };
        return item;
      }) as typeof vscode.window.createStatusBarItem),
    );

    const childrenBefore = ownChildren();
    const resourcesBefore = resourceCounts();
    const subscriptions: vscode.Disposable[] = [];
    const memento = new Map<string, unknown>();
    const context = {
      subscriptions,
      extensionUri: vscode.Uri.file(path.resolve(__dirname, '..', '..', '..')),
      globalStorageUri: vscode.Uri.file(path.join(os.tmpdir(), 'proc-memory-second-instance')),
      workspaceState: {
        get: (key: string, fallback?: unknown) => (memento.has(key) ? memento.get(key) : fallback),
        update: async (key: string, value: unknown) => void memento.set(key, value),
        keys: () => [...memento.keys()],
      },
    } as unknown as vscode.ExtensionContext;
    const second = activate(context);
    restorers.splice(0).forEach((restore) => restore()); // later registrations are the real instance's

    // Make it work: a watched process (status bar and sampler timer running).
    const allocator = await startAllocator(4);
    allocators.push(allocator);
    const sample = second.sampleProcess(allocator.pid);
    assert.ok(sample.ok);
    second.focus.watch(sample.value.identity);
    await waitFor(
      'the second instance to poll',
      () => second.sampler.isPolling && second.statusBar.state.text.includes('MiB'),
    );
    assert.ok(live.size > 0, 'registrations were counted');
    assert.ok((resourceCounts().get('Timeout') ?? 0) >= 1, 'its timer shows in getActiveResourcesInfo');

    await allocator.kill();
    allocators = [];
    for (const subscription of subscriptions.splice(0)) {
      subscription.dispose();
    }
    deactivate();
    assert.deepEqual([...live], [], 'every registration and listener disposed');
    assert.equal(second.sampler.isPolling, false, 'no sampler timer');
    // Node's view: no more timers or handles than before (other code in this host may come and go).
    await waitFor(
      'the resources to be back where they were',
      () => {
        const now = resourceCounts();
        return [...now].every(([kind, count]) => count <= (resourcesBefore.get(kind) ?? 0));
      },
      10_000,
    ).catch((error: Error) => {
      throw new Error(
        `${error.message}: before ${JSON.stringify([...resourcesBefore])}, after ${JSON.stringify([...resourceCounts()])}`,
      );
    });
    const childrenAfter = [...ownChildren()].filter((pid) => !childrenBefore.has(pid));
    assert.deepEqual(childrenAfter, [], 'no child process left');
  });
});
