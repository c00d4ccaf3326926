// Hover docs of each term of the runtime's own account of RES at a stop (shared/runtimeAccount.ts),
// in the same shape as the other figures' docs; memoryDocsMarkdown puts them in the README.
// Shared by the extension host and the webviews: no `vscode`, no DOM.
import type { MemoryDoc } from './memoryDocs';
import type { AccountTermKey } from './runtimeAccount';

export const ACCOUNT_DOCS: Record<AccountTermKey, MemoryDoc> = {
  jsHeap: {
    label: 'JS heap',
    title: "V8's heap",
    summary:
      'Where JavaScript objects live: the resident part of the heap V8 reserved, with how much of it live objects use.',
    details:
      'V8 grows its heap in pages and gives them back only after garbage collection finds them empty, so the heap can be much larger than what is used. A used figure that climbs from stop to stop, across collections, is a JavaScript leak: take a heap snapshot to find what holds the objects.',
    source:
      'v8.getHeapStatistics().total_physical_size (else process.memoryUsage().heapTotal), and heapUsed, evaluated in the stopped frame',
  },
  external: {
    label: 'external',
    title: 'Memory outside the JS heap that JavaScript objects own',
    summary: 'Buffers, ArrayBuffers and what native modules told V8 they hold.',
    details:
      'A 64 MiB Buffer is a few bytes in the JS heap and 64 MiB here. It is counted when allocated, whether the program wrote to it or not, so it can exceed what is resident. It goes down when the objects that own it are collected.',
    source: 'process.memoryUsage().external (arrayBuffers is part of it), evaluated in the stopped frame',
  },
  mallocInUse: {
    label: 'in use by malloc',
    title: 'Memory the C allocator has handed out',
    summary: 'Blocks malloc handed out and that were not freed yet, including the large ones it mmapped.',
    details:
      'The C and C++ code of the program, the interpreter and its libraries allocate here (in Python, objects above 512 bytes and the buffers of large strings, lists and arrays). Counted when handed out, so untouched pages make it larger than what is resident.',
    source:
      "glibc's mallinfo2(): uordblks + hblkhd, called in the stopped program (ctypes in Python, an lldb expression in native code)",
  },
  mallocFreeKept: {
    label: 'free but kept by malloc',
    title: 'Memory freed by the program and kept by the C allocator',
    summary:
      'Freed blocks malloc keeps for later instead of returning them to the system: why RES does not go down after a free.',
    details:
      'glibc returns memory only from the top of an arena or whole mmapped blocks; holes left between live blocks stay resident and are reused by later mallocs. A large figure after freeing many small objects is fragmentation, not a leak. malloc_trim(0) can give some of it back.',
    source: "glibc's mallinfo2(): fordblks (keepcost: what malloc_trim could return from the top)",
  },
  code: {
    label: 'code and libraries',
    title: 'The program file and its shared libraries',
    summary:
      'Resident pages of the executable and the libraries it loaded: code, read-only data and their writable data.',
    details:
      'Mostly shared with other processes that use the same files, and read back from disk if the kernel drops them. It grows when the program loads more libraries, not with its data.',
    source: '/proc/PID/smaps read at the stop: Rss of the mappings of the executable and of shared libraries',
  },
  rest: {
    label: 'the rest',
    title: 'What the named parts do not explain',
    summary:
      'RES minus the named parts: thread stacks, memory mapped directly, allocator metadata, and whatever the runtime does not report.',
    details:
      "In Python this includes pymalloc's arenas, where objects of up to 512 bytes live. Negative when the named parts count memory that is not resident (allocated but never written) or overlap. A rest that grows from stop to stop is memory none of the runtime's figures explain: look at what changed between the stops by kind of mapping.",
    source: 'RES (/proc/PID/statm at the stop) minus the other terms',
  },
};
