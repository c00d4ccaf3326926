// The tests' own readers of /proc files and of procps output. Deliberately written apart from the
// engine and importing nothing from src/: a figure is only checked when its expected value comes
// from a source that shares no code with what computes it.
import * as fs from 'fs';
import { execFileSync } from 'child_process';

/** Every `Key: N kB` line of a file (status, smaps_rollup), in kB. */
export function kbLines(file: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of fs.readFileSync(file, 'latin1').split('\n')) {
    const match = /^([A-Za-z_]+):\s+(\d+) kB$/.exec(line);
    if (match) {
      values.set(match[1], Number(match[2]));
    }
  }
  return values;
}

/** A count line of /proc/PID/status (e.g. `Threads:\t7`). */
export function statusCount(file: string, key: string): number {
  const match = new RegExp(`^${key}:\\s+(\\d+)$`, 'm').exec(fs.readFileSync(file, 'latin1'));
  if (!match) {
    throw new Error(`no ${key} line in ${file}`);
  }
  return Number(match[1]);
}

/** One value of kbLines, in bytes; fails loudly when the line is missing. */
export function kbField(values: Map<string, number>, key: string): number {
  const kb = values.get(key);
  if (kb === undefined) {
    throw new Error(`no ${key} line`);
  }
  return kb * 1024;
}

/** /proc/PID/statm's seven counts, in pages. */
export function statmPages(file: string): number[] {
  return fs.readFileSync(file, 'latin1').trim().split(/\s+/).map(Number);
}

/** `getconf PAGESIZE`, not the engine's reading of the auxiliary vector. */
export function pageSizeFromGetconf(): number {
  return Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim());
}

export type OwnKind = 'heap' | 'stack' | 'program' | 'libraries' | 'files' | 'shmem' | 'anonymous' | 'kernel';

/**
 * The kind of a mapping path, by the rules the README states (written again here, simply, from
 * the documentation rather than from src/proc/smaps.ts).
 */
export function ownKind(pathName: string, exe: string | undefined): OwnKind {
  if (pathName === '' || pathName.startsWith('[anon:')) {
    return 'anonymous';
  }
  if (pathName === '[heap]') {
    return 'heap';
  }
  if (pathName === '[stack]') {
    return 'stack';
  }
  if (['[vdso]', '[vvar]', '[vvar_vclock]', '[vsyscall]'].includes(pathName) || pathName.startsWith('anon_inode:')) {
    return 'kernel';
  }
  if (pathName === exe) {
    return 'program';
  }
  if (
    pathName.startsWith('/dev/shm/') ||
    pathName.startsWith('/SYSV') ||
    pathName.startsWith('/memfd:') ||
    pathName === '/dev/zero (deleted)'
  ) {
    return 'shmem';
  }
  if (/\.so(\.|$)/.test(pathName.replace(/ \(deleted\)$/, ''))) {
    return 'libraries';
  }
  if (pathName.startsWith('[')) {
    return 'anonymous';
  }
  return 'files';
}

export interface OwnMapping {
  start: string;
  path: string;
  /** kB. */
  values: Map<string, number>;
}

/** /proc/PID/smaps split into mappings, each with its `Key: N kB` lines (kB). */
export function smapsMappings(file: string): OwnMapping[] {
  const mappings: OwnMapping[] = [];
  for (const line of fs.readFileSync(file, 'latin1').split('\n')) {
    const header = /^([0-9a-f]+)-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      mappings.push({ start: header[1], path: header[2], values: new Map() });
      continue;
    }
    const field = /^([A-Za-z_]+):\s+(\d+) kB$/.exec(line);
    if (field && mappings.length) {
      mappings[mappings.length - 1].values.set(field[1], Number(field[2]));
    }
  }
  return mappings;
}

export interface KindTotals {
  count: number;
  rssBytes: number;
  pssBytes: number;
  privateBytes: number;
  swapBytes: number;
}

/** Sums per kind, from rows that each have a kind and kB values under smaps' names. */
export function sumByKind(rows: { kind: OwnKind; values: Map<string, number> }[]): Map<OwnKind, KindTotals> {
  const totals = new Map<OwnKind, KindTotals>();
  for (const row of rows) {
    const total = totals.get(row.kind) ?? { count: 0, rssBytes: 0, pssBytes: 0, privateBytes: 0, swapBytes: 0 };
    const kb = (key: string) => row.values.get(key) ?? 0;
    total.count++;
    total.rssBytes += kb('Rss') * 1024;
    total.pssBytes += kb('Pss') * 1024;
    total.privateBytes += (kb('Private_Clean') + kb('Private_Dirty')) * 1024;
    total.swapBytes += kb('Swap') * 1024;
    totals.set(row.kind, total);
  }
  return totals;
}

/**
 * `pmap -XX PID`: one row per mapping keyed by its start address (hex, as /proc prints it), with
 * the numeric columns by header name (kB), and the total row. pmap prints only the base name of a
 * mapping and its VmFlags are space separated, so the row's path is not taken from here.
 */
export function pmapXX(pid: number): { rows: Map<string, Map<string, number>>; total: Map<string, number> } {
  const out = execFileSync('pmap', ['-XX', String(pid)], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  const lines = out.trimEnd().split('\n');
  const header = lines[1].trim().split(/\s+/);
  const first = header.indexOf('Size');
  const last = header.indexOf('VmFlags');
  if (header[0] !== 'Address' || first < 0 || last < 0) {
    throw new Error(`unexpected pmap -XX header: ${lines[1]}`);
  }
  const names = header.slice(first, last);
  const rows = new Map<string, Map<string, number>>();
  for (const line of lines.slice(2)) {
    const fields = line.trim().split(/\s+/);
    if (!/^[0-9a-f]+$/.test(fields[0] ?? '') || fields.length < first + names.length) {
      continue;
    }
    const values = new Map<string, number>();
    names.forEach((name, i) => values.set(name, Number(fields[first + i])));
    rows.set(fields[0].replace(/^0+(?=.)/, ''), values);
  }
  const totalFields = lines[lines.length - 1].trim().split(/\s+/);
  const total = new Map<string, number>();
  names.forEach((name, i) => total.set(name, Number(totalFields[i])));
  return { rows, total };
}

/** /proc/PID/maps: start address -> path, so pmap's rows get their full path. */
export function mapsPaths(pid: number): Map<string, string> {
  const paths = new Map<string, string>();
  for (const line of fs.readFileSync(`/proc/${pid}/maps`, 'latin1').trimEnd().split('\n')) {
    const match = /^([0-9a-f]+)-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (match) {
      paths.set(match[1].replace(/^0+(?=.)/, ''), match[2]);
    }
  }
  return paths;
}
