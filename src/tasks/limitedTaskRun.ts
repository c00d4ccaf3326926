import * as vscode from 'vscode';
import { formatBytes } from '../../shared/format';
import { createChildGroup, limitMechanism } from '../proc/transientCgroup';
import { taskBudgetBytes } from './taskBudget';
import { TaskRecorder } from './taskRecorder';

const MiB = 1024 * 1024;

/** What `Memory: Run Task with Memory Limit` did: for tests and the API. */
export type LimitedRunStart =
  | { ok: true; how: 'systemd-scope' | 'child-group'; limitBytes: number; groupPath?: string }
  | { ok: false; why: string };

/** POSIX single quotes: the text stays one word, whatever it holds. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function quoted(value: string | vscode.ShellQuotedString): string {
  return shellQuote(typeof value === 'string' ? value : value.value);
}

/**
 * The same task, run so that its first process moves itself into the group before anything else
 * starts (`echo $$ > cgroup.procs`, then the command), or under `systemd-run --user --scope`.
 * Every process it starts inherits the group.
 */
function limitedExecution(
  execution: vscode.Task['execution'],
  wrap: { kind: 'child-group'; procsFile: string } | { kind: 'systemd-scope'; limitBytes: number },
): vscode.ShellExecution | vscode.ProcessExecution | undefined {
  const enter = wrap.kind === 'child-group' ? `echo $$ > ${shellQuote(wrap.procsFile)} && exec "$@"` : undefined;
  const scope = (limitBytes: number) => [
    'systemd-run',
    '--user',
    '--scope',
    '--quiet',
    '-p',
    `MemoryMax=${limitBytes}`,
    '-p',
    'MemorySwapMax=0',
    '--',
  ];
  if (execution instanceof vscode.ProcessExecution) {
    const argv = [execution.process, ...execution.args];
    return enter
      ? new vscode.ProcessExecution('/bin/sh', ['-c', enter, 'sh', ...argv], execution.options)
      : new vscode.ProcessExecution(scope((wrap as { limitBytes: number }).limitBytes)[0], [
          ...scope((wrap as { limitBytes: number }).limitBytes).slice(1),
          ...argv,
        ]);
  }
  if (execution instanceof vscode.ShellExecution) {
    const commandLine =
      execution.commandLine ??
      [execution.command, ...(execution.args ?? [])]
        .filter((part) => part !== undefined)
        .map(quoted)
        .join(' ');
    const line = enter
      ? `echo $$ > ${shellQuote((wrap as { procsFile: string }).procsFile)} && ${commandLine}`
      : `${scope((wrap as { limitBytes: number }).limitBytes).join(' ')} /bin/sh -c ${shellQuote(commandLine)}`;
    return new vscode.ShellExecution(line, execution.options);
  }
  return undefined; // CustomExecution: no process to put in a group
}

/**
 * Runs a task inside a transient memory cgroup whose limit is the budget, so a CI runner's OOM kill
 * can be reproduced here: a user systemd scope where a user systemd instance runs, else a child
 * group of our own where we may create one, else it says why not.
 */
export async function runTaskWithMemoryLimit(
  recorder: TaskRecorder,
  chosen?: vscode.Task | string,
  limitMiB?: number,
): Promise<LimitedRunStart> {
  const task = typeof chosen === 'object' ? chosen : await pickTask(chosen);
  if (!task) {
    return { ok: false, why: 'no task chosen' };
  }
  let bytes = limitMiB !== undefined ? Math.round(limitMiB * MiB) : undefined;
  if (bytes === undefined) {
    const budget = taskBudgetBytes(task.name);
    const answer = await vscode.window.showInputBox({
      title: `Memory limit for "${task.name}"`,
      prompt: 'MiB: what your CI runner or container gives the task',
      value: budget ? String(Math.round(budget / MiB)) : '',
      validateInput: (text) => (/^\d+(\.\d+)?$/.test(text.trim()) && Number(text) > 0 ? undefined : 'A number of MiB'),
    });
    if (answer === undefined) {
      return { ok: false, why: 'no limit given' };
    }
    bytes = Math.round(Number(answer) * MiB);
  }
  const fail = (why: string): LimitedRunStart => {
    void vscode.window.showErrorMessage(`Memory: "${task.name}" cannot be run with a memory limit here: ${why}`);
    return { ok: false, why };
  };
  if (task.execution instanceof vscode.CustomExecution || !task.execution) {
    return fail('it is a CustomExecution task, with no process to put in a cgroup');
  }
  const mechanism = limitMechanism();
  if (mechanism.kind === 'none') {
    return fail(mechanism.why);
  }
  let execution: vscode.ShellExecution | vscode.ProcessExecution | undefined;
  let result: LimitedRunStart;
  if (mechanism.kind === 'child-group') {
    const created = createChildGroup(mechanism.parent, `proc-memory-task-${process.pid}-${Date.now()}`, bytes);
    if (!created.ok) {
      return fail(created.why);
    }
    const group = created.group;
    execution = limitedExecution(task.execution, { kind: 'child-group', procsFile: group.procsFile });
    recorder.expectGroup(task.name, { group, limitBytes: bytes, release: () => void group.remove() });
    result = { ok: true, how: 'child-group', limitBytes: bytes, groupPath: group.path };
  } else {
    execution = limitedExecution(task.execution, { kind: 'systemd-scope', limitBytes: bytes });
    recorder.expectGroup(task.name, { limitBytes: bytes, release: () => undefined });
    result = { ok: true, how: 'systemd-scope', limitBytes: bytes };
  }
  const limited = new vscode.Task(
    task.definition,
    task.scope ?? vscode.TaskScope.Workspace,
    task.name,
    task.source,
    execution,
    task.problemMatchers,
  );
  limited.presentationOptions = task.presentationOptions;
  await vscode.tasks.executeTask(limited);
  void vscode.window.setStatusBarMessage(
    `$(pulse) ${task.name}: running with a ${formatBytes(bytes)} memory limit`,
    5000,
  );
  return result;
}

async function pickTask(label: string | undefined): Promise<vscode.Task | undefined> {
  const tasks = await vscode.tasks.fetchTasks();
  if (label !== undefined) {
    return tasks.find((task) => task.name === label);
  }
  const picked = await vscode.window.showQuickPick(
    tasks.map((task) => ({ label: task.name, description: task.source, task })),
    { title: 'Run Task with Memory Limit', placeHolder: 'The task to run inside a cgroup with a memory limit' },
  );
  return picked?.task;
}
