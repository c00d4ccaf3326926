// Real processes for the UI tests: they allocate a known amount, touch it, and idle.
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';

export interface TestProcess {
  child: ChildProcess;
  pid: number;
  grow(mib: number): Promise<void>;
  kill(): Promise<void>;
}

/**
 * Starts `node cache-server.js` (under the given argv[0], e.g. a hostile name) holding `mib` MiB
 * of touched memory; `grow` adds more on request.
 */
export async function startAllocator(mib: number, argv0 = 'node', comm?: string): Promise<TestProcess> {
  // A process may rename itself (its comm, at most 15 bytes) by writing /proc/self/comm.
  const rename = comm ? `require('fs').writeFileSync('/proc/self/comm', ${JSON.stringify(comm)});` : '';
  const script = `
    ${rename}
    const held = [];
    const grow = (n) => held.push(Buffer.alloc(n * 1024 * 1024, 1));
    grow(${mib});
    process.stdin.on('data', (d) => { for (const n of String(d).split('\\n').filter(Boolean)) { grow(Number(n)); process.stdout.write('grown\\n'); } });
    process.stdout.write('ready\\n');
    setInterval(() => {}, 1 << 30);`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'proc-memory-ui-'));
  const file = path.join(dir, 'cache-server.js');
  writeFileSync(file, script);
  // exec -a sets argv[0], which is what ps and /proc/PID/cmdline show first.
  const child = spawn('bash', ['-c', 'exec -a "$0" "$1" "$2"', argv0, process.execPath, file], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  child.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  let output = '';
  child.stdout?.on('data', (data) => (output += String(data)));
  await until(() => output.includes('ready'), 15000, 'the allocator to start');
  return {
    child,
    pid: child.pid as number,
    async grow(n) {
      const before = output.split('grown').length;
      child.stdin?.write(`${n}\n`);
      await until(() => output.split('grown').length > before, 15000, 'the allocator to grow');
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

export async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const pageSize = Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim());

/** RES, VIRT and SHR from /proc/PID/statm, as top computes them. */
export function statmBytes(pid: number): { res: number; virt: number; shr: number } {
  const [size, resident, shared] = readFileSync(`/proc/${pid}/statm`, 'utf8').trim().split(/\s+/).map(Number);
  return { virt: size * pageSize, res: resident * pageSize, shr: shared * pageSize };
}

/**
 * A workspace whose launch configuration "Grow" runs grow.js under js-debug: it writes its PID to
 * grow.pid, stops at `debugger;` on line 3, allocates and touches 96 MiB, and stops again on line 5.
 */
export function writeGrowWorkspace(folder: string): void {
  writeFileSync(
    path.join(folder, 'grow.js'),
    [
      "require('fs').writeFileSync(require('path').join(__dirname, 'grow.pid'), String(process.pid));",
      'const held = [];',
      'debugger; // first stop',
      'held.push(Buffer.alloc(96 * 1024 * 1024, 1));',
      'debugger; // second stop',
      'setInterval(() => held.length, 1000);',
    ].join('\n'),
  );
  mkdirSync(path.join(folder, '.vscode'));
  writeFileSync(
    path.join(folder, '.vscode', 'launch.json'),
    JSON.stringify({
      version: '0.2.0',
      configurations: [
        {
          type: 'node',
          request: 'launch',
          name: 'Grow',
          program: '${workspaceFolder}/grow.js',
          console: 'internalConsole',
        },
      ],
    }),
  );
}

/**
 * The PID a test program writes to `file`, once it is there in full: the file exists, empty,
 * between the program's open and its write, so existence alone is not enough.
 */
export async function readPidFile(file: string, deadline: number): Promise<number> {
  for (;;) {
    const text = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
    if (/^\d+$/.test(text)) {
      return Number(text);
    }
    if (Date.now() > deadline) {
      throw new Error(`no PID in ${file} (it holds ${JSON.stringify(text)})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
