import { describe, expect, it } from 'vitest';
import { InOrderAcks } from '../src/in-order-acks.ts';

describe('InOrderAcks', () => {
  it('releases a handled message only once every message that arrived before it is handled', () => {
    const acks = new InOrderAcks();
    const first = acks.arrived(7);
    const second = acks.arrived(3);
    const third = acks.arrived(9);
    second();
    third();
    expect(acks.release()).toEqual([]);
    expect(acks.pending).toBe(3);
    first();
    expect(acks.release()).toEqual([7, 3, 9]);
    expect(acks.pending).toBe(0);
  });

  it('releases the handled head and keeps what waits behind an unhandled message', () => {
    const acks = new InOrderAcks();
    acks.arrived(1)();
    const second = acks.arrived(2);
    acks.arrived(3)();
    expect(acks.release()).toEqual([1]);
    expect(acks.release()).toEqual([]);
    second();
    expect(acks.release()).toEqual([2, 3]);
  });
});
