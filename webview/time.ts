// Times as people read them in a panel: a clock time today, a date otherwise (durations: formatInterval).

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** `14:03:12` today, `Mar 3, 14:03:12` on another day; `unknown` for NaN. */
export function formatClock(ms: number, now = Date.now()): string {
  if (!Number.isFinite(ms)) {
    return 'unknown';
  }
  const date = new Date(ms);
  const time = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return sameDay(date, new Date(now))
    ? time
    : `${date.toLocaleDateString([], { month: 'short', day: 'numeric', year: 'numeric' })}, ${time}`;
}
