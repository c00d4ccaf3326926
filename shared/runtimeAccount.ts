// The runtime's own account of RES at a stop: what the program's runtime (V8, CPython, glibc
// malloc) says it holds, set beside RES so that the parts add up, with "the rest" always shown.
// Shared by the extension host and the webviews: no `vscode`, no DOM.
import { formatBytes, formatDelta } from './format';

export type Runtime = 'node' | 'python' | 'native';

/** glibc malloc's own figures (mallinfo2()), in bytes. */
export interface MallocFigures {
  /** `arena`: bytes malloc took with brk/mmap for its arenas (not counting mmapped chunks). */
  arenaBytes: number;
  /** `uordblks`: handed out and not freed, in the arenas (tcache chunks count as in use). */
  inUseBytes: number;
  /** `hblkhd`: large blocks malloc mmapped for themselves. */
  mmappedBytes: number;
  /** `fordblks`: freed and kept by malloc for later: the "RES did not go down" figure. */
  freeKeptBytes: number;
  /** `keepcost`: what malloc_trim() could give back from the top of the main arena. */
  trimmableBytes: number;
}

/** What the runtime itself reported at a stop (parsed, checked). */
export type RuntimeFigures =
  | {
      runtime: 'node';
      version: string;
      /** process.memoryUsage() */
      heapTotalBytes: number;
      heapUsedBytes: number;
      externalBytes: number;
      arrayBuffersBytes: number;
      /** v8.getHeapStatistics().total_physical_size: the resident part of the JS heap, where known. */
      heapPhysicalBytes?: number;
    }
  | {
      runtime: 'python';
      version: string;
      allocatedBlocks: number;
      gcCounts: number[];
      tracemalloc?: { currentBytes: number; peakBytes: number; overheadBytes: number };
      malloc: MallocFigures | { unavailable: string };
    }
  | { runtime: 'native'; malloc: MallocFigures };

/** The parts of RES an account can name. */
export type AccountTermKey = 'jsHeap' | 'external' | 'mallocInUse' | 'mallocFreeKept' | 'code' | 'rest';

/** How each term reads in a sentence. */
export const ACCOUNT_TERM_LABELS: Record<AccountTermKey, string> = {
  jsHeap: 'JS heap',
  external: 'external',
  mallocInUse: 'in use by malloc',
  mallocFreeKept: 'free but kept by malloc',
  code: 'code and libraries',
  rest: 'the rest',
};

export interface AccountTerm {
  key: AccountTermKey;
  bytes: number;
  /** More words after the figure, e.g. `used of 180 MiB`. */
  detail?: string;
}

/** A figure the runtime gave that is not a part of RES (a count, or a figure that overlaps the terms). */
export interface AccountFact {
  label: string;
  value: string;
}

/** The account of RES at one stop. */
export interface RuntimeAccount {
  runtime: Runtime;
  /** RES read from /proc at the stop. */
  resBytes: number;
  /** The named parts, then `rest` (RES minus their sum; negative when they overlap or are not all resident). */
  terms: AccountTerm[];
  /** Other figures of the runtime, shown beside the account. */
  facts: AccountFact[];
  /** Figures that could not be had (and why), and what overlaps. */
  notes: string[];
}

/** The account of one stop as the UI shows it, while it is asked, or why there is none. */
export type StopAccount =
  | { status: 'pending' }
  | { status: 'unavailable'; reason: string }
  | { status: 'ok'; account: RuntimeAccount };

/** RSS of the program file and its libraries at the stop (from smaps), or why it is not known. */
export type CodeBytes = { bytes: number } | { unavailable: string };

/** The terms that add up to RES, from what the runtime said and the stop's /proc figures. */
export function buildAccount(figures: RuntimeFigures, resBytes: number, code: CodeBytes): RuntimeAccount {
  const terms: AccountTerm[] = [];
  const facts: AccountFact[] = [];
  const notes: string[] = [];
  if (figures.runtime === 'node') {
    const heap = figures.heapPhysicalBytes ?? figures.heapTotalBytes;
    terms.push({
      key: 'jsHeap',
      bytes: heap,
      detail: `${formatBytes(figures.heapUsedBytes)} used of ${formatBytes(figures.heapTotalBytes)}`,
    });
    terms.push({
      key: 'external',
      bytes: figures.externalBytes,
      detail: `${formatBytes(figures.arrayBuffersBytes)} of it ArrayBuffers and Buffers`,
    });
    facts.push({ label: 'Node', value: figures.version });
    notes.push(
      'External memory is what V8 was told was allocated outside its heap; pages never written are not resident, so it can count more than RES holds.',
      'Free but kept by malloc: not known for Node (JavaScript cannot call mallinfo2()); it is part of the rest.',
    );
  } else {
    if (figures.runtime === 'python') {
      facts.push(
        { label: 'Python', value: figures.version },
        { label: 'Allocated blocks', value: figures.allocatedBlocks.toLocaleString('en-US') },
        { label: 'GC counts', value: figures.gcCounts.join(' / ') },
      );
      if (figures.tracemalloc) {
        facts.push({
          label: 'Traced by tracemalloc',
          value: `${formatBytes(figures.tracemalloc.currentBytes)} (peak ${formatBytes(figures.tracemalloc.peakBytes)})`,
        });
        notes.push('tracemalloc counts Python allocations wherever they live, so it overlaps the terms: not added.');
      }
      notes.push(
        "Python's small objects live in pymalloc's own arenas (mmapped, not from malloc): they are part of the rest.",
      );
    }
    const malloc = figures.malloc;
    if ('unavailable' in malloc) {
      notes.push(`malloc's figures: ${malloc.unavailable}.`);
    } else {
      terms.push({
        key: 'mallocInUse',
        bytes: malloc.inUseBytes + malloc.mmappedBytes,
        detail: malloc.mmappedBytes > 0 ? `${formatBytes(malloc.mmappedBytes)} of it in mmapped blocks` : undefined,
      });
      terms.push({
        key: 'mallocFreeKept',
        bytes: malloc.freeKeptBytes,
        detail:
          malloc.trimmableBytes > 0 ? `malloc_trim() could return ${formatBytes(malloc.trimmableBytes)}` : undefined,
      });
      notes.push(
        'malloc counts what it handed out, whether the program wrote to it or not: unwritten pages are not resident, so the terms can exceed RES.',
      );
    }
  }
  if ('bytes' in code) {
    terms.push({ key: 'code', bytes: code.bytes });
  } else {
    notes.push(`Code and libraries: ${code.unavailable}; they are part of the rest.`);
  }
  const named = terms.reduce((sum, term) => sum + term.bytes, 0);
  const rest = resBytes - named;
  terms.push({ key: 'rest', bytes: rest });
  if (rest < 0) {
    notes.unshift(
      `The named parts come to ${formatBytes(-rest)} more than RES: they count memory that is not resident (allocated but never written, or swapped out).`,
    );
  }
  return { runtime: figures.runtime, resBytes, terms, facts, notes };
}

/** One term in words: `JS heap 120 MiB (90.0 MiB used of 180 MiB)`. */
export function termText(term: AccountTerm): string {
  return `${ACCOUNT_TERM_LABELS[term.key]} ${formatBytes(term.bytes)}${term.detail ? ` (${term.detail})` : ''}`;
}

/** The account in one line: `RES 412 MiB: JS heap 120 MiB (…) · external 200 MiB · … · the rest 22 MiB`. */
export function accountText(account: RuntimeAccount): string {
  return `RES ${formatBytes(account.resBytes)}: ${account.terms.map(termText).join(' · ')}`;
}

/** The account in a few words, for a short line: `JS heap 120 MiB · external 200 MiB · the rest 22 MiB`. */
export function accountShortText(account: RuntimeAccount): string {
  return account.terms.map((term) => `${ACCOUNT_TERM_LABELS[term.key]} ${formatBytes(term.bytes)}`).join(' · ');
}

/** How each term changed between two accounts of the same runtime. */
export interface AccountChange {
  resBytes: number;
  /** Terms both accounts have, in the later account's order; `rest` last. */
  terms: { key: AccountTermKey; bytes: number }[];
  /** Terms only one of the two has (a figure missing at one stop). */
  unmatched: AccountTermKey[];
}

export function accountChange(before: RuntimeAccount, after: RuntimeAccount): AccountChange | undefined {
  if (before.runtime !== after.runtime) {
    return undefined;
  }
  const old = new Map(before.terms.map((term) => [term.key, term.bytes]));
  const keys = new Set(after.terms.map((term) => term.key));
  return {
    resBytes: after.resBytes - before.resBytes,
    terms: after.terms.flatMap((term) => {
      const was = old.get(term.key);
      return was === undefined ? [] : [{ key: term.key, bytes: term.bytes - was }];
    }),
    unmatched: [
      ...after.terms.filter((term) => !old.has(term.key)).map((term) => term.key),
      ...before.terms.filter((term) => !keys.has(term.key)).map((term) => term.key),
    ],
  };
}

/** `RES +80.0 MiB: in use by malloc +50.0 MiB · free but kept by malloc ±0 B · the rest +30.0 MiB`. */
export function accountChangeText(change: AccountChange): string {
  const parts = change.terms.map((term) => `${ACCOUNT_TERM_LABELS[term.key]} ${formatDelta(term.bytes)}`);
  const missing = change.unmatched.length
    ? ` (not at both stops: ${change.unmatched.map((key) => ACCOUNT_TERM_LABELS[key]).join(', ')})`
    : '';
  return `RES ${formatDelta(change.resBytes)}: ${parts.join(' · ')}${missing}`;
}

/** What a stop's account says in one line, whatever its state: for the stops list and screen readers. */
export function stopAccountLine(account: StopAccount | undefined): string | undefined {
  if (!account) {
    return undefined;
  }
  if (account.status === 'pending') {
    return 'Asking the runtime for its own account…';
  }
  if (account.status === 'unavailable') {
    return `No runtime account: ${account.reason}`;
  }
  return accountText(account.account);
}

const KEYS = new Set<string>(Object.keys(ACCOUNT_TERM_LABELS));
const RUNTIMES = new Set<string>(['node', 'python', 'native']);
const MAX_TEXT = 300;
const MAX_ITEMS = 12;

/**
 * An account read back from a recording (untrusted JSON): the account, bounded in size, or
 * undefined when it is not one.
 */
export function readAccount(value: unknown): RuntimeAccount | undefined {
  const data = value as Partial<Record<keyof RuntimeAccount, unknown>> | null;
  if (typeof data !== 'object' || data === null || !RUNTIMES.has(data.runtime as string) || !isBytes(data.resBytes)) {
    return undefined;
  }
  if (!Array.isArray(data.terms) || data.terms.length === 0 || data.terms.length > MAX_ITEMS) {
    return undefined;
  }
  const terms: AccountTerm[] = [];
  for (const raw of data.terms as unknown[]) {
    const term = raw as Partial<AccountTerm> | null;
    if (
      typeof term !== 'object' ||
      term === null ||
      !KEYS.has(term.key as string) ||
      !Number.isSafeInteger(term.bytes)
    ) {
      return undefined;
    }
    terms.push({
      key: term.key as AccountTermKey,
      bytes: term.bytes as number,
      ...(typeof term.detail === 'string' ? { detail: term.detail.slice(0, MAX_TEXT) } : {}),
    });
  }
  const strings = (items: unknown) =>
    Array.isArray(items)
      ? items
          .filter((item): item is string => typeof item === 'string')
          .slice(0, MAX_ITEMS)
          .map((item) => item.slice(0, MAX_TEXT))
      : [];
  const facts = Array.isArray(data.facts)
    ? (data.facts as unknown[])
        .filter(
          (fact): fact is AccountFact =>
            typeof fact === 'object' &&
            fact !== null &&
            typeof (fact as AccountFact).label === 'string' &&
            typeof (fact as AccountFact).value === 'string',
        )
        .slice(0, MAX_ITEMS)
        .map((fact) => ({ label: fact.label.slice(0, MAX_TEXT), value: fact.value.slice(0, MAX_TEXT) }))
    : [];
  return {
    runtime: data.runtime as Runtime,
    resBytes: data.resBytes as number,
    terms,
    facts,
    notes: strings(data.notes),
  };
}

function isBytes(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
