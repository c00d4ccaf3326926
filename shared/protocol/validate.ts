// What every view's parser shares: the host validates each message a page sends, because the
// pages render untrusted process names.

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
