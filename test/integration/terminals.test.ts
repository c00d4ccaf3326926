// The status bar follows what the active terminal runs: a real bash in the integrated terminal,
// an allocator started with sendText; the entry shows the allocator (not the shell) within two
// polls, and the shell again within two polls of its exit.
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ProcMemoryApi } from '../../src/extension';
import { visibleText } from '../../src/core/textEscapes';
import { terminalCommandItems } from '../../src/terminals/terminalItems';
import { procMemoryApi, readPid, setSetting, shellTask, statmBytes, waitFor } from './helpers';
import { formatBytes } from '../../shared/format';
import { terminalForeground } from '../../src/proc/terminalForeground';
import type { TerminalRow } from '../../shared/protocol/debugView';

/** `figure` summed over `pid` and every descendant, by the test's own walk of /proc/PID/task/TID/children. */
function treeSum(pid: number, figure: (pid: number) => number): number {
  let sum = figure(pid);
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const children = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
    for (const child of children ? children.split(/\s+/).map(Number) : []) {
      sum += treeSum(child, figure);
    }
  }
  return sum;
}

/** Pss of smaps_rollup, in bytes. */
function pssBytes(pid: number): number {
  return Number(/\nPss:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1]) * 1024;
}

describe('terminals', function () {
  this.timeout(120000);
  let api: ProcMemoryApi;
  const rowOf = (terminal: vscode.Terminal): TerminalRow | undefined =>
    api.debugView.terminals.rows.find((row) => row.index === vscode.window.terminals.indexOf(terminal) + 1);
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
    // The terminal of the test before, or one of its own when run alone.
    terminal ??= vscode.window.createTerminal({ shellPath: '/bin/bash', shellArgs: ['--norc', '--noprofile'] });
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

  it('the Process Memory view lists a terminal that runs a command, with its tree as /proc sums it; none while hidden', async () => {
    const view = api.debugView.terminals;
    const own = vscode.window.createTerminal({
      name: 'tree \u001b[31m',
      shellPath: '/bin/bash',
      shellArgs: ['--norc', '--noprofile'],
    });
    try {
      own.show();
      const shellPid = await own.processId;
      assert.ok(shellPid);
      await vscode.commands.executeCommand('procMemory.debugView.focus');
      await waitFor('the view reading terminals', () => view.isReading);
      // Idle at its prompt (tpgid is the shell's own group): no row.
      await waitFor('the shell at its prompt', () => terminalForeground(shellPid).kind === 'shell');
      const readsAtPrompt = view.reads;
      await waitFor('a read of the idle shell', () => view.reads > readsAtPrompt + 1);
      assert.equal(rowOf(own), undefined, JSON.stringify(view.rows));

      // A parent (32 MiB) with two children (80 and 16 MiB): a tree of three.
      const pidFile = path.join(dir, 'tree.json');
      const stopFile = path.join(dir, 'tree.stop');
      const program = path.join(dir, 'tree.js');
      writeFileSync(pidFile, '');
      writeFileSync(
        program,
        `const { spawn } = require('child_process');
        const fs = require('fs');
        const held = Buffer.alloc(32 * 1048576, 1);
        const child = (mib) => spawn(process.execPath, ['-e', \`const b = Buffer.alloc(\${mib} * 1048576, 1); console.log('ready'); setInterval(() => b[0]++, 1000)\`], { stdio: ['ignore', 'pipe', 'inherit'] });
        const big = child(80), small = child(16);
        let ready = 0;
        for (const c of [big, small]) c.stdout.once('data', () => { if (++ready === 2) fs.writeFileSync(${JSON.stringify(pidFile)}, JSON.stringify({ parent: process.pid, big: big.pid, small: small.pid })); });
        setInterval(() => { if (fs.existsSync(${JSON.stringify(stopFile)})) { big.kill(); small.kill(); process.exit(0); } }, 50);`,
      );
      own.sendText(`'${process.execPath}' '${program}' $'\\x1b[31m' '[x](command:y)'`, true);
      const pids = await waitFor(
        'the tree to start',
        () => {
          const text = readFileSync(pidFile, 'utf8');
          return text ? (JSON.parse(text) as { parent: number; big: number; small: number }) : undefined;
        },
        30000,
      );
      // The row's RES and PSS sums against the test's own walk of /proc (statm and smaps_rollup of
      // every descendant), read around the same moment: an idle Node moves by a few pages, so within 1 %.
      let ownSum = { res: 0, pss: 0 };
      const near = (value: number, expected: number) => Math.abs(value - expected) <= expected * 0.01;
      const row = await waitFor(
        'a row whose tree RES and PSS match /proc',
        () => {
          const found = rowOf(own);
          ownSum = { res: treeSum(pids.parent, (pid) => statmBytes(pid).res), pss: treeSum(pids.parent, pssBytes) };
          return (
            found?.processes === 3 && near(found.resBytes, ownSum.res) && near(found.pssBytes, ownSum.pss) && found
          );
        },
        30000,
      ).catch((error: Error) => {
        throw new Error(`${error.message}: row ${JSON.stringify(rowOf(own))}, /proc says ${JSON.stringify(ownSum)}`);
      });
      assert.equal(row.pid, pids.parent);
      assert.equal(row.index, vscode.window.terminals.indexOf(own) + 1);
      assert.equal(row.terminal, 'tree \\x1b[31m');
      assert.equal(row.commandSource, 'proc');
      assert.equal(row.commandLine, `${process.execPath} ${program} \\x1b[31m [x](command:y)`);
      assert.ok(ownSum.res > 128 * 1048576 && ownSum.pss > 100 * 1048576, JSON.stringify(ownSum));
      assert.equal(row.largest?.pid, pids.big, JSON.stringify(row.largest));
      assert.equal(row.largest?.figure, 'PSS');

      // Hidden: nothing read.
      await vscode.commands.executeCommand('workbench.view.explorer');
      await waitFor('the view to stop reading', () => !view.isReading);
      const readsHidden = view.reads;
      // Two polls of the status bar's follower (same interval) pass meanwhile.
      const ticks = api.terminals.ticks;
      await waitFor('two polls of the status bar', () => api.terminals.ticks >= ticks + 2);
      assert.equal(view.reads, readsHidden, 'terminals were read while the view was hidden');

      writeFileSync(stopFile, '');
      await waitFor('the tree to exit', () => !existsSync(`/proc/${pids.parent}`));
      await vscode.commands.executeCommand('procMemory.debugView.focus');
      await waitFor('the view reading terminals again', () => view.isReading);
      await waitFor('the shell at its prompt again', () => terminalForeground(shellPid).kind === 'shell');
      const readsAfter = view.reads;
      await waitFor('a read after the exit', () => view.reads > readsAfter + 1);
      assert.equal(rowOf(own), undefined, JSON.stringify(view.rows));

      // The view still visible, its last terminal closed: no interval wakes the host for nothing.
      assert.ok(view.isPolling);
      own.dispose();
      await waitFor('no terminal, no interval', () => vscode.window.terminals.length === 0 && !view.isPolling);
      assert.ok(view.isReading);
    } finally {
      own.dispose();
    }
  });

  it('takes the command line from shell integration where the shell reports it, the process from tpgid', async () => {
    api.focus.stopWatching();
    // bash without arguments: VS Code injects its shell integration script.
    const own = vscode.window.createTerminal({ name: 'integrated', shellPath: '/bin/bash' });
    try {
      own.show();
      await waitFor('shell integration to activate', () => own.shellIntegration, 30000);
      await vscode.commands.executeCommand('procMemory.debugView.focus');
      const pidFile = path.join(dir, 'integrated.pid');
      const stopFile = path.join(dir, 'integrated.stop');
      const program = path.join(dir, 'integrated.js');
      writeFileSync(pidFile, '');
      writeFileSync(
        program,
        `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));
        const b = Buffer.alloc(24 * 1048576, 1);
        setInterval(() => { if (require('fs').existsSync(${JSON.stringify(stopFile)})) process.exit(0); }, 50);`,
      );
      // A pipeline: the shell reports the line as typed; /proc has only node's own arguments.
      const typed = `'${process.execPath}' '${program}' --label  "a  b" | cat`;
      own.sendText(typed, true);
      const pid = await waitFor('the program to start', () => readPid(pidFile), 30000);
      const row = await waitFor('its row, with the line the shell reported', () => {
        const found = rowOf(own);
        return found?.pid === pid && found.commandSource === 'shell' && found;
      });
      assert.equal(row.commandLine, typed);
      await waitFor('the status bar on it', () => api.focus.current?.identity.pid === pid);
      await waitFor('the hover with the reported line', () =>
        api.focus.current?.terminal?.describe().startsWith(`Command, as the shell reported it: ${typed}\n`),
      );
      writeFileSync(stopFile, '');
      await waitFor('the program to exit', () => !existsSync(`/proc/${pid}`));
      await waitFor('no row once the shell is back at its prompt', () => rowOf(own) === undefined);
    } finally {
      own.dispose();
    }
  });

  it('a terminal with no process of its own gets a status bar state with the reason', async () => {
    api.focus.stopWatching();
    const write = new vscode.EventEmitter<string>();
    const pty = vscode.window.createTerminal({
      name: 'pty [x](command:y)',
      pty: { onDidWrite: write.event, open: () => write.fire('a pseudoterminal\r\n'), close: () => undefined },
    });
    try {
      pty.show();
      // No process: undefined, or -1 as code-server's extension host says.
      const ptyPid = await pty.processId;
      assert.ok(ptyPid === undefined || ptyPid <= 0, String(ptyPid));
      await waitFor(`the status bar to say it cannot read it (${api.statusBar.state.text})`, () =>
        api.statusBar.state.text.includes('not readable'),
      );
      assert.equal(api.focus.current, undefined);
      assert.match(
        api.statusBar.state.tooltip,
        /^Proc Memory cannot follow terminal "pty \[x\]\(command:y\)": VS Code gives no process for it \(an extension's pseudoterminal/,
      );
      assert.ok(api.statusBar.state.visible);
    } finally {
      pty.dispose();
      write.dispose();
    }
    // Hidden (no process in focus, showWhenIdle off), or showing something else.
    await waitFor(
      'the state to go with the terminal',
      () => !api.statusBar.state.visible || !api.statusBar.state.text.includes('not readable'),
    );
  });

  it("says a finished task's terminal has exited, rather than that it cannot be read", async () => {
    api.focus.stopWatching();
    const label = 'finishes [x](command:y)';
    // It runs until the test has seen the status bar on it: a fixed sleep could end first on a busy machine.
    const stopFile = path.join(dir, 'stop-task');
    const task = shellTask(label, `while [ ! -e '${stopFile}' ]; do sleep 0.1; done`, 'finishes');
    // Shown and kept open when it ends ("Terminal will be reused by tasks"), as tasks run by default.
    task.presentationOptions = { reveal: vscode.TaskRevealKind.Always };
    const ended = new Promise<void>((resolve) => {
      const listener = vscode.tasks.onDidEndTaskProcess((event) => {
        if (event.execution.task.name === label) {
          listener.dispose();
          resolve();
        }
      });
    });
    await vscode.tasks.executeTask(task);
    const shellPid = await waitFor('the status bar on the task', () => {
      const pid = api.focus.current?.reason === 'terminal' && api.focus.current.identity.pid;
      try {
        return pid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(stopFile) && pid;
      } catch {
        return undefined; // another terminal's process that ended meanwhile
      }
    });
    writeFileSync(stopFile, '');
    await ended;
    const taskTerminal = vscode.window.activeTerminal;
    try {
      assert.ok(taskTerminal && taskTerminal.exitStatus === undefined, 'the terminal stays open');
      await waitFor(
        'the status bar to say it exited',
        () => api.statusBar.state.text.endsWith('exited') && api.statusBar.state.text.startsWith('$(terminal)'),
        20000,
      ).catch((error: Error) => {
        throw new Error(`${error.message}: it says "${api.statusBar.state.text}"`);
      });
      assert.equal(api.statusBar.state.text, '$(terminal) $(circle-slash) exited');
      assert.equal(api.focus.current, undefined);
      assert.match(
        api.statusBar.state.tooltip,
        new RegExp(`^Terminal ".*": its process \\(PID \\d+\\) has exited; the terminal stays open until it is closed`),
      );
      console.log(`      the task's shell was PID ${shellPid}; the entry: ${api.statusBar.state.tooltip}`);
    } finally {
      taskTerminal?.dispose();
    }
  });

  it('shows control characters of a command line as text', () => {
    assert.equal(visibleText('a\u001b[31mb\u0007'), 'a\\x1b[31mb\\x07');
  });
});
