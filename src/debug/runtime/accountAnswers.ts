// What each runtime is asked for its account, and how its answer is read. Pure functions, no
// `vscode`: the answers come from programs being debugged, so every field is checked and a cut
// or garbled answer gets a reason, never a half-read account.
import { MallocFigures, RuntimeFigures } from '../../../shared/runtimeAccount';
import { unquoteResult } from './evaluateAtStop';

export type Parsed = { ok: true; figures: RuntimeFigures } | { ok: false; reason: string };

/**
 * Evaluated in the stopped JavaScript frame: returns a string (an object would stay alive in
 * js-debug's console object group). An arrow function binds no name in the frame; `globalThis`
 * so a local `process` cannot shadow it; `process.getBuiltinModule` (Node ≥ 20.16 / 22.3) because
 * an ES module frame has no `require`.
 */
export const NODE_ACCOUNT_EXPRESSION =
  '(() => { const p = globalThis.process; let h = null; try { const v8 = p.getBuiltinModule ? ' +
  "p.getBuiltinModule('v8') : undefined; h = v8 ? v8.getHeapStatistics() : null; } catch {} " +
  'return JSON.stringify({ m: p.memoryUsage(), h, v: p.version }); })()';

export function parseNodeAnswer(result: string): Parsed {
  const data = jsonOf(result);
  if (!data.ok) {
    return data;
  }
  const answer = data.value as { m?: Record<string, unknown>; h?: Record<string, unknown> | null; v?: unknown };
  const memory = answer?.m;
  if (typeof memory !== 'object' || memory === null) {
    return { ok: false, reason: `the program answered without process.memoryUsage(): ${preview(result)}` };
  }
  const fields = ['heapTotal', 'heapUsed', 'external', 'arrayBuffers'] as const;
  const bad = fields.find((field) => !isBytes(memory[field]));
  if (bad) {
    return { ok: false, reason: `process.memoryUsage().${bad} is not a byte count: ${preview(result)}` };
  }
  const physical = answer.h?.total_physical_size;
  return {
    ok: true,
    figures: {
      runtime: 'node',
      version: typeof answer.v === 'string' ? answer.v.slice(0, 40) : 'unknown',
      heapTotalBytes: memory.heapTotal as number,
      heapUsedBytes: memory.heapUsed as number,
      externalBytes: memory.external as number,
      arrayBuffersBytes: memory.arrayBuffers as number,
      ...(isBytes(physical) ? { heapPhysicalBytes: physical } : {}),
    },
  };
}

/** The value of the Python helper's `account()` (see pythonHelperSource.ts). */
export function parsePythonAccount(value: unknown): Parsed {
  const data = value as Record<string, unknown> | null;
  if (typeof data !== 'object' || data === null) {
    return { ok: false, reason: 'the helper answered something that is not an account' };
  }
  if (!isCount(data.allocatedBlocks)) {
    return { ok: false, reason: 'sys.getallocatedblocks() is missing from the answer' };
  }
  const gcCounts = Array.isArray(data.gcCounts) && data.gcCounts.every(isCount) ? (data.gcCounts as number[]) : [];
  const traced = data.tracemalloc as Record<string, unknown> | undefined;
  const tracemalloc =
    traced && isBytes(traced.current) && isBytes(traced.peak) && isBytes(traced.overhead)
      ? { currentBytes: traced.current, peakBytes: traced.peak, overheadBytes: traced.overhead }
      : undefined;
  const malloc = data.malloc as { mallinfo2?: unknown; unavailable?: unknown } | undefined;
  let figures: MallocFigures | { unavailable: string };
  if (malloc && typeof malloc.unavailable === 'string') {
    figures = { unavailable: malloc.unavailable.slice(0, 300) };
  } else {
    const parsed = mallocFigures(malloc?.mallinfo2 as Record<string, unknown> | undefined);
    figures = parsed ?? { unavailable: 'the answer had no readable mallinfo2() figures' };
  }
  return {
    ok: true,
    figures: {
      runtime: 'python',
      version: typeof data.version === 'string' ? data.version.slice(0, 40) : 'unknown',
      allocatedBlocks: data.allocatedBlocks,
      gcCounts: gcCounts.slice(0, 3),
      ...(tracemalloc ? { tracemalloc } : {}),
      malloc: figures,
    },
  };
}

/** The fields of glibc's struct mallinfo2, in order: the struct the lldb expression declares. */
export const MALLINFO2_FIELDS = [
  'arena',
  'ordblks',
  'smblks',
  'hblks',
  'hblkhd',
  'usmblks',
  'fsmblks',
  'uordblks',
  'fordblks',
  'keepcost',
] as const;

function mallocFigures(fields: Record<string, unknown> | undefined): MallocFigures | undefined {
  if (!fields || !MALLINFO2_FIELDS.every((name) => isBytes(fields[name]))) {
    return undefined;
  }
  const get = (name: (typeof MALLINFO2_FIELDS)[number]) => fields[name] as number;
  return {
    arenaBytes: get('arena'),
    inUseBytes: get('uordblks'),
    mmappedBytes: get('hblkhd'),
    freeKeptBytes: get('fordblks'),
    trimmableBytes: get('keepcost'),
  };
}

/**
 * lldb's print of the struct, e.g. `(struct $mi2) $0 = {\n  arena = 135168\n  …\n}`: every field
 * must be there once, as a plain unsigned number.
 */
export function parseLldbMallinfo(output: string): MallocFigures | { error: string } {
  const errorLine = output.split('\n').find((line) => /^error:/.test(line.trim()));
  if (errorLine) {
    return { error: errorLine.trim().slice(0, 300) };
  }
  const fields: Record<string, number> = {};
  for (const match of output.matchAll(/^\s*(\w+) = (\d+)\s*$/gm)) {
    if (match[1] in fields) {
      return { error: `lldb printed ${match[1]} twice` };
    }
    fields[match[1]] = Number(match[2]);
  }
  const figures = mallocFigures(fields);
  return figures ?? { error: `lldb's answer is not a whole mallinfo2 struct: ${preview(output)}` };
}

/**
 * Frames of glibc's allocator (and of its locks): calling mallinfo2() while a thread is stopped in
 * one of them can wait forever for the arena lock that thread holds.
 */
const MALLOC_FRAME =
  /(^|[^a-z])(_?_?libc_)?(malloc|free|cfree|calloc|realloc|reallocarray|memalign|posix_memalign|aligned_alloc|valloc|pvalloc|mallinfo2?|malloc_trim|malloc_stats|malloc_info)$|_int_(malloc|free|realloc|memalign)|malloc_consolidate|sysmalloc|systrim|tcache_|arena_get|arena_thread|checked_request2size|__malloc_|ptmalloc_|unlink_chunk|alloc_perturb|free_perturb|heap_trim|new_heap|grow_heap|shrink_heap/i;

/** Whether a frame name (as the adapter names it: `__GI___libc_malloc`, `_int_free`, `malloc`) is inside malloc. */
export function isMallocFrame(name: string): boolean {
  const bare = name.replace(/\(.*$/, '').replace(/^.*`/, '').trim();
  return MALLOC_FRAME.test(bare);
}

function jsonOf(result: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  const text = unquoteResult(result);
  if (text === undefined) {
    return { ok: false, reason: `the answer was cut or malformed: ${preview(result)}` };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, reason: `the program answered ${preview(text)}` };
  }
}

function isBytes(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

const isCount = isBytes;

function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > 80 ? `${flat.slice(0, 79)}…` : flat);
}
