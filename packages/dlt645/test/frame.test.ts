import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addressBytes, encodeFrame, FrameReader, MAX_DATA_BYTES } from '../src/index.ts';

// Frames as dlt645 3.2.0 (PyPI, an implementation no one here wrote) put them on the wire,
// its meter at address 123456781012: a read of data identifier 00000000H and the reply.
const hexBytes = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const REQUEST = hexBytes('FE FE FE FE 68 12 10 78 56 34 12 68 11 04 33 33 33 33 E7 16');
const REPLY = hexBytes('FE FE FE FE 68 12 10 78 56 34 12 68 91 08 33 33 33 33 89 67 45 33 D3 16');
const ADDRESS = '123456781012';

describe('DL/T 645-2007 frames', () => {
  it('encodes a read request byte for byte as the independent implementation sends it', () => {
    expect(encodeFrame({ address: ADDRESS, control: 0x11, data: new Uint8Array(4) })).toEqual(REQUEST);
    expect(encodeFrame({ address: ADDRESS, control: 0x11, data: new Uint8Array(4) }, 0)).toEqual(REQUEST.subarray(4));
  });

  it('reads the reply it sent, the 33H offset taken off the data', () => {
    const { frames, skipped } = new FrameReader().push(REPLY);
    expect(skipped).toEqual([]);
    expect(frames).toEqual([{ address: ADDRESS, control: 0x91, data: Uint8Array.from([0, 0, 0, 0, 0x56, 0x34, 0x12, 0x00]) }]);
  });

  it('writes the address lowest digits first, and AA pairs as the wildcard', () => {
    expect([...addressBytes(ADDRESS)!]).toEqual([0x12, 0x10, 0x78, 0x56, 0x34, 0x12]);
    expect([...addressBytes('AAAAAAAAAAAA')!]).toEqual(Array(6).fill(0xaa));
    for (const bad of ['12345678101', '1234567810123', '12345678101A', 'A12345678101', '12345678101\n']) expect(addressBytes(bad)).toBeUndefined();
  });

  it('refuses to encode what no frame can hold', () => {
    expect(() => encodeFrame({ address: '1234', control: 0x11, data: new Uint8Array(0) })).toThrow('is not a DL/T 645 address');
    expect(() => encodeFrame({ address: ADDRESS, control: 0x11, data: new Uint8Array(MAX_DATA_BYTES + 1) })).toThrow('data bytes exceed');
    expect(() => encodeFrame({ address: ADDRESS, control: 0x100, data: new Uint8Array(0) })).toThrow('is not a byte');
    expect(() => encodeFrame({ address: ADDRESS, control: 0x11, data: new Uint8Array(0) }, 5)).toThrow('0 to 4');
  });

  describe('read from a TCP stream', () => {
    it('puts a frame together from pieces, a byte at a time', () => {
      const reader = new FrameReader();
      const frames = [...REPLY].flatMap((b) => reader.push(Uint8Array.of(b)).frames);
      expect(frames.map((f) => f.control)).toEqual([0x91]);
      expect(reader.pendingBytes).toBe(0);
    });

    it('reads several frames that arrive in one chunk', () => {
      const { frames } = new FrameReader().push(Buffer.concat([REPLY, REQUEST, REPLY.subarray(4)]));
      expect(frames.map((f) => f.control)).toEqual([0x91, 0x11, 0x91]);
    });

    it('skips noise and a broken frame, says so, and reads the next frame', () => {
      const corrupt = Buffer.from(REPLY);
      corrupt[corrupt.length - 2]! ^= 0x01; // the checksum
      const unended = Buffer.from(REPLY.subarray(4));
      unended[unended.length - 1] = 0x00;
      const stream = Buffer.concat([hexBytes('00 01 02'), corrupt, unended, REPLY]);
      const { frames, skipped } = new FrameReader().push(stream);
      expect(frames).toHaveLength(1);
      expect(frames[0]!.data[4]).toBe(0x56);
      expect(skipped.map((s) => s.reason)).toEqual(expect.arrayContaining(['not a frame', 'checksum', 'no end byte']));
      // Every byte but the good frame's is reported (wake-up bytes among noise too).
      expect(skipped.reduce((n, s) => n + s.bytes, 0)).toBe(stream.length - (REPLY.length - 4));
    });

    it('refuses a frame whose address is not BCD, checksum and all', () => {
      const frame = Buffer.from(REQUEST.subarray(4));
      frame[1] = 0x1f;
      frame[frame.length - 2] = (frame[frame.length - 2]! + 0x1f - 0x12) & 0xff;
      const { frames, skipped } = new FrameReader().push(frame);
      expect(frames).toEqual([]);
      expect(skipped).toEqual([{ bytes: frame.length, reason: 'address not BCD' }]);
    });

    it('drops wake-up bytes silently', () => {
      expect(new FrameReader().push(hexBytes('FE FE FE'))).toEqual({ frames: [], skipped: [] });
    });

    it('never throws and never holds more than one frame, whatever bytes come', () => {
      fc.assert(
        fc.property(fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 20 }), (chunks) => {
          const reader = new FrameReader();
          for (const chunk of chunks) {
            const { frames } = reader.push(chunk);
            for (const f of frames) expect(f.address).toMatch(/^(?:\d\d|AA){6}$/);
            expect(reader.pendingBytes).toBeLessThanOrEqual(12 + MAX_DATA_BYTES - 1);
          }
        }),
      );
    });

    it('reads back every frame it encodes, however the stream is cut', () => {
      const frameArb = fc.record({
        address: fc.array(fc.oneof(fc.integer({ min: 0, max: 99 }).map((n) => String(n).padStart(2, '0')), fc.constant('AA')), { minLength: 6, maxLength: 6 }).map((pairs) => pairs.join('')),
        control: fc.integer({ min: 0, max: 255 }),
        data: fc.uint8Array({ maxLength: MAX_DATA_BYTES }),
      });
      fc.assert(
        fc.property(fc.array(frameArb, { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 64 }), (sent, cut) => {
          const bytes = Buffer.concat(sent.map((f) => encodeFrame(f)));
          const reader = new FrameReader();
          const got = [];
          for (let i = 0; i < bytes.length; i += cut) got.push(...reader.push(bytes.subarray(i, i + cut)).frames);
          expect(got).toEqual(sent);
        }),
      );
    });
  });
});
