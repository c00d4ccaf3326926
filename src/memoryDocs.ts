// The one place where the memory figures are explained. The status bar tooltip, the inspect panel,
// the debug view and the README (generated, checked by a test) all read from here.
// Written from the user's notes on Linux memory (VIRT, RES, SHR and how memory flows between them).
// Shared by the extension host and the webviews: no `vscode`, no DOM.

/** Every figure the extension shows. */
export type MemoryFigure =
  | 'res'
  | 'virt'
  | 'shr'
  | 'rssAnon'
  | 'rssFile'
  | 'rssShmem'
  | 'pss'
  | 'uss'
  | 'swap'
  | 'peakRes'
  | 'cgroup';

export interface MemoryDoc {
  /** The name top or the kernel uses. */
  label: string;
  /** A longer name for people who do not know the abbreviation. */
  title: string;
  /** One line: what it counts. Used where space is short (status bar tooltip, debug view). */
  summary: string;
  /** What makes it grow and what a high value usually means. */
  details: string;
  /** Where the number comes from, so it can be checked with procps. */
  source: string;
}

export const MEMORY_DOCS: Record<MemoryFigure, MemoryDoc> = {
  res: {
    label: 'RES',
    title: 'Resident memory',
    summary: 'Memory that is in physical RAM right now: what the process really costs the machine.',
    details:
      'A page becomes resident the first time the process reads or writes it, not when it is allocated. ' +
      'RES rises as the program touches new memory and can fall when the kernel reclaims pages under ' +
      'pressure from other programs. A RES that keeps climbing while the workload stays the same is ' +
      'the usual sign of a leak.',
    source: 'top RES, ps RSS: /proc/PID/statm resident × page size',
  },
  virt: {
    label: 'VIRT',
    title: 'Virtual memory',
    summary: 'All address space the process has reserved, whether or not it was ever touched.',
    details:
      'malloc, mmap, thread stacks and mapped libraries grow VIRT at once, but cost no RAM until they ' +
      'are used. A large VIRT with a small RES is normal (runtimes such as Node, the JVM and Go reserve ' +
      'big regions up front); VIRT alone says little about what a process costs.',
    source: 'top VIRT, ps VSZ: /proc/PID/statm size × page size',
  },
  shr: {
    label: 'SHR',
    title: 'Shared memory',
    summary: 'The part of RES that other processes can share: mostly loaded libraries and mapped files.',
    details:
      'Code of shared libraries and the program itself, files mapped into memory and shared memory ' +
      'segments. These pages can be shared with other processes that map the same files, so they are ' +
      'not all this process’s own cost. SHR is part of RES, not added to it.',
    source: 'top SHR: /proc/PID/statm shared × page size (RssFile + RssShmem)',
  },
  rssAnon: {
    label: 'Anon',
    title: 'Anonymous resident memory',
    summary: 'RES not backed by any file: heap, stacks and private allocations.',
    details: 'This is where the program’s own data lives. It only goes back to the system when the program frees it (and the allocator returns it) or it is swapped out.',
    source: '/proc/PID/status RssAnon',
  },
  rssFile: {
    label: 'File',
    title: 'File-backed resident memory',
    summary: 'RES that maps files: the program, its libraries and mmapped files.',
    details: 'Clean file pages can be dropped and read back from disk at any time, so this part of RES is cheap for the system to reclaim.',
    source: '/proc/PID/status RssFile',
  },
  rssShmem: {
    label: 'Shmem',
    title: 'Shared-memory resident memory',
    summary: 'RES in shared memory segments and tmpfs (System V, POSIX shm, memfd).',
    details: 'Used to pass data between processes without copying; it stays allocated as long as any process or file keeps it.',
    source: '/proc/PID/status RssShmem',
  },
  pss: {
    label: 'PSS',
    title: 'Proportional set size',
    summary: 'RES with each shared page divided among the processes that map it.',
    details: 'Adding up PSS over several processes gives their real total without counting shared libraries twice, which summing RES does. Use it to compare or total processes.',
    source: '/proc/PID/smaps_rollup Pss',
  },
  uss: {
    label: 'USS',
    title: 'Unique set size',
    summary: 'Memory only this process uses: what the system gets back if it exits.',
    details: 'The private pages, clean and dirty. The best single number for “what does this process cost on its own”.',
    source: '/proc/PID/smaps_rollup Private_Clean + Private_Dirty',
  },
  swap: {
    label: 'Swap',
    title: 'Swapped out',
    summary: 'Memory the kernel moved from RAM to swap space; it no longer counts in RES.',
    details: 'Swapped pages come back, slowly, when the process touches them again. Swap growing while RES stays flat means the machine is short of RAM.',
    source: '/proc/PID/status VmSwap',
  },
  peakRes: {
    label: 'Peak RES',
    title: 'Peak resident memory',
    summary: 'The highest RES this process has reached since it started.',
    details: 'What the process needed at its worst moment; size machines and container limits from this rather than from the current RES.',
    source: '/proc/PID/status VmHWM',
  },
  cgroup: {
    label: 'Limit',
    title: 'cgroup memory limit',
    summary: 'The most memory the process’s cgroup (container, systemd unit) may use before the kernel reclaims or kills.',
    details: 'The limit applies to every process in the group together, page cache included; the headroom is the limit minus what the whole group uses now.',
    source: '/sys/fs/cgroup/PATH/memory.max and memory.current (cgroup v2)',
  },
};

/** The three figures top prints, in top's order. */
export const TOP_FIGURES: readonly MemoryFigure[] = ['virt', 'res', 'shr'];

/** Practical advice from the user's notes, shown under the explanations. */
export const MEMORY_ADVICE: readonly string[] = [
  'Allocate what the program needs up front, at start-up, rather than a little at a time: the blocks end up next to each other, which helps the CPU cache, and RES stops drifting later.',
  'Keep data that is used together in adjacent memory (one array of structs rather than scattered objects), so touching it brings fewer pages and cache lines in.',
  'RES depends on the whole machine: when other programs need RAM the kernel may take pages back, so compare runs on the same machine under the same load.',
];

/** The docs as Markdown, for the README (generated and checked by a test). */
export function memoryDocsMarkdown(): string {
  const lines: string[] = [];
  for (const doc of Object.values(MEMORY_DOCS)) {
    lines.push(`- **${doc.label}** (${doc.title.toLowerCase()}): ${doc.summary} ${doc.details} _Source: ${doc.source}._`);
  }
  lines.push('', '**Making memory use better**', '');
  for (const advice of MEMORY_ADVICE) {
    lines.push(`- ${advice}`);
  }
  return lines.join('\n');
}
