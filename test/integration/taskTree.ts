// The task-tree program (test/programs/taskTree.c) for the task tests: compiled here, run as a
// shell task, its processes known from what it writes down itself, its PSS sampled by the test.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ProcMemoryApi } from '../../src/extension';
import type { FinishedTaskRun } from '../../src/tasks/taskRecorder';
import { shellTask, waitFor } from './helpers';

const SOURCE = path.resolve(__dirname, '..', '..', '..', 'test', 'programs', 'taskTree.c');

/** The program's own list of its processes: PID -> role. */
export function programTree(dir: string): Map<number, string> {
  const tree = new Map<number, string>();
  for (const pid of readdirSync(path.join(dir, 'roles'))) {
    tree.set(Number(pid), readFileSync(path.join(dir, 'roles', pid), 'utf8'));
  }
  return tree;
}

/** Sums Pss of smaps_rollup over the PIDs the program wrote, every 50 ms, until stopped: the test's own peak. */
export function samplePssPeak(dir: string): { stop(): number } {
  let peak = 0;
  const timer = setInterval(() => {
    let sum = 0;
    for (const pid of existsSync(path.join(dir, 'pids')) ? readdirSync(path.join(dir, 'pids')) : []) {
      try {
        const match = /\nPss:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
        sum += match ? Number(match[1]) * 1024 : 0;
      } catch {
        // exited
      }
    }
    peak = Math.max(peak, sum);
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}

export async function runTreeTask(
  api: ProcMemoryApi,
  binary: string,
  label: string,
  options: { scaleMiB?: number; exitCode?: number } = {},
): Promise<{ finished: FinishedTaskRun; dir: string; measuredPeak: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'task-tree-'));
  mkdirSync(path.join(dir, 'pids'));
  mkdirSync(path.join(dir, 'roles'));
  mkdirSync(path.join(dir, 'allocated'));
  const before = api.tasks.finished.length;
  const sampler = samplePssPeak(dir);
  const task = shellTask(label, `'${binary}' '${dir}' ${options.scaleMiB ?? 8} ${options.exitCode ?? 0} wait`);
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Never };
  await vscode.tasks.executeTask(task);
  // Child 0 lives 200 ms when nobody waits for it: too short for a sampler on a loaded machine to be
  // sure to see it (a sampler cannot see what lives less than its interval; the README says so).
  // It exits once the recording has it as a member, so the test checks what the walk keeps of it.
  const child0 = () => [...programTree(dir)].find(([, role]) => role.startsWith('child-0'))?.[0];
  await waitFor(
    'the recording to see child 0',
    () => {
      const pid = child0();
      const run = api.tasks.running.find((candidate) => candidate.label === label);
      return pid !== undefined && run?.walk.members.some((member) => member.identity.pid === pid);
    },
    30000,
  );
  writeFileSync(path.join(dir, 'release-child-0'), '');
  const finished = await waitFor('the task run to be recorded', () => api.tasks.finished[before], 60000);
  return { finished, dir, measuredPeak: sampler.stop() };
}

export function compileTaskTree(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'task-tree-bin-'));
  const binary = path.join(dir, 'taskTree');
  execFileSync('cc', ['-O2', '-o', binary, SOURCE]);
  return binary;
}
