import { describe, expect, it } from 'vitest';
import { BoundedLru } from '../src/figure-cache/bounded-lru.ts';

describe('BoundedLru', () => {
  it('drops the least recently used entry when the entry limit is passed; reading an entry makes it recent', () => {
    const evicted: string[] = [];
    const lru = new BoundedLru<number>({ maxEntries: 2, maxBytes: 1_000 }, (key) => evicted.push(key));
    lru.set('a', 1, 10);
    lru.set('b', 2, 10);
    expect(lru.get('a')).toBe(1);
    lru.set('c', 3, 10);
    expect(evicted).toEqual(['b']);
    expect([lru.get('a'), lru.get('b'), lru.get('c')]).toEqual([1, undefined, 3]);
    expect(lru.size).toBe(2);
  });

  it('drops as many old entries as it takes to fit the byte limit, and counts the bytes it holds', () => {
    const evicted: string[] = [];
    const lru = new BoundedLru<string>({ maxEntries: 100, maxBytes: 100 }, (key) => evicted.push(key));
    lru.set('a', 'x', 40);
    lru.set('b', 'y', 40);
    lru.set('c', 'z', 20);
    expect(lru.bytes).toBe(100);
    lru.set('d', 'w', 70);
    expect(evicted).toEqual(['a', 'b']);
    expect(lru.bytes).toBe(90);
    expect(lru.size).toBe(2);
  });

  it('refuses an entry larger than the byte limit by itself, and keeps what it had', () => {
    const lru = new BoundedLru<string>({ maxEntries: 10, maxBytes: 100 });
    lru.set('a', 'x', 60);
    expect(lru.set('huge', 'y', 101)).toBe(false);
    expect(lru.get('huge')).toBeUndefined();
    expect(lru.get('a')).toBe('x');
  });

  it('replaces an entry under the same key without counting it twice, and forgets deleted entries', () => {
    const lru = new BoundedLru<string>({ maxEntries: 10, maxBytes: 100 });
    lru.set('a', 'x', 60);
    lru.set('a', 'y', 30);
    expect(lru.bytes).toBe(30);
    expect(lru.get('a')).toBe('y');
    expect(lru.delete('a')).toBe(true);
    expect([lru.size, lru.bytes]).toEqual([0, 0]);
  });

  it('holds nothing with an entry limit of 0', () => {
    const lru = new BoundedLru<string>({ maxEntries: 0, maxBytes: 100 });
    expect(lru.set('a', 'x', 1)).toBe(false);
    expect(lru.size).toBe(0);
  });
});
