import { ProcessRow } from './processTable';

/** Every process below `pid` in the tree (children, grandchildren, ...). */
export function descendants(rows: readonly ProcessRow[], pid: number): ProcessRow[] {
  const children = new Map<number, ProcessRow[]>();
  for (const row of rows) {
    const siblings = children.get(row.ppid);
    if (siblings) {
      siblings.push(row);
    } else {
      children.set(row.ppid, [row]);
    }
  }
  const result: ProcessRow[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.pop() as number) ?? []) {
      result.push(child);
      queue.push(child.identity.pid);
    }
  }
  return result;
}
