import * as assert from 'assert';
import { BoundedMap } from '../../shared/boundedMap';

describe('BoundedMap', () => {
  it('keeps the last `max` keys set, a key set again counting as new', () => {
    const map = new BoundedMap<string, number>(3);
    map.set('a', 1).set('b', 2).set('c', 3);
    map.set('a', 4); // a is now the newest: b goes first
    map.set('d', 5);
    assert.deepStrictEqual(
      [...map.entries()],
      [
        ['c', 3],
        ['a', 4],
        ['d', 5],
      ],
    );
    map.set('e', 6);
    assert.deepStrictEqual([...map.keys()], ['a', 'd', 'e']);
  });
});
