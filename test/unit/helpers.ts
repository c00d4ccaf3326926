// Shared by the unit tests: fixture paths, real child processes, procps runners, a seeded PRNG.
import * as assert from 'assert';
import * as fs from 'fs';
// The module itself (a default import), not a namespace copy of it: opensOf replaces its openSync.
import fsModule from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ChildProcess, execFileSync, spawn } from 'child_process';
import { CgroupMemory, tightestLevel } from '../../src/proc/cgroup';
import { Outcome, ProcError } from '../../src/proc/outcome';

/** test/fixtures in the source tree (the tests run from out/test/unit). */
export const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures');
export const FIXTURE_PROC = path.join(FIXTURES, 'proc');
export const FIXTURE_CGROUP = path.join(FIXTURES, 'cgroup');

/** The compiled engine, for child processes that require it (e.g. one running as `nobody`). */
export const COMPILED_PROC = path.resolve(__dirname, '..', '..', 'src', 'proc');

export const ERROR_KINDS: readonly ProcError['kind'][] = [
  'gone',
  'pid-reused',
  'permission-denied',
  'malformed',
  'unsupported',
  'io-error',
];

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls until `condition` holds. Tests wait for what they need rather than sleeping a fixed time,
 * so a loaded machine (timers firing late) makes them slower, not red.
 */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await delay(5);
  }
}

/** Asserts a successful outcome and returns its value. */
export function expectOk<T>(outcome: Outcome<T>, what = 'outcome'): T {
  if (!outcome.ok) {
    assert.fail(`${what}: expected ok, got ${JSON.stringify(outcome.error)}`);
  }
  return outcome.value;
}

/** Asserts a failed outcome of the given kind, with a detail string, and returns the error. */
export function expectError<T>(outcome: Outcome<T>, kind: ProcError['kind'], what = 'outcome'): ProcError {
  if (outcome.ok) {
    assert.fail(`${what}: expected error '${kind}', got ok ${JSON.stringify(outcome.value)}`);
  }
  assert.strictEqual(outcome.error.kind, kind, `${what}: ${JSON.stringify(outcome.error)}`);
  assert.strictEqual(typeof outcome.error.detail === 'string' || outcome.error.detail === undefined, true);
  return outcome.error;
}

// ---------------------------------------------------------------------------------------------
// Real child processes. Every child is killed by killAllChildren() (call it in an after hook),
// so a failing test never leaves processes behind.

export interface Child {
  process: ChildProcess;
  pid: number;
  /** Resolves when the child printed this line on stdout. */
  waitForLine(line: string, timeoutMs?: number): Promise<void>;
  send(line: string): void;
  /** Everything printed on stdout so far. */
  output(): string;
  /** SIGKILL and wait until Node has reaped it (so /proc/PID is gone). */
  kill(): Promise<void>;
  exited: Promise<void>;
}

const children = new Set<Child>();

export function startChild(command: string, args: string[]): Child {
  const proc = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  if (proc.pid === undefined) {
    throw new Error(`could not start ${command}`);
  }
  let stdout = '';
  const waiters: { line: string; resolve: () => void }[] = [];
  const check = () => {
    const lines = stdout.split('\n');
    for (const waiter of [...waiters]) {
      if (lines.includes(waiter.line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  proc.stdout?.setEncoding('utf8');
  proc.stdout?.on('data', (chunk: string) => {
    stdout += chunk;
    check();
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const child: Child = {
    process: proc,
    pid: proc.pid,
    exited,
    waitForLine(line, timeoutMs = 10000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`child ${proc.pid} did not print "${line}" in ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          line,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
        check();
      });
    },
    send(line) {
      proc.stdin?.write(`${line}\n`);
    },
    output: () => stdout,
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGKILL');
      }
      await exited;
      children.delete(child);
    },
  };
  children.add(child);
  exited.then(
    () => proc.stdin?.destroy(),
    () => undefined,
  );
  return child;
}

/** A Node child that runs `script` (which should print "ready" and then idle). */
export function startNode(script: string): Child {
  return startChild(process.execPath, ['-e', script]);
}

/**
 * A Node child that prints "ready", then at a line on its stdin writes 64 MiB of its own (RssAnon)
 * and prints "grown".
 */
export async function startGrowingNode(): Promise<Child> {
  const child = startNode(
    "console.log('ready'); process.stdin.once('data', () => { globalThis.held = Buffer.alloc(64 * 1048576, 1); console.log('grown'); }); setInterval(() => {}, 1 << 30);",
  );
  await child.waitForLine('ready');
  return child;
}

/** A copy of the fixture process 1234 in a /proc of its own, whose files a test may rewrite. */
export function copiedFixtureProcess(): { procRoot: string; dir: string } {
  const procRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'fixture-process-'));
  const dir = path.join(procRoot, '1234');
  fs.cpSync(path.join(FIXTURE_PROC, '1234'), dir, { recursive: true, verbatimSymlinks: true });
  return { procRoot, dir };
}

/** Replaces `from` (which must be there) with `to` in `file` of `dir`. */
export function rewriteFile(dir: string, file: string, from: RegExp, to: string): void {
  const text = fs.readFileSync(path.join(dir, file), 'utf8');
  const changed = text.replace(from, to);
  assert.notEqual(changed, text, `${file} holds ${String(from)}`);
  fs.writeFileSync(path.join(dir, file), changed);
}

/** A child that sleeps: the cheapest real process. */
export function startSleep(seconds = 30): Child {
  return startChild('sleep', [String(seconds)]);
}

export async function killAllChildren(): Promise<void> {
  await Promise.all([...children].map((child) => child.kill()));
}

// ---------------------------------------------------------------------------------------------
// procps

export function run(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
}

/** `ps -o rss=,vsz= -p PID`: RES and VIRT in KiB, or undefined when ps does not list the PID. */
export function psMemoryKiB(pid: number): { rssKiB: number; vszKiB: number } | undefined {
  let out: string;
  try {
    out = run('ps', ['-o', 'rss=,vsz=', '-p', String(pid)]);
  } catch {
    return undefined; // ps exits 1 when the PID is not there
  }
  const [rss, vsz] = out.trim().split(/\s+/).map(Number);
  return { rssKiB: rss, vszKiB: vsz };
}

export interface TopValue {
  kib: number;
  /** How far off kib may be because top printed it scaled (e.g. "10.7g"); 0 when printed in KiB. */
  roundingKiB: number;
}

/**
 * One task's VIRT, RES and SHR as `top -b -n 1 -e k -p PID` prints them. `-e k` makes top print
 * task memory in KiB; when a number does not fit its column top still scales it up and adds a
 * suffix (m, g, ...), so those are parsed with their rounding error.
 */
export function topMemory(pid: number): { virt: TopValue; res: TopValue; shr: TopValue } {
  const out = run('top', ['-b', '-n', '1', '-w', '512', '-e', 'k', '-p', String(pid)]);
  const lines = out.split('\n');
  const headerIndex = lines.findIndex((line) => /^\s*PID\s+USER\s/.test(line));
  assert.ok(headerIndex >= 0, `no task header in top output:\n${out}`);
  const header = lines[headerIndex].trim().split(/\s+/);
  const row = lines
    .slice(headerIndex + 1)
    .map((line) => line.trim().split(/\s+/))
    .find((fields) => fields[0] === String(pid));
  assert.ok(row, `top did not list PID ${pid}:\n${out}`);
  const column = (name: string) => {
    const index = header.indexOf(name);
    assert.ok(index >= 0, `no ${name} column in top output`);
    return parseTopKiB(row[index]);
  };
  return { virt: column('VIRT'), res: column('RES'), shr: column('SHR') };
}

export function parseTopKiB(text: string): TopValue {
  const match = /^(\d+(?:\.(\d+))?)([kmgtpe]?)$/.exec(text);
  assert.ok(match, `top printed "${text}", not a memory figure`);
  const power = ' mgtpe'.indexOf(match[3] || ' ');
  const scale = power <= 0 ? 1 : 1024 ** power; // '' and 'k' are KiB
  const decimals = match[2]?.length ?? 0;
  return { kib: Number(match[1]) * scale, roundingKiB: power <= 0 ? 0 : scale / 10 ** decimals / 2 };
}

// ---------------------------------------------------------------------------------------------
// Deterministic pseudo-random numbers (mulberry32), so property-style tests replay exactly.

export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  bytes(length: number): Buffer {
    const buffer = Buffer.alloc(length);
    for (let i = 0; i < length; i++) {
      buffer[i] = this.int(256);
    }
    return buffer;
  }
}

/** A cgroup as a test builds it, with its tightest level computed as the reader does. */
export function cgroupOf(group: Omit<CgroupMemory, 'tightest'>): CgroupMemory {
  return { ...group, tightest: tightestLevel(group.levels) };
}

/** How many fds this process has open whose target (readlink of /proc/self/fd/N) passes `test`. */
export function openFdsWhere(test: (target: string) => boolean): number {
  return fs.readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return test(fs.readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      return false; // the fd of readdir itself, closed meanwhile
    }
  }).length;
}

/** The arguments of each call `run` makes to fs.openSync or fs.readSync (the readers' one way to open or read a file). */
function fsCallsOf<K extends 'openSync' | 'readSync'>(name: K, run: () => void): Parameters<(typeof fs)[K]>[] {
  const calls: Parameters<(typeof fs)[K]>[] = [];
  const original = fsModule[name];
  fsModule[name] = ((...args: Parameters<(typeof fs)[K]>) => {
    calls.push(args);
    return (original as (...args: Parameters<(typeof fs)[K]>) => unknown)(...args);
  }) as (typeof fs)[K];
  try {
    run();
  } finally {
    fsModule[name] = original;
  }
  return calls;
}

/** The paths `run` opens through fs.openSync, in order. */
export function opensOf(run: () => void): string[] {
  return fsCallsOf('openSync', run).map((args) => String(args[0]));
}

/** How many reads `run` makes through fs.readSync. */
export function readsOf(run: () => void): number {
  return fsCallsOf('readSync', run).length;
}
