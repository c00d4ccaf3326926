import { malformed, ok, Outcome } from './outcome';

/** /proc/PID/smaps_rollup in bytes: the figures that need a walk of every mapping. */
export interface SmapsRollup {
  rss: number;
  /** Proportional set size: shared pages divided among the processes that map them. */
  pss: number;
  pssAnon?: number;
  pssFile?: number;
  pssShmem?: number;
  sharedClean: number;
  sharedDirty: number;
  privateClean: number;
  privateDirty: number;
  /** Unique set size, Private_Clean + Private_Dirty: what exiting would free. */
  uss: number;
  anonymous: number;
  swap: number;
  swapPss?: number;
  locked: number;
}

const REQUIRED = [
  'Rss',
  'Pss',
  'Shared_Clean',
  'Shared_Dirty',
  'Private_Clean',
  'Private_Dirty',
  'Anonymous',
  'Swap',
  'Locked',
];

export function parseSmapsRollup(text: string): Outcome<SmapsRollup> {
  const kb = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^(\w+):\s+(\d+) kB$/.exec(line);
    if (match && Number.isSafeInteger(Number(match[2]) * 1024)) {
      kb.set(match[1], Number(match[2]) * 1024);
    }
  }
  const missing = REQUIRED.filter((key) => !kb.has(key));
  if (missing.length > 0) {
    return malformed(`smaps_rollup lacks ${missing.join(', ')}`);
  }
  const get = (key: string) => kb.get(key) as number;
  return ok({
    rss: get('Rss'),
    pss: get('Pss'),
    pssAnon: kb.get('Pss_Anon'),
    pssFile: kb.get('Pss_File'),
    pssShmem: kb.get('Pss_Shmem'),
    sharedClean: get('Shared_Clean'),
    sharedDirty: get('Shared_Dirty'),
    privateClean: get('Private_Clean'),
    privateDirty: get('Private_Dirty'),
    uss: get('Private_Clean') + get('Private_Dirty'),
    anonymous: get('Anonymous'),
    swap: get('Swap'),
    swapPss: kb.get('SwapPss'),
    locked: get('Locked'),
  });
}
