// A file read again that prints exactly what it printed last time parses to the same figures:
// the last result serves, the same object, so that nothing is parsed again and every view that
// compares it with what it has finds it alike at once (a sleeping process's smaps and rollup).

/** What each result was parsed from. */
const parsedFrom = new WeakMap<object, { text: string; also: string | undefined }>();

/**
 * `parse(text)`, or `previous` where it was parsed from this very `text` (and `also`, anything
 * else the parse depends on, such as the executable's path).
 */
export function parseUnlessSame<T extends object>(
  text: string,
  previous: T | undefined,
  parse: (text: string) => T,
  also?: string,
): T {
  const source = previous && parsedFrom.get(previous);
  if (previous && source && source.text === text && source.also === also) {
    return previous;
  }
  const parsed = parse(text);
  parsedFrom.set(parsed, { text, also });
  return parsed;
}
