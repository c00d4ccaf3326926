// Shared by the integration tests: the extension's API, real child processes, waiting.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { ProcMemoryApi } from '../../src/extension';
import { skipBecause } from '../skip';

export async function procMemoryApi(): Promise<ProcMemoryApi> {
  const extension = vscode.extensions.getExtension<ProcMemoryApi>('proc-memory.proc-memory');
  if (!extension) {
    throw new Error('proc-memory.proc-memory is not loaded');
  }
  return extension.activate();
}

/** The PID a test program wrote to `file`, once it is there in full (the file exists, empty, before the write). */
export function readPid(file: string): number | undefined {
  const text = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

/** Waits until `check` returns a value (not undefined/false), polling every 50 ms. */
export async function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = 15000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = check();
      if (value !== undefined && value !== false) {
        return value;
      }
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface Allocator {
  child: ChildProcess;
  pid: number;
  /** Asks the child to allocate and touch `mib` more MiB; resolves when it has. */
  grow(mib: number): Promise<void>;
  kill(): Promise<void>;
}

/**
 * A real Node process that allocates and touches memory on request (so it is resident), then
 * idles: its RES is stable between requests, which is what lets us compare with /proc exactly.
 */
export async function startAllocator(initialMiB: number, argv0?: string): Promise<Allocator> {
  const script = `
    const held = [];
    const grow = (mib) => { const b = Buffer.alloc(mib * 1024 * 1024, 1); held.push(b); };
    grow(${initialMiB});
    process.stdin.on('data', (d) => { for (const line of String(d).split('\\n').filter(Boolean)) { grow(Number(line)); process.stdout.write('grown\\n'); } });
    process.stdout.write('ready\\n');
    setInterval(() => {}, 1 << 30);`;
  const child = spawn(process.execPath, ['-e', script], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    argv0,
  });
  const lines: string[] = [];
  child.stdout?.on('data', (data) => lines.push(...String(data).split('\n').filter(Boolean)));
  await waitFor('the allocator to start', () => lines.includes('ready'));
  return {
    child,
    pid: child.pid as number,
    async grow(mib) {
      const before = lines.filter((line) => line === 'grown').length;
      child.stdin?.write(`${mib}\n`);
      await waitFor('the allocator to grow', () => lines.filter((line) => line === 'grown').length > before);
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/** RES, VIRT, SHR of a process straight from /proc/PID/statm, as top computes them. */
export function statmBytes(pid: number): { res: number; virt: number; shr: number } {
  const pageSize = pageSizeOnce();
  const [size, resident, shared] = readFileSync(`/proc/${pid}/statm`, 'utf8').trim().split(/\s+/).map(Number);
  return { virt: size * pageSize, res: resident * pageSize, shr: shared * pageSize };
}

let cachedPageSize: number | undefined;
/** From getconf, independently of the extension's own auxv reading. */
function pageSizeOnce(): number {
  cachedPageSize ??= Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim());
  return cachedPageSize;
}

/** A shell task of the test workspace: `commandLine` run by VS Code's task shell, named `label`. */
export function shellTask(label: string, commandLine: string, id = label): vscode.Task {
  return new vscode.Task(
    { type: 'shell', id },
    vscode.TaskScope.Workspace,
    label,
    'proc-memory-test',
    new vscode.ShellExecution(commandLine),
  );
}

export async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('procMemory').update(key, value, vscode.ConfigurationTarget.Global);
}

export async function closeAllEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/** Where the cgroup v1 memory hierarchy is mounted. */
export const V1_MEMORY = '/sys/fs/cgroup/memory';

export interface MemoryCgroup {
  path: string;
  add(pid: number): void;
  remove(): Promise<void>;
}

/**
 * A real cgroup v1 memory group with a limit, below this process's own (root only, on hosts with a
 * v1 memory hierarchy; undefined elsewhere). `add` moves a process in; `remove` deletes the group.
 */
export function makeMemoryCgroup(limitBytes: number): MemoryCgroup | undefined {
  const own = ownV1MemoryGroup();
  if (process.getuid?.() !== 0 || own === undefined) {
    return undefined;
  }
  const path = `${own}/proc-memory-test-${process.pid}-${Date.now()}`;
  const dir = `${V1_MEMORY}${path}`;
  mkdirSync(dir);
  writeFileSync(`${dir}/memory.limit_in_bytes`, String(limitBytes));
  return {
    path,
    add: (pid) => writeFileSync(`${dir}/cgroup.procs`, String(pid)),
    async remove() {
      // The group can only go once its last process has.
      await waitFor('the test cgroup to be removed', () => {
        try {
          rmdirSync(dir);
          return true;
        } catch {
          return false;
        }
      });
    },
  };
}

/**
 * This process's group in the cgroup v1 memory hierarchy, '' for its root, as the path below
 * V1_MEMORY; undefined where there is no such hierarchy (cgroup v2 only, or no memory controller).
 */
export function ownV1MemoryGroup(): string | undefined {
  const own = /^\d+:(?:[^:]*,)?memory(?:,[^:]*)?:(\/.*)$/m.exec(readFileSync('/proc/self/cgroup', 'utf8'))?.[1];
  const path = own === '/' ? '' : own;
  return path !== undefined && existsSync(`${V1_MEMORY}${path}/memory.usage_in_bytes`) ? path : undefined;
}

/** makeMemoryCgroup, or the test skipped with its reason named where no such group can be made. */
export function memoryCgroupOrSkip(test: Mocha.Context, limitBytes: number): MemoryCgroup {
  const cgroup = makeMemoryCgroup(limitBytes);
  if (!cgroup) {
    skipBecause(
      test,
      process.getuid?.() !== 0 ? 'no-root' : 'no-cgroup-v1-memory',
      'making a test cgroup needs root and a cgroup v1 memory hierarchy',
    );
  }
  return cgroup;
}

/**
 * A Node program (DIR/grow.js) that writes its PID to the file named by its first argument, stops
 * at `debugger;` on line 3, allocates and touches 64 MiB, and stops again on line 5.
 */
export function writeGrowScript(dir: string): string {
  const program = `${dir}/grow.js`;
  writeFileSync(
    program,
    [
      "require('fs').writeFileSync(process.argv[2], String(process.pid));",
      'const held = [];',
      'debugger; // first stop',
      'held.push(Buffer.alloc(64 * 1024 * 1024, 1));',
      'debugger; // second stop: 64 MiB more is resident',
      'setInterval(() => held.length, 1000);',
    ].join('\n'),
  );
  return program;
}
