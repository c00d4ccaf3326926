import { malformed, ok, Outcome } from './outcome';

/** /proc/PID/statm in bytes: the source of top's VIRT, RES and SHR. */
export interface Statm {
  /** VIRT: every mapped byte of the address space (statm size). */
  virtBytes: number;
  /** RES: bytes in physical memory right now (statm resident). */
  resBytes: number;
  /** SHR: the file-backed and shmem part of RES (statm shared = RssFile + RssShmem). */
  shrBytes: number;
  /** Executable code (statm text). */
  textBytes: number;
  /** Data + stack (statm data). */
  dataBytes: number;
}

/** Parses `size resident shared text lib data dt`, seven counts in pages. */
export function parseStatm(text: string, pageSize: number): Outcome<Statm> {
  const fields = text.trim().split(/\s+/);
  if (fields.length < 7) {
    return malformed(`statm has ${fields.length} fields, expected 7`);
  }
  const pages: number[] = [];
  for (const field of fields.slice(0, 7)) {
    if (!/^\d+$/.test(field) || !Number.isSafeInteger(Number(field) * pageSize)) {
      return malformed(`statm field "${field.slice(0, 20)}" is not a count`);
    }
    pages.push(Number(field));
  }
  const [size, resident, shared, textPages, , data] = pages;
  return ok({
    virtBytes: size * pageSize,
    resBytes: resident * pageSize,
    shrBytes: shared * pageSize,
    textBytes: textPages * pageSize,
    dataBytes: data * pageSize,
  });
}
