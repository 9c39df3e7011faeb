import { controlBits, encodeFrame, type Dlt645Frame } from './frame.ts';

/**
 * DL/T 645-2007, clause 7.3.1 (读数据): the master sends control code 11H with a four-byte data
 * identifier DI3 DI2 DI1 DI0, DI0 first; the meter answers 91H (B1H when a follow-up frame
 * comes) with the identifier and the value, or D1H with one error byte (clause 7.3.1, 异常应答).
 */
const READ_DATA = 0x11;
const READ_DATA_REPLY = 0x91;

/**
 * Energy identifiers of appendix A (表 A.1): DI3 00H is energy, DI2 the kind, DI1 the tariff
 * (00H the total), DI0 the settlement (00H the current one).
 */
export const ENERGY_DATA_IDS = Object.freeze({
  /** 组合有功总电能: may be negative (the sign in the top byte's D7). */
  combinedActiveTotal: 0x00000000,
  /** 正向有功总电能: forward (imported) active energy, total. */
  forwardActiveTotal: 0x00010000,
  /** 反向有功总电能: reverse (exported) active energy, total. */
  reverseActiveTotal: 0x00020000,
});

/** Error byte bits of an abnormal reply (clause 7.3.1, 错误信息字 ERR). */
const ERROR_BITS: readonly [number, string][] = [
  [0x01, 'other error'],
  [0x02, 'no data requested (the meter does not have this identifier)'],
  [0x04, 'password wrong or not authorised'],
  [0x08, 'baud rate cannot be changed'],
  [0x10, 'too many annual time zones'],
  [0x20, 'too many daily time periods'],
  [0x40, 'too many tariffs'],
];

const dataIdBytes = (dataId: number) => [dataId & 0xff, (dataId >>> 8) & 0xff, (dataId >>> 16) & 0xff, (dataId >>> 24) & 0xff];

/** The frame asking the meter at `address` for the value of `dataId`. */
export function readDataRequest(address: string, dataId: number, wakeUpBytes?: number): Buffer {
  if (!Number.isInteger(dataId) || dataId < 0 || dataId > 0xffffffff) throw new RangeError(`data identifier ${dataId} is not four bytes`);
  return encodeFrame({ address, control: READ_DATA, data: Uint8Array.from(dataIdBytes(dataId)) }, wakeUpBytes);
}

export type EnergyReply =
  | { ok: true; dataId: number; kWh: number }
  | { ok: false; kind: 'meter-error'; errorByte: number; detail: string }
  | { ok: false; kind: 'unexpected'; detail: string };

/**
 * The energy a meter's reply gives (XXXXXX.XX kWh: four BCD bytes, the lowest first), or why
 * there is none. `dataId` is what was asked: a reply about another identifier is refused.
 */
export function energyReply(frame: Dlt645Frame, dataId: number): EnergyReply {
  const { control, data } = frame;
  if (!controlBits.isReply(control) || controlBits.functionCode(control) !== READ_DATA) {
    return { ok: false, kind: 'unexpected', detail: `control code ${hex(control)} is not a reply to read data` };
  }
  if (controlBits.isAbnormal(control)) {
    const errorByte = data[0];
    if (data.length !== 1 || errorByte === undefined) return { ok: false, kind: 'unexpected', detail: `an abnormal reply with ${data.length} data bytes, not 1` };
    const named = ERROR_BITS.filter(([bit]) => (errorByte & bit) !== 0).map(([, name]) => name);
    return { ok: false, kind: 'meter-error', errorByte, detail: `the meter refused: ${named.join('; ') || `error byte ${hex(errorByte)}`}` };
  }
  if ((control & ~0x20) !== READ_DATA_REPLY) return { ok: false, kind: 'unexpected', detail: `control code ${hex(control)} is not a reply to read data` };
  if (data.length !== 8) return { ok: false, kind: 'unexpected', detail: `${data.length} data bytes, not the identifier and a 4-byte energy` };
  const repliedId = (data[0]! | (data[1]! << 8) | (data[2]! << 16) | (data[3]! << 24)) >>> 0;
  if (repliedId !== dataId) return { ok: false, kind: 'unexpected', detail: `the reply is about ${hex(repliedId, 8)}, not ${hex(dataId, 8)}` };
  const value = signedBcd(data.subarray(4, 8), dataId === ENERGY_DATA_IDS.combinedActiveTotal);
  if (value === undefined) return { ok: false, kind: 'unexpected', detail: `energy bytes ${[...data.subarray(4, 8)].map((b) => hex(b)).join(' ')} are not BCD` };
  return { ok: true, dataId, kWh: value / 100 };
}

/** The integer BCD bytes spell, the lowest byte first; the top byte's D7 a sign where `signed`. */
function signedBcd(bytes: Uint8Array, signed: boolean): number | undefined {
  let value = 0;
  for (let i = bytes.length - 1; i >= 0; i--) {
    let b = bytes[i]!;
    if (signed && i === bytes.length - 1) b &= 0x7f;
    const high = b >> 4;
    const low = b & 0x0f;
    if (high > 9 || low > 9) return undefined;
    value = value * 100 + high * 10 + low;
  }
  return signed && (bytes[bytes.length - 1]! & 0x80) !== 0 ? -value : value;
}

const hex = (n: number, width = 2) => `${n.toString(16).toUpperCase().padStart(width, '0')}H`;
