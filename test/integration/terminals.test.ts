// The status bar follows what the active terminal runs: a real bash in the integrated terminal,
// an allocator started with sendText; the entry shows the allocator (not the shell) within two
// polls, and the shell again within two polls of its exit.
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ProcMemoryApi } from '../../src/extension';
import { visibleText } from '../../src/terminals/terminalFollower';
import { terminalCommandItems } from '../../src/terminals/terminalItems';
import { procMemoryApi, readPid, setSetting, statmBytes, waitFor } from './helpers';
import { formatBytes } from '../../shared/format';

describe('terminals', function () {
  this.timeout(120000);
  let api: ProcMemoryApi;
  let terminal: vscode.Terminal | undefined;
  let dir: string;

  before(async () => {
    api = await procMemoryApi();
    dir = mkdtempSync(path.join(tmpdir(), 'terminal-'));
    await setSetting('sampleIntervalMs', 500);
  });

  after(async () => {
    terminal?.dispose();
    await setSetting('sampleIntervalMs', undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the command in the active terminal, not its shell, then the shell again when it exits', async () => {
    api.focus.stopWatching();
    terminal = vscode.window.createTerminal({
      name: 'alloc [x](command:y) $(z)',
      shellPath: '/bin/bash',
      shellArgs: ['--norc', '--noprofile'],
    });
    terminal.show();
    const shellPid = await waitFor(
      'the shell',
      () => terminal && api.terminals.state?.kind === 'shell' && api.terminals.state.identity.pid,
    );
    assert.equal(shellPid, await terminal.processId);
    // The entry says "loading" until the shell's first sample arrives (seen in CI under load).
    await waitFor(`the status bar to show bash (${api.statusBar.state.text})`, () =>
      /bash/.test(api.statusBar.state.text),
    );
    const pidFile = path.join(dir, 'alloc.pid');
    const stopFile = path.join(dir, 'stop');
    writeFileSync(pidFile, '');
    // A Node allocator: 96 MiB touched, its PID written, then it waits for the stop file. Its last
    // argument holds an escape sequence, which the hover must show as text.
    const program = path.join(dir, 'alloc.js');
    writeFileSync(
      program,
      `const b = Buffer.alloc(96 * 1048576, 1);
      require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));
      setInterval(() => { if (require('fs').existsSync(${JSON.stringify(stopFile)})) process.exit(0); }, 50);`,
    );
    terminal.sendText(`'${process.execPath}' '${program}' $'\\x1b[31m'`, true);
    const pid = await waitFor('the allocator to start', () => readPid(pidFile), 30000);
    const ticksAtStart = api.terminals.ticks;
    await waitFor(
      'the allocator in focus',
      () => api.focus.current?.identity.pid === pid && api.focus.current.reason === 'terminal',
    );
    assert.ok(api.terminals.ticks - ticksAtStart <= 2, `${api.terminals.ticks - ticksAtStart} polls`);
    await waitFor(`the status bar to show node (${api.statusBar.state.text})`, () =>
      / node /.test(api.statusBar.state.text),
    );
    await waitFor('its RES as /proc says', () => api.statusBar.state.text.endsWith(formatBytes(statmBytes(pid).res)));
    // The hover: the command, the tree's total, the largest member; the escape shown as text.
    const tooltip = api.statusBar.state.tooltip;
    assert.match(tooltip, /in terminal "alloc \\\[x\\\]\\\(command:y\\\) \\\$\\\(z\\\)"/);
    assert.match(tooltip, /Command: .*node .*alloc\\\.js /);
    assert.match(tooltip, /\\\\x1b\\\[31m/);
    assert.match(tooltip, /Its tree: 1 process, PSS/);
    assert.match(tooltip, new RegExp(`Largest: node \\\\\\(PID ${pid}\\\\\\)`));
    // Memory: Inspect Process lists it first, as the command in terminal N.
    const items = await terminalCommandItems();
    const index = vscode.window.terminals.indexOf(terminal) + 1;
    assert.equal(items[0]?.identity.pid, pid);
    assert.equal(items[0]?.label, `$(terminal) the command in terminal ${index}: node`);
    assert.match(items[0]?.description ?? '', new RegExp(`^${pid} · alloc \\[x\\]\\(command:y\\) \\\\\\$\\(z\\)$`));
    writeFileSync(stopFile, '');
    await waitFor('the allocator to exit', () => !existsSync(`/proc/${pid}`));
    const ticksAtExit = api.terminals.ticks;
    await waitFor('the shell in focus again', () => api.focus.current?.identity.pid === shellPid);
    assert.ok(api.terminals.ticks - ticksAtExit <= 2, `${api.terminals.ticks - ticksAtExit} polls`);
    await waitFor('the status bar to show the shell', () => /bash/.test(api.statusBar.state.text));
  });

  it('a debug or watched process comes first, and nothing is polled for terminals then', async () => {
    assert.ok(terminal);
    terminal.show();
    await waitFor('terminal polling', () => api.terminals.isPolling);
    const self = api.sampleProcess(process.pid);
    assert.ok(self.ok);
    api.focus.watch(self.value.identity);
    await waitFor('the watched process in focus', () => api.focus.current?.reason === 'watch');
    assert.equal(api.terminals.isPolling, false);
    api.focus.stopWatching();
    await waitFor('terminal polling again', () => api.terminals.isPolling);
    terminal.dispose();
    terminal = undefined;
    await waitFor(
      'no terminal, no polling',
      () => !api.terminals.isPolling && vscode.window.activeTerminal === undefined,
    );
  });

  it('shows control characters of a command line as text', () => {
    assert.equal(visibleText('a\u001b[31mb\u0007'), 'a\\x1b[31mb\\x07');
  });
});
