import * as fs from 'fs';
import { childProcesses } from './processChildren';
import { readProcText } from './procFile';
import { identityKey, ProcessIdentity } from './processIdentity';
import { parseStat, Stat } from './stat';
import { parseStatJob } from './statJob';
import { parseStatm } from './statm';
import { systemInfo } from './systemInfo';

/**
 * The longest time between two scans of the process table for orphans of the session that no walk
 * saw: a scan reads every process's stat (about 3 ms for 300 processes), so not every walk.
 */
export const SESSION_SCAN_MS = 1000;

/** One process of a tree as one walk read it. */
export interface MemberReading {
  identity: ProcessIdentity;
  ppid: number;
  name: string;
  resBytes: number;
  virtBytes: number;
  /** SHR as top shows it (statm shared). */
  shrBytes: number;
  /** undefined when smaps_rollup could not be read (no permission, or gone meanwhile). */
  pssBytes: number | undefined;
  /** VmHWM: the highest RES this process has had, kept by the kernel. */
  hwmBytes: number;
}

/** A member as the walk keeps it across walks. */
export interface TreeMember {
  identity: ProcessIdentity;
  name: string;
  /** Its parent when first seen. */
  firstParent: number;
  /** Set once its parent exited and the kernel gave it to a subreaper or to init (PID 1). */
  reparentedTo?: { pid: number; name: string };
  firstSeenMs: number;
  lastSeenMs: number;
  /** When a walk first found it gone (or its PID held by another process). */
  exitedAtMs?: number;
  /** Its highest VmHWM read: at its exit, as close as a sampler gets (a zombie has no memory left to read). */
  hwmBytes: number;
  /** Its largest PSS read. */
  maxPssBytes: number;
  /** Listed as a child but gone before its memory could be read: a member the walk lost. */
  lost?: boolean;
}

/** What one walk of the tree read. */
export interface TreeReading {
  timeMs: number;
  /** The members alive now, root first. */
  members: MemberReading[];
  resBytes: number;
  virtBytes: number;
  shrBytes: number;
  /** PSS summed over the members whose smaps_rollup could be read: shared pages counted once. */
  pssBytes: number;
  /** Members without a PSS reading (summed as nothing): the PSS total is then a lower bound. */
  pssMissing: number;
  /** Whether the root process itself still runs. */
  rootAlive: boolean;
}

/**
 * Walks a process tree again and again and remembers who was in it. Each walk finds the
 * descendants of the root through /proc/PID/task/TID/children, then looks for members seen before
 * that the walk from the root no longer reaches: their parent exited and they were re-parented to a
 * subreaper or to init. Those stay members (a build's orphaned compiler still counts), and their
 * own children with them. Processes of the root's session that started after the root and whose
 * parent is outside the tree are looked for in the whole process table when a member exits, and
 * at most SESSION_SCAN_MS apart otherwise: a grandchild whose parent exited before any walk saw
 * either is found that way, unless it left the session (setsid). Identity is PID + start time, so
 * a reused PID is a new process, not a member.
 */
export class ProcessTreeWalk {
  private readonly known = new Map<string, TreeMember>();
  private rootSession: number | undefined;
  private lastSessionScanMs = -Infinity;
  /** Orphans found by the session scan started after the root did. */
  private readonly rootStartTicks: number;

  constructor(
    readonly root: ProcessIdentity,
    private readonly procRoot = '/proc',
    private readonly now: () => number = Date.now,
    private readonly pageSize = systemInfo().pageSize,
  ) {
    this.rootStartTicks = root.startTicks;
  }

  /** Every process ever seen in the tree, in the order first seen. */
  get members(): TreeMember[] {
    return [...this.known.values()];
  }

  walk(): TreeReading {
    const timeMs = this.now();
    const alive = new Map<string, { identity: ProcessIdentity; ppid: number; name: string; stat?: Stat }>();
    const rootStat = this.readStat(this.root.pid);
    const rootAlive = rootStat !== undefined && rootStat.startTicks === this.root.startTicks && rootStat.state !== 'Z';
    if (rootAlive) {
      this.rootSession ??= rootStat.session;
      alive.set(identityKey(this.root), { identity: this.root, ppid: rootStat.ppid, name: rootStat.comm });
      this.addDescendants(this.root.pid, alive);
    }
    let exited = false;
    for (const [key, member] of this.known) {
      if (alive.has(key) || member.exitedAtMs !== undefined) {
        continue;
      }
      const stat = this.readStat(member.identity.pid);
      if (!stat || stat.startTicks !== member.identity.startTicks || stat.state === 'Z') {
        member.exitedAtMs = timeMs;
        exited = true;
        continue;
      }
      // Alive, but the walk from the root no longer reaches it: re-parented.
      this.markReparented(member, stat.ppid);
      alive.set(key, { identity: member.identity, ppid: stat.ppid, name: stat.comm });
      this.addDescendants(member.identity.pid, alive);
    }
    if (this.rootSession !== undefined && (exited || timeMs - this.lastSessionScanMs >= SESSION_SCAN_MS)) {
      this.lastSessionScanMs = timeMs;
      this.adoptOrphansOfSession(alive);
    }
    const members: MemberReading[] = [];
    const reading: TreeReading = {
      timeMs,
      members,
      resBytes: 0,
      virtBytes: 0,
      shrBytes: 0,
      pssBytes: 0,
      pssMissing: 0,
      rootAlive,
    };
    for (const [key, entry] of alive) {
      const memory = this.readMemory(entry.identity.pid);
      let member = this.known.get(key);
      if (!memory) {
        // Listed, but gone (or a zombie) before its memory could be read.
        if (!member) {
          this.known.set(key, {
            identity: entry.identity,
            name: entry.name,
            firstParent: entry.ppid,
            firstSeenMs: timeMs,
            lastSeenMs: timeMs,
            exitedAtMs: timeMs,
            hwmBytes: 0,
            maxPssBytes: 0,
            lost: true,
          });
        }
        continue;
      }
      if (!member) {
        member = {
          identity: entry.identity,
          name: entry.name,
          firstParent: entry.ppid,
          firstSeenMs: timeMs,
          lastSeenMs: timeMs,
          hwmBytes: 0,
          maxPssBytes: 0,
        };
        this.known.set(key, member);
      }
      member.lastSeenMs = timeMs;
      // The name it has now: a child seen between its fork and its exec had its parent's.
      member.name = entry.name;
      member.hwmBytes = Math.max(member.hwmBytes, memory.hwmBytes);
      member.maxPssBytes = Math.max(member.maxPssBytes, memory.pssBytes ?? 0);
      members.push({ identity: entry.identity, ppid: entry.ppid, name: entry.name, ...memory });
      reading.resBytes += memory.resBytes;
      reading.virtBytes += memory.virtBytes;
      reading.shrBytes += memory.shrBytes;
      if (memory.pssBytes === undefined) {
        reading.pssMissing++;
      } else {
        reading.pssBytes += memory.pssBytes;
      }
    }
    return reading;
  }

  private addDescendants(
    pid: number,
    alive: Map<string, { identity: ProcessIdentity; ppid: number; name: string }>,
  ): void {
    const children = childProcesses(pid, this.procRoot);
    if (!children.ok) {
      return;
    }
    for (const child of children.value) {
      const key = identityKey(child.identity);
      if (!alive.has(key)) {
        alive.set(key, { identity: child.identity, ppid: child.ppid, name: child.name });
      }
    }
  }

  /**
   * After an exit, processes of the root's session that started after the root and hang below a
   * process outside the tree (init, a subreaper): orphans the walks did not see before their
   * parent went. One scan of /proc, only when a member exited.
   */
  private adoptOrphansOfSession(alive: Map<string, { identity: ProcessIdentity; ppid: number; name: string }>): void {
    let entries: string[];
    try {
      entries = fs.readdirSync(this.procRoot);
    } catch {
      return;
    }
    const alivePids = new Set([...alive.values()].map((entry) => entry.identity.pid));
    for (const entry of entries) {
      const first = entry.charCodeAt(0);
      if (first < 48 || first > 57) {
        continue;
      }
      const pid = Number(entry);
      if (alivePids.has(pid)) {
        continue;
      }
      const stat = this.readStat(pid);
      if (
        !stat ||
        stat.session !== this.rootSession ||
        stat.startTicks < this.rootStartTicks ||
        stat.state === 'Z' ||
        alivePids.has(stat.ppid)
      ) {
        continue;
      }
      const identity = { pid, startTicks: stat.startTicks };
      const key = identityKey(identity);
      if (this.known.get(key)?.exitedAtMs !== undefined) {
        continue;
      }
      alive.set(key, { identity, ppid: stat.ppid, name: stat.comm });
      alivePids.add(pid);
      const member = this.known.get(key);
      if (member) {
        this.markReparented(member, stat.ppid);
      } else {
        this.known.set(key, {
          identity,
          name: stat.comm,
          firstParent: stat.ppid,
          reparentedTo: this.parentName(stat.ppid),
          firstSeenMs: this.now(),
          lastSeenMs: this.now(),
          hwmBytes: 0,
          maxPssBytes: 0,
        });
      }
      this.addDescendants(pid, alive);
      for (const descendant of alive.values()) {
        alivePids.add(descendant.identity.pid);
      }
    }
  }

  private markReparented(member: TreeMember, ppid: number): void {
    if (!member.reparentedTo || member.reparentedTo.pid !== ppid) {
      member.reparentedTo = this.parentName(ppid);
    }
  }

  private parentName(pid: number): { pid: number; name: string } {
    return { pid, name: this.readStat(pid)?.comm ?? '?' };
  }

  private readStat(pid: number): (Stat & { session: number }) | undefined {
    const text = readProcText(`${this.procRoot}/${pid}/stat`);
    if (!text.ok) {
      return undefined;
    }
    const stat = parseStat(text.value);
    const job = parseStatJob(text.value);
    if (!stat.ok || !job.ok) {
      return undefined;
    }
    // Added to the parsed literal, not spread into a copy: in V8 a spread copy gets a map of its own,
    // and a property added to it builds another (~3.5 us each; the session scan reads every process).
    return Object.assign(stat.value, { session: job.value.session });
  }

  /**
   * statm (RES, VIRT, SHR as top computes them), VmHWM and the state from status, Pss from
   * smaps_rollup; undefined when gone or a zombie. Only the lines needed are looked for: the walk
   * reads every member every interval (see the tree rows of npm run bench).
   */
  private readMemory(pid: number): Omit<MemberReading, 'identity' | 'ppid' | 'name'> | undefined {
    const status = readProcText(`${this.procRoot}/${pid}/status`);
    const statmText = status.ok ? readProcText(`${this.procRoot}/${pid}/statm`) : status;
    const hwm = status.ok ? /\nVmHWM:\s+(\d+) kB/.exec(status.value) : null;
    if (!status.ok || !statmText.ok || !hwm || /\nState:\s+Z/.test(status.value)) {
      return undefined; // gone, a zombie, or a kernel thread (no memory of its own)
    }
    const statm = parseStatm(statmText.value, this.pageSize);
    if (!statm.ok) {
      return undefined;
    }
    const rollup = readProcText(`${this.procRoot}/${pid}/smaps_rollup`);
    const pss = rollup.ok ? /\nPss:\s+(\d+) kB/.exec(rollup.value) : null;
    return {
      resBytes: statm.value.resBytes,
      virtBytes: statm.value.virtBytes,
      shrBytes: statm.value.shrBytes,
      pssBytes: pss ? Number(pss[1]) * 1024 : undefined,
      hwmBytes: Number(hwm[1]) * 1024,
    };
  }
}
