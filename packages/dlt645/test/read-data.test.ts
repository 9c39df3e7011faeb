import { describe, expect, it } from 'vitest';
import { encodeFrame, energyReply, ENERGY_DATA_IDS, FrameReader, readDataRequest } from '../src/index.ts';

// Exchanges with the simulated meter of dlt645 3.2.0 (PyPI), address 123456781012, as its
// frames went over TCP; the values are the ones the simulator was set to.
const hexBytes = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const ADDRESS = '123456781012';
const readOne = (bytes: Buffer) => {
  const { frames } = new FrameReader().push(bytes);
  expect(frames).toHaveLength(1);
  return frames[0]!;
};

describe('DL/T 645-2007 read data, energy registers', () => {
  it('asks for forward active energy as the independent implementation does', () => {
    expect(readDataRequest(ADDRESS, ENERGY_DATA_IDS.forwardActiveTotal, 0)).toEqual(hexBytes('68 12 10 78 56 34 12 68 11 04 33 33 34 33 E8 16'));
  });

  it('reads the energy the meter answered, in kWh', () => {
    const combined = readOne(hexBytes('FE FE FE FE 68 12 10 78 56 34 12 68 91 08 33 33 33 33 89 67 45 33 D3 16'));
    expect(energyReply(combined, ENERGY_DATA_IDS.combinedActiveTotal)).toEqual({ ok: true, dataId: 0, kWh: 1234.56 });
    const forward = readOne(hexBytes('68 12 10 78 56 34 12 68 91 08 33 33 34 33 46 33 43 33 5B 16'));
    expect(energyReply(forward, ENERGY_DATA_IDS.forwardActiveTotal)).toEqual({ ok: true, dataId: 0x00010000, kWh: 1000.13 });
  });

  it('names what the meter refused: an identifier it does not have', () => {
    const refusal = readOne(hexBytes('68 12 10 78 56 34 12 68 D1 01 35 0D 16'));
    expect(energyReply(refusal, 0x00ff0000)).toEqual({ ok: false, kind: 'meter-error', errorByte: 0x02, detail: 'the meter refused: no data requested (the meter does not have this identifier)' });
  });

  it('reads a negative combined energy from the sign bit, and only there; refuses bytes that are not BCD', () => {
    // 00 00 12 80: -12.00 kWh (the top byte's D7), the lowest byte first.
    const negative = { address: ADDRESS, control: 0x91, data: Uint8Array.from([0, 0, 0, 0, 0x00, 0x12, 0x00, 0x80]) };
    expect(energyReply(negative, ENERGY_DATA_IDS.combinedActiveTotal)).toEqual({ ok: true, dataId: 0, kWh: -12 });
    // Forward energy has no sign: 80H is the digits 8 and 0.
    const forward = { ...negative, data: Uint8Array.from([0, 0, 1, 0, 0x00, 0x12, 0x00, 0x80]) };
    expect(energyReply(forward, ENERGY_DATA_IDS.forwardActiveTotal)).toEqual({ ok: true, dataId: 0x00010000, kWh: 800_012 });
    const notBcd = { ...forward, data: Uint8Array.from([0, 0, 1, 0, 0x00, 0x1a, 0x00, 0x00]) };
    expect(energyReply(notBcd, ENERGY_DATA_IDS.forwardActiveTotal)).toMatchObject({ ok: false, kind: 'unexpected', detail: 'energy bytes 00H 1AH 00H 00H are not BCD' });
  });

  it('refuses a reply about another identifier, another function, or the wrong size', () => {
    const combined = readOne(hexBytes('68 12 10 78 56 34 12 68 91 08 33 33 33 33 89 67 45 33 D3 16'));
    expect(energyReply(combined, ENERGY_DATA_IDS.forwardActiveTotal)).toMatchObject({ ok: false, detail: 'the reply is about 00000000H, not 00010000H' });
    expect(energyReply({ ...combined, control: 0x11 }, 0)).toMatchObject({ ok: false, detail: 'control code 11H is not a reply to read data' });
    expect(energyReply({ ...combined, control: 0x93 }, 0)).toMatchObject({ ok: false, detail: 'control code 93H is not a reply to read data' });
    expect(energyReply({ ...combined, data: combined.data.subarray(0, 6) }, 0)).toMatchObject({ ok: false, detail: '6 data bytes, not the identifier and a 4-byte energy' });
    expect(energyReply({ ...combined, control: 0xd1, data: Uint8Array.of(2, 2) }, 0)).toMatchObject({ ok: false, detail: 'an abnormal reply with 2 data bytes, not 1' });
  });

  it('takes a reply with a follow-up frame coming (B1H) as a reply', () => {
    const frame = readOne(encodeFrame({ address: ADDRESS, control: 0xb1, data: Uint8Array.from([0, 0, 1, 0, 0x13, 0x00, 0x10, 0x00]) }));
    expect(energyReply(frame, ENERGY_DATA_IDS.forwardActiveTotal)).toEqual({ ok: true, dataId: 0x00010000, kWh: 1000.13 });
  });

  it('refuses a data identifier that is not four bytes', () => {
    expect(() => readDataRequest(ADDRESS, 2 ** 32)).toThrow('is not four bytes');
    expect(() => readDataRequest(ADDRESS, -1)).toThrow('is not four bytes');
  });
});
