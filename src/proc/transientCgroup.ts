import * as fs from 'fs';
import { cgroupDir } from './cgroup';
import { MemoryGroup, memoryGroupOf } from './cgroupPeak';

/** How a task can be given a memory limit here, or why it cannot. */
export type LimitMechanism =
  /** A transient scope of the user's systemd instance: `systemd-run --user --scope -p MemoryMax=…`. */
  | { kind: 'systemd-scope' }
  /** A child group of our own group that we may create (as root, or in a delegated subtree). */
  | { kind: 'child-group'; parent: MemoryGroup }
  | { kind: 'none'; why: string };

/** Where a user systemd instance listens, if one runs for us. */
function userSystemdRuns(uid: number, env: NodeJS.ProcessEnv): boolean {
  const runtime = env.XDG_RUNTIME_DIR ?? `/run/user/${uid}`;
  return fs.existsSync(`${runtime}/systemd/private`);
}

/**
 * Picks how to limit a task: a user systemd scope where a user systemd instance runs, else a child
 * of the extension host's own memory group where the host may write it, else the reason why not.
 */
export function limitMechanism(
  cgroupRoot = '/sys/fs/cgroup',
  env: NodeJS.ProcessEnv = process.env,
  uid = process.getuid?.() ?? -1,
): LimitMechanism {
  if (userSystemdRuns(uid, env)) {
    return { kind: 'systemd-scope' };
  }
  const own = memoryGroupOf(process.pid, '/proc', cgroupRoot);
  if (!own) {
    return { kind: 'none', why: 'this process is in no memory cgroup that can be seen (no memory controller?)' };
  }
  const dir = cgroupDir(own.version, own.path, cgroupRoot);
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    return {
      kind: 'none',
      why: `no user systemd instance runs, and ${dir} is not writable: a child group needs root or a delegated cgroup subtree`,
    };
  }
  return { kind: 'child-group', parent: own };
}

/** A group we created, with its limit; `remove` deletes it once its last process has gone. */
export interface TransientGroup extends MemoryGroup {
  limitBytes: number;
  /** The file a process writes its PID to, to move itself in. */
  procsFile: string;
  remove(): Promise<boolean>;
}

/**
 * Creates a child group of `parent` with `limitBytes` as its hard limit (v2 memory.max and
 * memory.swap.max 0; v1 memory.limit_in_bytes and, where swap is accounted, memsw too), so that
 * going over it means the OOM killer, as in a CI runner, not swapping.
 */
export function createChildGroup(
  parent: MemoryGroup,
  name: string,
  limitBytes: number,
  cgroupRoot = '/sys/fs/cgroup',
): { ok: true; group: TransientGroup } | { ok: false; why: string } {
  const path = `${parent.path === '/' ? '' : parent.path}/${name}`;
  const dir = cgroupDir(parent.version, path, cgroupRoot);
  try {
    fs.mkdirSync(dir);
  } catch (error) {
    return { ok: false, why: `${dir} could not be created: ${(error as Error).message}` };
  }
  const write = (file: string, value: string) => fs.writeFileSync(`${dir}/${file}`, value);
  try {
    if (parent.version === 2) {
      if (!fs.existsSync(`${dir}/memory.max`)) {
        throw new Error(
          `the memory controller is not enabled for the children of ${parent.path} (cgroup.subtree_control), and a group with processes cannot enable it`,
        );
      }
      write('memory.max', String(limitBytes));
      if (fs.existsSync(`${dir}/memory.swap.max`)) {
        write('memory.swap.max', '0');
      }
    } else {
      write('memory.limit_in_bytes', String(limitBytes));
      if (fs.existsSync(`${dir}/memory.memsw.limit_in_bytes`)) {
        write('memory.memsw.limit_in_bytes', String(limitBytes));
      }
    }
  } catch (error) {
    fs.rmdirSync(dir);
    return { ok: false, why: `the limit could not be set on ${dir}: ${(error as Error).message}` };
  }
  return {
    ok: true,
    group: {
      version: parent.version,
      path,
      limitBytes,
      procsFile: `${dir}/cgroup.procs`,
      async remove() {
        // A group goes once its last process has: give stragglers (orphans of the task) a moment.
        for (let attempt = 0; attempt < 100; attempt++) {
          try {
            fs.rmdirSync(dir);
            return true;
          } catch {
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
        return false;
      },
    },
  };
}
