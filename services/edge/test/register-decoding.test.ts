import { describe, expect, it } from 'vitest';
import { decodeRegisters, scaled } from '../src/register-decoding.ts';

/** The registers a value is sent in, high word first, from its big-endian bytes. */
const words = (bytes: number[]) => Array.from({ length: bytes.length / 2 }, (_, i) => (bytes[2 * i]! << 8) | bytes[2 * i + 1]!);

describe('decodeRegisters', () => {
  it('reads 16-bit registers unsigned and signed', () => {
    expect(decodeRegisters([0xfffe], 'uint16', 'high-first')).toEqual({ ok: true, value: 65534 });
    expect(decodeRegisters([0xfffe], 'int16', 'high-first')).toEqual({ ok: true, value: -2 });
  });

  it('reads 32-bit integers in both word orders', () => {
    // 100075 = 0x000186EB
    expect(decodeRegisters([0x0001, 0x86eb], 'uint32', 'high-first')).toEqual({ ok: true, value: 100075 });
    expect(decodeRegisters([0x86eb, 0x0001], 'uint32', 'low-first')).toEqual({ ok: true, value: 100075 });
    // -100075 = 0xFFFE7915
    expect(decodeRegisters([0xfffe, 0x7915], 'int32', 'high-first')).toEqual({ ok: true, value: -100075 });
    expect(decodeRegisters([0x7915, 0xfffe], 'int32', 'low-first')).toEqual({ ok: true, value: -100075 });
  });

  it('reads a float32 as the shortest decimal that is the same float (what the meter displays)', () => {
    // 48211.62 as IEEE 754 single precision: 0x473C539F (48211.62109375 exactly).
    expect(decodeRegisters([0x473c, 0x539f], 'float32', 'high-first')).toEqual({ ok: true, value: 48211.62 });
    expect(decodeRegisters([0x539f, 0x473c], 'float32', 'low-first')).toEqual({ ok: true, value: 48211.62 });
    expect(decodeRegisters([0x447a, 0x3000], 'float32', 'high-first')).toEqual({ ok: true, value: 1000.75 });
    expect(decodeRegisters([0xc060, 0x0000], 'float32', 'high-first')).toEqual({ ok: true, value: -3.5 });
  });

  it('refuses the NaN and infinities meters put in float registers they cannot fill', () => {
    expect(decodeRegisters([0x7fc0, 0x0000], 'float32', 'high-first')).toMatchObject({ ok: false, reason: 'not-finite' });
    expect(decodeRegisters([0x7f80, 0x0000], 'float32', 'high-first')).toMatchObject({ ok: false, reason: 'not-finite' });
    expect(decodeRegisters([0xfff0, 0, 0, 0], 'float64', 'high-first')).toMatchObject({ ok: false, reason: 'not-finite' });
  });

  it('reads 64-bit values, word order reversing all four registers', () => {
    const bytes = [0x00, 0x00, 0x00, 0x00, 0x3b, 0x9a, 0xca, 0x07]; // 1 000 000 007
    expect(decodeRegisters(words(bytes), 'uint64', 'high-first')).toEqual({ ok: true, value: 1_000_000_007 });
    expect(decodeRegisters(words(bytes).reverse(), 'uint64', 'low-first')).toEqual({ ok: true, value: 1_000_000_007 });
    expect(decodeRegisters([0xffff, 0xffff, 0xffff, 0xfffe], 'int64', 'high-first')).toEqual({ ok: true, value: -2 });
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, 123456.789);
    expect(decodeRegisters(words([...new Uint8Array(view.buffer)]), 'float64', 'high-first')).toEqual({ ok: true, value: 123456.789 });
  });

  it('refuses a 64-bit integer a JSON number cannot carry exactly', () => {
    expect(decodeRegisters([0x0020, 0x0000, 0x0000, 0x0001], 'uint64', 'high-first')).toMatchObject({ ok: false, reason: 'not-exact' });
    expect(decodeRegisters([0x001f, 0xffff, 0xffff, 0xffff], 'uint64', 'high-first')).toEqual({ ok: true, value: Number.MAX_SAFE_INTEGER });
  });

  it('throws when given the wrong number of registers for the type (a bug, not data)', () => {
    expect(() => decodeRegisters([1], 'uint32', 'high-first')).toThrow(RangeError);
  });
});

describe('scaled', () => {
  it('multiplies without binary floating-point noise', () => {
    expect(3 * 0.1).not.toBe(0.3);
    expect(scaled(3, 0.1)).toBe(0.3);
    expect(0.07 * 100).not.toBe(7);
    expect(scaled(0.07, 100)).toBe(7);
    expect(scaled(100075, 0.01)).toBe(1000.75);
    expect(scaled(12, 1000)).toBe(12000);
  });

  it('leaves the value as it is at scale 1, whatever its size', () => {
    expect(scaled(Number.MAX_SAFE_INTEGER, 1)).toBe(Number.MAX_SAFE_INTEGER);
  });
});
