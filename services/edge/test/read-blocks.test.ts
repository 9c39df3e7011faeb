import { describe, expect, it } from 'vitest';
import { readBlocks, type RegisterSpan } from '../src/read-blocks.ts';

const span = (fn: RegisterSpan['function'], address: number, count: number) => ({ function: fn, address, count });

describe('readBlocks', () => {
  it('reads adjacent entries of one function in one request, each with its offset', () => {
    const a = span('input', 4, 2);
    const b = span('input', 0, 2);
    const c = span('input', 2, 2);
    expect(readBlocks([a, b, c])).toEqual([
      { function: 'input', address: 0, count: 6, members: [{ span: b, offset: 0 }, { span: c, offset: 2 }, { span: a, offset: 4 }] },
    ]);
  });

  it('keeps holding and input registers apart', () => {
    const blocks = readBlocks([span('input', 0, 2), span('holding', 0, 2)]);
    expect(blocks.map((b) => [b.function, b.address, b.count])).toEqual([
      ['holding', 0, 2],
      ['input', 0, 2],
    ]);
  });

  it('starts a new request at a gap wider than allowed (the device may not have the registers between)', () => {
    expect(readBlocks([span('input', 0, 2), span('input', 3, 2)]).map((b) => [b.address, b.count])).toEqual([
      [0, 2],
      [3, 2],
    ]);
    expect(readBlocks([span('input', 0, 2), span('input', 3, 2)], 1).map((b) => [b.address, b.count])).toEqual([[0, 5]]);
  });

  it('never asks for more than 125 registers at once', () => {
    const spans = Array.from({ length: 100 }, (_, i) => span('holding', i * 2, 2));
    const blocks = readBlocks(spans);
    expect(blocks.map((b) => [b.address, b.count])).toEqual([
      [0, 124],
      [124, 76],
    ]);
    expect(blocks.flatMap((b) => b.members).length).toBe(100);
  });

  it('reads overlapping entries (a register read as two types) once', () => {
    const wide = span('input', 10, 4);
    const narrow = span('input', 12, 2);
    expect(readBlocks([wide, narrow])).toEqual([{ function: 'input', address: 10, count: 4, members: [{ span: wide, offset: 0 }, { span: narrow, offset: 2 }] }]);
  });
});
