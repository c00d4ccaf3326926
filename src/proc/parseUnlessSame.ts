// A file read again that prints exactly what it printed last time parses to the same figures:
// the last result serves, the same object, so that nothing is decoded or parsed again and every
// view that compares it with what it has finds it alike at once (a sleeping process's smaps and
// rollup). The bytes are compared, not text: an unchanged read allocates nothing on the JS heap.

/** What each result was parsed from: a copy of the bytes (outside the JS heap once over 4 KiB). */
const parsedFrom = new WeakMap<object, { bytes: Buffer; also: string | undefined }>();

/**
 * `parse(text of bytes)`, or `previous` where it was parsed from these very `bytes` (and `also`,
 * anything else the parse depends on, such as the executable's path). `bytes` may be a view of a
 * shared read buffer: what is kept is a copy.
 */
export function parseUnlessSame<T extends object>(
  bytes: Buffer,
  previous: T | undefined,
  parse: (text: string) => T,
  also?: string,
): T {
  const source = previous && parsedFrom.get(previous);
  if (previous && source && source.also === also && source.bytes.equals(bytes)) {
    return previous;
  }
  const parsed = parse(bytes.toString('utf8'));
  parsedFrom.set(parsed, { bytes: Buffer.from(bytes), also });
  return parsed;
}
