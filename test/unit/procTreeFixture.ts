// A fake /proc in a temporary directory for process-tree tests: what a live system cannot produce
// on demand (a parent exiting at a chosen moment, a PID reused by another process).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Every fake process has 3 shared pages (12 KiB of SHR). */
export const SHARED_PAGES = 3;

export interface FakeProcess {
  pid: number;
  ppid: number;
  startTicks: number;
  name: string;
  session: number;
  resKiB: number;
  pssKiB: number;
  hwmKiB: number;
  state?: string;
  /** Field 8: the terminal's foreground process group (-1: no terminal). */
  tpgid?: number;
  pgrp?: number;
}

export class FakeProc {
  /** In memory where /dev/shm is: 5 000 processes are 20 000 files, slow to write and remove on a busy disk. */
  readonly root = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'proc-tree-'));
  private readonly processes = new Map<number, FakeProcess>();

  add(process: FakeProcess): void {
    this.processes.set(process.pid, process);
    this.write(process);
    this.writeChildren(process.ppid);
  }

  /** The process exits: its directory goes, and its children are re-parented to `reaper`. */
  exit(pid: number, reaper = 1): void {
    const process = this.processes.get(pid);
    if (!process) {
      return;
    }
    this.processes.delete(pid);
    fs.rmSync(path.join(this.root, String(pid)), { recursive: true, force: true });
    for (const child of this.processes.values()) {
      if (child.ppid === pid) {
        child.ppid = reaper;
        this.write(child);
      }
    }
    this.writeChildren(process.ppid);
    this.writeChildren(reaper);
  }

  update(pid: number, change: Partial<FakeProcess>): void {
    const process = this.processes.get(pid);
    if (!process) {
      return;
    }
    Object.assign(process, change);
    this.write(process);
  }

  remove(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }

  private write(p: FakeProcess): void {
    const dir = path.join(this.root, String(p.pid));
    fs.mkdirSync(path.join(dir, 'task', String(p.pid)), { recursive: true });
    // Fields after "(comm)": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
    // utime stime cutime cstime priority nice threads itrealvalue starttime vsize rss
    const rest = [
      p.state ?? 'S',
      p.ppid,
      p.pgrp ?? p.pid,
      p.session,
      0,
      p.tpgid ?? -1,
      4194304,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      20,
      0,
      1,
      0,
    ];
    fs.writeFileSync(path.join(dir, 'stat'), `${p.pid} (${p.name}) ${rest.join(' ')} ${p.startTicks} 1000 10 0\n`);
    const memory =
      p.state === 'Z'
        ? ''
        : `VmPeak:\t${p.hwmKiB + 100} kB\nVmSize:\t${p.resKiB + 1000} kB\nVmHWM:\t${p.hwmKiB} kB\nVmRSS:\t${p.resKiB} kB\nRssAnon:\t${p.resKiB - 10} kB\nRssFile:\t10 kB\nRssShmem:\t0 kB\n`;
    fs.writeFileSync(
      path.join(dir, 'status'),
      `Name:\t${p.name}\nState:\t${p.state ?? 'S'} (sleeping)\nPPid:\t${p.ppid}\nUid:\t0\t0\t0\t0\n${memory}Threads:\t1\n`,
    );
    // statm in 4 KiB pages: size resident shared text lib data dt (the tests walk with pageSize 4096).
    fs.writeFileSync(
      path.join(dir, 'statm'),
      `${Math.ceil((p.resKiB + 1000) / 4)} ${Math.ceil(p.resKiB / 4)} ${SHARED_PAGES} 1 0 ${Math.ceil(p.resKiB / 4)} 0\n`,
    );
    const kb = (key: string, value: number) => `${key}:${' '.repeat(Math.max(1, 16 - key.length))}${value} kB\n`;
    fs.writeFileSync(
      path.join(dir, 'smaps_rollup'),
      '00400000-7fff00000000 ---p 00000000 00:00 0 [rollup]\n' +
        kb('Rss', p.resKiB) +
        kb('Pss', p.pssKiB) +
        kb('Shared_Clean', 10) +
        kb('Shared_Dirty', 0) +
        kb('Private_Clean', 0) +
        kb('Private_Dirty', p.resKiB - 10) +
        kb('Anonymous', p.resKiB - 10) +
        kb('Swap', 0) +
        kb('Locked', 0),
    );
    if (!fs.existsSync(path.join(dir, 'task', String(p.pid), 'children'))) {
      fs.writeFileSync(path.join(dir, 'task', String(p.pid), 'children'), '');
    }
  }

  private writeChildren(pid: number): void {
    const dir = path.join(this.root, String(pid), 'task', String(pid));
    if (!fs.existsSync(dir)) {
      return;
    }
    const children = [...this.processes.values()].filter((p) => p.ppid === pid).map((p) => `${p.pid} `);
    fs.writeFileSync(path.join(dir, 'children'), children.join(''));
  }

  /** Writes many processes at once (children files once at the end): for the 5 000-process tree. */
  addMany(processes: FakeProcess[]): void {
    for (const process of processes) {
      this.processes.set(process.pid, process);
      this.write(process);
    }
    for (const pid of new Set(processes.map((p) => p.ppid))) {
      this.writeChildren(pid);
    }
  }
}

export function fakeProcess(pid: number, ppid: number, change: Partial<FakeProcess> = {}): FakeProcess {
  return {
    pid,
    ppid,
    startTicks: 1000 + pid,
    name: `p${pid}`,
    session: 100,
    resKiB: 1024,
    pssKiB: 512,
    hwmKiB: 2048,
    ...change,
  };
}
