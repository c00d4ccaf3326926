/**
 * A Map that keeps at most `max` entries: setting a key makes it the newest, and the oldest goes
 * when there are more. For the per-process state the host keeps for processes that may never come
 * back (a PID can be reused, so a key is a process identity, and nothing else would forget it).
 */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super();
  }

  override set(key: K, value: V): this {
    super.delete(key); // re-insert: the map's order is the order of last use
    super.set(key, value);
    if (this.size > this.max) {
      this.delete(this.keys().next().value as K);
    }
    return this;
  }
}
