// The one place where the memory figures are explained. The status bar tooltip, the inspect panel,
// the debug view and the README (generated, checked by a test) all read from here.
// Written from the user's notes on Linux memory (VIRT, RES, SHR and how memory flows between them).
// Shared by the extension host and the webviews: no `vscode`, no DOM.
import type { MappingKind } from './model';
import { ACCOUNT_DOCS } from './runtimeAccountDocs';

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
  | 'cgroup'
  | 'cgroupUsage'
  | 'workingSet'
  | 'eventsHigh'
  | 'eventsMax'
  | 'eventsOom'
  | 'oomKill'
  | 'failcnt'
  | 'oomScore'
  | 'oomScoreAdj'
  | 'minorFaults'
  | 'majorFaults'
  | 'pressureSome'
  | 'pressureFull'
  | 'leakForecast';

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
    details:
      'This is where the program’s own data lives. It only goes back to the system when the program frees it (and the allocator returns it) or it is swapped out.',
    source: '/proc/PID/status RssAnon',
  },
  rssFile: {
    label: 'File',
    title: 'File-backed resident memory',
    summary: 'RES that maps files: the program, its libraries and mmapped files.',
    details:
      'Clean file pages can be dropped and read back from disk at any time, so this part of RES is cheap for the system to reclaim.',
    source: '/proc/PID/status RssFile',
  },
  rssShmem: {
    label: 'Shmem',
    title: 'Shared-memory resident memory',
    summary: 'RES in shared memory segments and tmpfs (System V, POSIX shm, memfd).',
    details:
      'Used to pass data between processes without copying; it stays allocated as long as any process or file keeps it.',
    source: '/proc/PID/status RssShmem',
  },
  pss: {
    label: 'PSS',
    title: 'Proportional set size',
    summary: 'RES with each shared page divided among the processes that map it.',
    details:
      'Adding up PSS over several processes gives their real total without counting shared libraries twice, which summing RES does. Use it to compare or total processes.',
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
    details:
      'Swapped pages come back, slowly, when the process touches them again. Swap growing while RES stays flat means the machine is short of RAM.',
    source: '/proc/PID/status VmSwap',
  },
  peakRes: {
    label: 'Peak RES',
    title: 'Peak resident memory',
    summary: 'The highest RES this process has reached since it started.',
    details:
      'What the process needed at its worst moment; size machines and container limits from this rather than from the current RES.',
    source: '/proc/PID/status VmHWM',
  },
  cgroup: {
    label: 'Limit',
    title: 'cgroup memory limit',
    summary:
      'The most memory the process’s cgroup (container, systemd unit) may use before the kernel reclaims or kills.',
    details:
      'The limit applies to every process in the group together, page cache included, and a limit on any parent group applies too. ' +
      'The headroom is the limit minus the working set (not the usage) of the level that sets it: the kernel reclaims inactive page cache before it kills anything. ' +
      'Shown for the level with the least headroom; memory.high throttles the group (it is slowed down and reclaimed hard) rather than killing.',
    source:
      'memory.max and memory.high on every level up /sys/fs/cgroup/PATH (cgroup v2); memory.limit_in_bytes on every level and hierarchical_memory_limit in memory.stat under /sys/fs/cgroup/memory (v1, on older and hybrid hosts)',
  },
  cgroupUsage: {
    label: 'Usage',
    title: 'cgroup memory usage',
    summary:
      'Everything charged to the process’s cgroup: the memory of all its processes, plus the page cache of the files they read and wrote.',
    details:
      'The page cache makes it look fuller than it is: reading a big file can fill it to the limit without any danger, because the kernel drops clean cache first. ' +
      'This is what `docker stats` has long shown; compare the working set with the limit instead.',
    source: 'memory.current (cgroup v2); memory.usage_in_bytes (v1)',
  },
  workingSet: {
    label: 'Working set',
    title: 'cgroup working set',
    summary: 'The usage of the cgroup minus its inactive page cache: the memory it cannot easily give back.',
    details:
      'It differs from the usage by file pages that were not used recently, which the kernel reclaims before it OOM-kills anything. ' +
      'This is what the kubelet and cAdvisor compare with the limit to evict containers; when it reaches the limit, the OOM killer comes next.',
    source:
      'usage − inactive_file of memory.stat (cgroup v2); usage_in_bytes − total_inactive_file of memory.stat (v1); clamped at 0',
  },
  leakForecast: {
    label: 'Leak forecast',
    title: 'Forecast of RES growth against the limit',
    summary:
      'Whether RES keeps growing, judged from its lowest points over the last 10 minutes, and when it would meet the cgroup limit or run the machine out of available memory.',
    details:
      'A program that grows while it starts, or that rises and falls back as a garbage collector runs, is not leaking: the first 30 s of a process are left out, and the line is fitted to the lowest reading of each twelfth of the window, so a sawtooth counts by the base it returns to. ' +
      'Growth counts as sustained only when the lowest reading rises from each third of the window to the next; R² says how well the line fits (under 0.8, no forecast is made). ' +
      'The time to the limit assumes the group’s working set grows as RES does; other processes in the group, or memory freed later, change it.',
    source:
      'RES from /proc/PID/statm over time; the headroom of the tightest cgroup level (limit − its working set), or MemAvailable from /proc/meminfo when that is tighter or no level has a limit',
  },
  eventsHigh: {
    label: 'high',
    title: 'Times over memory.high',
    summary: 'How often the group went over its memory.high and was throttled and reclaimed.',
    details:
      'Counts this group and the groups below it. Rising while memory.high is set means the group runs slowed down at its soft limit; it is not a kill.',
    source: 'memory.events high (cgroup v2)',
  },
  eventsMax: {
    label: 'max',
    title: 'Times at memory.max',
    summary: 'How often the group’s usage hit memory.max and the kernel had to reclaim to make room.',
    details:
      'Rises in normal use when the page cache fills the group up to its limit, so on its own it is no danger; it matters together with oom and oom_kill.',
    source: 'memory.events max (cgroup v2)',
  },
  eventsOom: {
    label: 'oom',
    title: 'Out-of-memory situations',
    summary: 'How often reclaim failed at the limit and the group was out of memory.',
    details:
      'Each time, the OOM killer is called (unless disabled) and usually kills a process, which oom_kill counts.',
    source: 'memory.events oom (cgroup v2)',
  },
  oomKill: {
    label: 'oom_kill',
    title: 'Processes OOM-killed',
    summary: 'How many processes of the group the kernel’s OOM killer has killed.',
    details:
      'When a process ends while this count rises, the OOM killer most likely killed it; another process of the group may have been the victim instead. ' +
      'A SIGKILL from systemd-oomd, earlyoom or a person does not raise it, and exit code 137 alone proves nothing.',
    source:
      'memory.events.local oom_kill, this group only (cgroup v2, Linux 5.2+; else memory.events oom_kill); memory.oom_control oom_kill (v1, which counts the victim’s group only)',
  },
  failcnt: {
    label: 'failcnt',
    title: 'Times at the limit',
    summary: 'How often the group’s usage hit memory.limit_in_bytes and the kernel had to reclaim.',
    details:
      'Rises in normal use when the page cache fills the group up to its limit, so on its own it is no danger; it matters together with oom_kill.',
    source: 'memory.failcnt (cgroup v1)',
  },
  oomScore: {
    label: 'OOM score',
    title: 'Out-of-memory killer score',
    summary: 'How the kernel ranks the process for the OOM killer: it kills the highest score first.',
    details:
      'Mostly the share of memory (RES, swap and page tables) the process holds, in thousandths, plus its oom_score_adj; since Linux 5.9 the kernel shows two thirds of 1000 plus that sum, so it ranges from 0 to 2000 and an idle process with adj 0 reads about 667. ' +
      'In a cgroup OOM the kernel ranks the processes of the group against the group’s limit instead.',
    source: '/proc/PID/oom_score',
  },
  oomScoreAdj: {
    label: 'OOM adj',
    title: 'OOM score adjustment',
    summary: 'The bias added to the OOM score: −1000 never kills the process, 1000 makes it the first victim.',
    details:
      'Set by the process itself, its parent or its service manager (systemd OOMScoreAdjust=, Kubernetes QoS classes, Chrome for its tabs). Inherited across fork.',
    source: '/proc/PID/oom_score_adj',
  },
  minorFaults: {
    label: 'Minor faults',
    title: 'Minor page faults per second',
    summary: 'Pages the process touched that the kernel could give it without reading the disk.',
    details:
      'The first touch of newly allocated memory, a page already in the page cache, copy-on-write after fork. ' +
      'A high rate while RES grows is the program allocating; a high rate with a flat RES is memory being allocated and freed over and over.',
    source: '/proc/PID/stat field 10 (minflt), its change between two readings; ps -o min_flt',
  },
  pressureSome: {
    label: 'some',
    title: 'Memory pressure, some tasks',
    summary:
      'The share of time in which at least one task waited for memory (reclaim, swap-in, refaults of page cache).',
    details:
      'Pressure stall information (PSI), averaged over the last 10 and 60 seconds. A few percent means memory is tight and some work is slowed; a value that stays high is the early sign of an out-of-memory situation, before any kill. ' +
      'The system figure covers the whole machine; the group figure only the tasks of the process’s cgroup in the unified (v2) hierarchy, which on hybrid hosts is not the v1 group that holds the limit.',
    source:
      '/proc/pressure/memory, and memory.pressure of the process’s group in the cgroup2 hierarchy (found through /proc/self/mountinfo and the 0:: line of /proc/PID/cgroup): avg10 and avg60 of the some line',
  },
  pressureFull: {
    label: 'full',
    title: 'Memory pressure, all tasks',
    summary:
      'The share of time in which all non-idle tasks waited for memory at once: time in which nothing useful ran.',
    details:
      'Any sustained value here is serious: the machine or the group is thrashing. It is the signal systemd-oomd acts on to kill before the kernel has to.',
    source:
      '/proc/pressure/memory, and memory.pressure of the process’s group in the cgroup2 hierarchy: avg10 and avg60 of the full line',
  },
  majorFaults: {
    label: 'Major faults',
    title: 'Major page faults per second',
    summary: 'Pages that had to be read from disk or swap before the process could go on.',
    details:
      'The first read of any file page is one, so a program starting or opening files has some. ' +
      'They only mean thrashing when they persist together with memory pressure or swap-in: then the process waits for the disk instead of running.',
    source: '/proc/PID/stat field 12 (majflt), its change between two readings; ps -o maj_flt',
  },
};

/**
 * The kinds of mapping in the inspect panel's "Where RES lives": /proc/PID/smaps summed by what
 * each mapping holds (src/proc/smaps.ts decides the kind from its path).
 */
export const MAPPING_DOCS: Record<MappingKind, MemoryDoc> = {
  heap: {
    label: 'Heap',
    title: 'The [heap] mapping',
    summary: 'The classic heap that malloc grows with brk: mostly small allocations of C and C++ code.',
    details:
      'Only the area the kernel names [heap]. Allocators take big blocks with mmap instead, and runtimes such as V8, the JVM and Go keep their heaps in mapped regions, which count as anonymous. A [heap] that only grows points at C-level allocations that are never freed.',
    source: '/proc/PID/smaps: the mapping named [heap]',
  },
  stack: {
    label: 'Stack',
    title: 'Main thread stack',
    summary: 'The stack of the main thread: call frames and local variables.',
    details:
      'It grows with deep recursion and large local arrays and is rarely given back. The stacks of other threads are plain anonymous mappings and count there.',
    source: '/proc/PID/smaps: the mapping named [stack]',
  },
  program: {
    label: 'Program',
    title: 'The program’s own file',
    summary: 'The executable itself: its code and constant data, mapped from disk.',
    details:
      'Clean pages are shared with every process running the same file and can be read back from disk, so they cost little; big runtimes (Node, Electron, Chrome) show a large part here that is mostly code. Only recognised when /proc/PID/exe can be read; otherwise it counts as files.',
    source: '/proc/PID/smaps: mappings of the file /proc/PID/exe points to',
  },
  libraries: {
    label: 'Libraries',
    title: 'Shared libraries',
    summary: 'Code and data of the shared libraries (.so files) the process has loaded.',
    details:
      'Library code is shared with every process that loads the same file, so its PSS is small; the private part is each library’s own writable data.',
    source: '/proc/PID/smaps: file mappings whose name ends in .so or has .so. in it (libc.so.6)',
  },
  files: {
    label: 'Files',
    title: 'Other mapped files',
    summary: 'Other files mapped into memory: data files, fonts, locale tables, caches, databases.',
    details:
      'The pages come from the file, so the kernel can drop the clean ones under pressure and read them again later. A large part here usually means a program that maps its data (a database, a search index).',
    source: '/proc/PID/smaps: mappings of any other file',
  },
  shmem: {
    label: 'Shared memory',
    title: 'Shared memory segments',
    summary: 'POSIX (/dev/shm), System V, memfd and shared anonymous memory.',
    details:
      'Used to pass data between processes without copying (browsers, Wayland, databases). It stays allocated while any process maps it, and a /dev/shm file until it is deleted.',
    source: '/proc/PID/smaps: /dev/shm/…, /SYSV…, /memfd:… and /dev/zero (deleted) mappings',
  },
  anonymous: {
    label: 'Anonymous',
    title: 'Anonymous mappings',
    summary: 'Memory backed by no file: mmapped allocations, thread stacks and the heaps of runtimes (V8, JVM, Go).',
    details:
      'Most of a modern program’s own data lives here, big buffers included. It only goes back to the system when the program unmaps it or it is swapped out; a leak usually shows as this part growing.',
    source: '/proc/PID/smaps: mappings without a name, and [anon:NAME]',
  },
  kernel: {
    label: 'Kernel',
    title: 'Mappings the kernel provides',
    summary:
      'Pages the kernel maps into every process ([vdso], [vvar], [vsyscall]) to make some system calls fast, and memory that drivers map in.',
    details:
      'A few KiB shared by all processes, nothing the program controls; a large value means a driver mapping (anon_inode:…, e.g. io_uring rings).',
    source: '/proc/PID/smaps: [vdso], [vvar], [vsyscall] and anon_inode: mappings',
  },
};

/** The figures of the inspect panel's "Will it run out of memory?" section, in the README's order. */
export const OUT_OF_MEMORY_FIGURES: readonly MemoryFigure[] = [
  'leakForecast',
  'cgroupUsage',
  'workingSet',
  'eventsHigh',
  'eventsMax',
  'eventsOom',
  'oomKill',
  'failcnt',
  'oomScore',
  'oomScoreAdj',
  'pressureSome',
  'pressureFull',
  'minorFaults',
  'majorFaults',
];

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
  // An acronym ("OOM score adjustment") keeps its case.
  const lower = (title: string) => (/^[A-Z]{2}/.test(title) ? title : title.charAt(0).toLowerCase() + title.slice(1));
  const item = (doc: MemoryDoc) =>
    `- **${doc.label}** (${lower(doc.title)}): ${doc.summary} ${doc.details} _Source: ${doc.source}._`;
  const entries = Object.entries(MEMORY_DOCS) as [MemoryFigure, MemoryDoc][];
  lines.push(...entries.filter(([figure]) => !OUT_OF_MEMORY_FIGURES.includes(figure)).map(([, doc]) => item(doc)));
  lines.push(
    '',
    '**Will it run out of memory?** (the inspect panel’s section on the cgroup, the OOM killer, memory pressure and page faults)',
    '',
  );
  lines.push(...OUT_OF_MEMORY_FIGURES.map((figure) => item(MEMORY_DOCS[figure])));
  lines.push('', '**Where RES lives** (the inspect panel sums /proc/PID/smaps by kind of mapping)', '');
  for (const doc of Object.values(MAPPING_DOCS)) {
    lines.push(item(doc));
  }
  lines.push('', '**The runtime’s own account at a stop** (what V8, CPython or glibc malloc say they hold)', '');
  lines.push(...Object.values(ACCOUNT_DOCS).map(item));
  lines.push('', '**Making memory use better**', '');
  for (const advice of MEMORY_ADVICE) {
    lines.push(`- ${advice}`);
  }
  return lines.join('\n');
}
