/**
 * A task's tree: what one recording interval costs (ProcessTreeWalk.walk(): the subtree through
 * /proc/PID/task/TID/children, then status and smaps_rollup of every member) on a real tree of
 * 200 processes, against `ps -e --forest` and a full /proc scan with the tree cut out of it, in
 * the same run. Target: the walk, memory reads included, costs less than spawning ps --forest.
 */
import { spawn, spawnSync } from 'child_process';
import { childProcesses } from '../src/proc/processChildren';
import { readIdentity } from '../src/proc/processIdentity';
import { descendants } from '../src/proc/processTree';
import { ProcessTreeWalk } from '../src/proc/processTreeWalk';
import { scanProcessTable } from '../src/proc/processTable';
import { Plan, Summary, summarize, timeSync } from './measure';

/** 1 shell + 20 subshells x 9 sleeps + the 20 subshells = 201 processes. */
const SUBSHELLS = 20;
const SLEEPS_EACH = 9;
const WALK_PLAN: Plan = { warmup: 5, batches: 10, perBatch: 2, budgetMs: 3000 };
const SPAWN_PLAN: Plan = { warmup: 2, batches: 10, perBatch: 1, budgetMs: 3000 };

export interface TreeCost {
  id: string;
  operation: string;
  summary?: Summary;
  skipped?: string;
}

export async function benchTaskTree(): Promise<{ members: number; costs: TreeCost[] }> {
  const script = `i=0; while [ $i -lt ${SUBSHELLS} ]; do (j=0; while [ $j -lt ${SLEEPS_EACH} ]; do sleep 600 & j=$((j+1)); done; wait) & i=$((i+1)); done; wait`;
  const tree = spawn('sh', ['-c', script], { stdio: 'ignore', detached: true });
  const pid = tree.pid as number;
  try {
    const expected = SUBSHELLS * (SLEEPS_EACH + 1);
    const deadline = Date.now() + 20000;
    let count = 0;
    while (Date.now() < deadline) {
      const children = childProcesses(pid);
      // Wait until every sleep has exec'd (a forked shell is not yet `sleep`).
      count = children.ok ? children.value.filter((child) => child.name === 'sleep').length : 0;
      if (count >= SUBSHELLS * SLEEPS_EACH) {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const identity = readIdentity(pid);
    if (count < SUBSHELLS * SLEEPS_EACH || !identity.ok) {
      return { members: count, costs: [{ id: 'tree-walk', operation: 'walk', skipped: 'the tree did not start' }] };
    }
    const walk = new ProcessTreeWalk(identity.value);
    const members = walk.walk().members.length;
    const time = (plan: Plan, operation: () => unknown) => summarize(timeSync(plan, operation), plan.perBatch);
    return {
      members,
      costs: [
        {
          id: 'tree-walk',
          operation: `ProcessTreeWalk.walk(): ${members} members, with status + smaps_rollup each`,
          summary: time(WALK_PLAN, () => walk.walk()),
        },
        {
          id: 'tree-children',
          operation: `childProcesses(root): the subtree alone (${expected + 1} processes)`,
          summary: time(WALK_PLAN, () => childProcesses(pid)),
        },
        {
          id: 'tree-ps-forest',
          operation: 'spawn ps -e --forest -o pid,ppid,rss,comm',
          summary: time(SPAWN_PLAN, () => spawnSync('ps', ['-e', '--forest', '-o', 'pid,ppid,rss,comm'])),
        },
        {
          id: 'tree-scan',
          operation: 'scanProcessTable() + descendants(): every process, the tree cut out',
          summary: time(SPAWN_PLAN, () => {
            const table = scanProcessTable();
            return table.ok ? descendants(table.value, pid) : [];
          }),
        },
      ],
    };
  } finally {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
