/**
 * What a once-per-interval reading costs on this machine outside any editor, in the same run as the
 * host's cases: a C program (bench/wakeFloor.c) and a bare Node process, each waking every interval
 * to read one process's stat and statm through descriptors kept open, measured by their own CPU
 * (schedstat, ns) over a window: what this machine charges for a cold wake and read. The
 * extension host is woken many times a second by the workbench anyway, so it pays less for the
 * wake and more for the work done in it; these rows put its figures beside the machine's.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CpuWindow } from './hostCpu';

/** A bare Node process doing what wakeFloor.c does: one timer, two preads, its CPU (all threads) at the end. */
const NODE_FLOOR = `
const fs = require('fs');
const [pid, intervalMs, seconds] = process.argv.slice(1).map(Number);
const cpuNs = () => fs.readdirSync('/proc/self/task').reduce(
  (sum, tid) => sum + Number(fs.readFileSync('/proc/self/task/' + tid + '/schedstat', 'utf8').split(' ')[0]), 0);
const stat = fs.openSync('/proc/' + pid + '/stat', 'r');
const statm = fs.openSync('/proc/' + pid + '/statm', 'r');
const buffer = Buffer.alloc(4096);
// Past start-up (module loading, the first compilations): the window measures the wakes only.
setTimeout(() => {
  const cpuBefore = cpuNs();
  const wallBefore = process.hrtime.bigint();
  let wakes = 0;
  const timer = setInterval(() => {
    fs.readSync(stat, buffer, 0, buffer.length, 0);
    fs.readSync(statm, buffer, 0, buffer.length, 0);
    if (++wakes >= (seconds * 1000) / intervalMs) {
      clearInterval(timer);
      console.log(cpuNs() - cpuBefore, Number(process.hrtime.bigint() - wallBefore), wakes);
    }
  }, intervalMs);
}, 2000);
`;

export interface MachineFloor {
  name: string;
  window: CpuWindow;
  wakes: number;
}

/** Runs a floor program to its end and reads its "cpuNs wallNs wakes" line. */
function runFloor(command: string, args: string[], name: string): Promise<MachineFloor> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const [cpuNs, wallNs, wakes] = out.trim().split(/\s+/).map(Number);
      if (code !== 0 || !(wallNs > 0)) {
        reject(new Error(`${name}: exit ${code}, ${err.trim() || out.trim()}`));
        return;
      }
      const cpuMs = cpuNs / 1e6;
      const wallMs = wallNs / 1e6;
      resolve({
        name,
        wakes,
        window: { cpuMs, wallMs, percent: (cpuMs / wallMs) * 100, byThread: [], gc: new Map(), threadEnded: false },
      });
    });
  });
}

/**
 * The C and the Node floor for `pid` at `intervalMs`, one after the other, each over `windowMs`.
 * Without a C compiler, only Node's (and the reason).
 */
export async function machineFloors(
  repoRoot: string,
  pid: number,
  intervalMs: number,
  windowMs: number,
): Promise<{ floors: MachineFloor[]; note?: string }> {
  const seconds = String(Math.round(windowMs / 1000));
  const floors: MachineFloor[] = [];
  let note: string | undefined;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'proc-memory-wake-floor-'));
  try {
    const binary = path.join(dir, 'wakeFloor');
    const compiled = spawnSync('cc', ['-O2', '-o', binary, path.join(repoRoot, 'bench', 'wakeFloor.c')], {
      encoding: 'utf8',
    });
    if (compiled.error || compiled.status !== 0) {
      note = `no C floor: cc -O2 failed: ${compiled.error?.message ?? compiled.stderr.trim()}`;
    } else {
      floors.push(
        await runFloor(
          binary,
          [String(pid), String(intervalMs), seconds],
          'machine: C reading stat and statm each interval',
        ),
      );
    }
    floors.push(
      await runFloor(
        process.execPath,
        ['-e', NODE_FLOOR, String(pid), String(intervalMs), seconds],
        'machine: Node alone doing the same',
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { floors, note };
}
