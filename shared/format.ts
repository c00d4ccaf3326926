// Shared by the extension host and the webviews: no `vscode`, no DOM.

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/**
 * Bytes in binary units with about four significant digits, as people read them:
 * `812 KiB`, `412.3 MiB`, `1.21 GiB`.
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) {
    return '–';
  }
  const sign = bytes < 0 ? '-' : '';
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  // Whole bytes and KiB need no decimals; larger units keep about three significant digits.
  const digits = unit <= 1 ? 0 : value >= 10 ? 1 : 2;
  return `${sign}${value.toFixed(digits)} ${UNITS[unit]}`;
}

/** A signed change, e.g. `+42.0 MiB` or `-1.25 MiB`; zero shows as `±0 B`. */
export function formatDelta(bytes: number): string {
  if (bytes === 0) {
    return '±0 B';
  }
  return bytes > 0 ? `+${formatBytes(bytes)}` : formatBytes(bytes);
}

/** A RES trend, e.g. `+8.20 MiB/min`. */
export function formatRate(bytesPerMinute: number): string {
  return `${formatDelta(Math.round(bytesPerMinute))}/min`;
}

/** ps prints state letters; people read words. */
export function describeState(state: string): string {
  const states: Record<string, string> = {
    R: 'running',
    S: 'sleeping',
    D: 'waiting on I/O',
    Z: 'zombie',
    T: 'stopped',
    t: 'stopped by debugger',
    X: 'dead',
    I: 'idle',
    P: 'parked',
    W: 'paging',
    K: 'wakekill',
  };
  return states[state] ?? state;
}

/**
 * A duration, the one way every view says it: `0 s`, `320 ms`, `1.2 s`, `14 s`, `2 min 5 s`,
 * `1 h 3 min`, `3 d 4 h`.
 */
export function formatInterval(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) {
    return '–';
  }
  if (ms === 0) {
    return '0 s';
  }
  if (ms < 1000) {
    return `${Math.round(ms)} ms`;
  }
  if (ms < 10000) {
    return `${(Math.floor(ms / 100) / 10).toFixed(1)} s`;
  }
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) {
    return `${seconds} s`;
  }
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    return seconds % 60 ? `${minutes} min ${seconds % 60} s` : `${minutes} min`;
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  }
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}
