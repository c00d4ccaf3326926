import * as fs from 'fs';
import { execFileSync } from 'child_process';

/** Facts about this kernel that every conversion needs: read once, never assumed. */
export interface SystemInfo {
  /** Bytes per page: 4096 on x86-64, but 16 KiB or 64 KiB on some arm64 kernels. */
  pageSize: number;
  /** Clock ticks per second, the unit of start times in /proc/PID/stat (usually 100). */
  clockTicks: number;
  /** When the machine booted, in ms since the epoch (btime in /proc/stat). */
  bootTimeMs: number;
}

const AT_PAGESZ = 6;
const AT_CLKTCK = 17;

let cached: SystemInfo | undefined;

export function systemInfo(): SystemInfo {
  cached ??= readSystemInfo();
  return cached;
}

function readSystemInfo(): SystemInfo {
  const aux = readAuxv();
  return {
    pageSize: aux.get(AT_PAGESZ) ?? getconf('PAGESIZE') ?? 4096,
    clockTicks: aux.get(AT_CLKTCK) ?? getconf('CLK_TCK') ?? 100,
    bootTimeMs: readBootTimeMs(),
  };
}

/** The kernel hands each process its page size and tick rate in the auxiliary vector. */
function readAuxv(): Map<number, number> {
  const entries = new Map<number, number>();
  let data: Buffer;
  try {
    data = fs.readFileSync('/proc/self/auxv');
  } catch {
    return entries;
  }
  // Pairs of native unsigned longs; Node only runs on 64-bit Linux in practice, but stay honest.
  const word = process.arch.endsWith('64') ? 8 : 4;
  const little = process.arch !== 's390x' && process.arch !== 'ppc64';
  for (let offset = 0; offset + 2 * word <= data.length; offset += 2 * word) {
    const key = readWord(data, offset, word, little);
    if (key === 0) {
      break;
    }
    entries.set(key, readWord(data, offset + word, word, little));
  }
  return entries;
}

function readWord(data: Buffer, offset: number, word: number, little: boolean): number {
  if (word === 8) {
    return Number(little ? data.readBigUInt64LE(offset) : data.readBigUInt64BE(offset));
  }
  return little ? data.readUInt32LE(offset) : data.readUInt32BE(offset);
}

function getconf(name: string): number | undefined {
  try {
    const value = Number(execFileSync('getconf', [name], { encoding: 'utf8' }).trim());
    return Number.isFinite(value) && value > 0 ? value : undefined;
  } catch {
    return undefined;
  }
}

function readBootTimeMs(): number {
  try {
    const match = /^btime\s+(\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'));
    if (match) {
      return Number(match[1]) * 1000;
    }
  } catch {
    // Not Linux: start times are then shown as unknown.
  }
  return NaN;
}
