import * as vscode from 'vscode';

const MiB = 1024 * 1024;

/**
 * The memory budget of a task in bytes, from `procMemory.tasks.memoryBudgetMiB`: one number for
 * every task, or an object by task label (with `"*"` for the others). Undefined: no budget.
 */
export function taskBudgetBytes(label: string): number | undefined {
  const value = vscode.workspace.getConfiguration('procMemory').get<unknown>('tasks.memoryBudgetMiB');
  const mib =
    typeof value === 'number'
      ? value
      : typeof value === 'object' && value !== null && !Array.isArray(value)
        ? ((value as Record<string, unknown>)[label] ?? (value as Record<string, unknown>)['*'])
        : undefined;
  return typeof mib === 'number' && Number.isFinite(mib) && mib > 0 ? Math.round(mib * MiB) : undefined;
}
