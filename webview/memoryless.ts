import type { ProcessSnapshot } from '../shared/model';

/**
 * Why a process has no memory figures. Not a figure explanation (those live in MEMORY_DOCS only):
 * this says why there is nothing to explain, instead of showing zeros that look like a reading.
 */
export function memorylessReason(kind: NonNullable<ProcessSnapshot['memoryless']>): { title: string; text: string } {
  switch (kind) {
    case 'kernel-thread':
      return {
        title: 'Kernel thread: no memory of its own',
        text: 'This task runs inside the kernel and has no user-space address space, so there is no RES, VIRT or SHR to show; top prints 0 for it. The memory it uses is counted as kernel memory, not per process.',
      };
    case 'zombie':
      return {
        title: 'Zombie: the process has exited',
        text: 'Its memory has already been returned to the system. Only an entry in the process table remains, until its parent collects the exit status (wait). If zombies pile up, the parent is the program to look at.',
      };
  }
}
